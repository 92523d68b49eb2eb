"""The one way text from outside the code reaches the page.

Link values, Kolada's titles and definitions, imported survey tables, goals.toml and the cache's
manifest are data, never markup. Streamlit renders Markdown in st.markdown, st.caption, st.toast,
st.info, st.title and expander labels, and HTML in st.html: a title such as `![](//host/p.gif)`
would make every visitor's browser fetch an image from another host, `[Logga in](http://…)` would
put a phishing link inside the app's own notice, and `<style>` in goals.toml would restyle the app.

* `md(text)` — for any Markdown context: every character Markdown or Streamlit could read as
  syntax is escaped, so the text shows exactly as written. Whitespace collapses to one line.
* `esc(text)` — for HTML contexts (st.html and our HTML tables): HTML-escaped.
* `paragraphs(text)` — multi-line outside text (definitions) as escaped HTML paragraphs.
* `html_block(html)` — our own HTML (with escaped outside text in it) for st.markdown: one block.

The app's own Swedish sentences are written in Markdown around these; tests/test_hostile_text.py
feeds Markdown and HTML payloads through every input and checks that nothing becomes markup.
"""

from __future__ import annotations

import html
import re

# Characters that start Markdown or Streamlit syntax anywhere in a line: links and images [ ] !,
# emphasis * _ ~, code `, raw HTML and autolinks < >, entities &, tables |, maths $, colours and
# icons :name[…] / :name:. CommonMark reads a backslash before any of them as the character itself.
_INLINE = re.compile(r"([\\`*_\[\]<>!|~$&:])")
# …and those that only matter at the start of a line: headings, lists, quotes.
_BLOCK_START = re.compile(r"^(\s*)([#+\-=>])")
_NUMBERED = re.compile(r"^(\s*\d+)([.)])")
# Streamlit turns :shortcode: and :material/icon: into emoji and icons (the icon font may come
# from a CDN), and GitHub-flavoured Markdown links bare http://…, www.… and e-mail addresses: a
# zero-width space after the colon, "www" and "@" breaks those patterns without changing the text.
_ZWSP = "\u200b"
_COLON = "\\:" + _ZWSP
_AUTOLINK = re.compile(r"(?i)(www)(\.)|(@)")


def _text(value) -> str:
    return "" if value is None else str(value)


def md(value) -> str:
    """Outside text for a Markdown context, shown literally on one line."""
    # line breaks and tabs become spaces; no-break spaces (between a number and its unit) stay
    text = re.sub(r"[ \t\r\n\f\v]+", " ", _text(value)).strip()
    text = _INLINE.sub(r"\\\1", text).replace("\\:", _COLON)
    text = _AUTOLINK.sub(lambda m: (m.group(1) + _ZWSP + m.group(2)) if m.group(1) else "@" + _ZWSP, text)
    text = _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return _NUMBERED.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def esc(value) -> str:
    """Outside text for an HTML context."""
    return html.escape(_text(value), quote=True)


def paragraphs(value) -> str:
    """Multi-line outside text as escaped HTML paragraphs (blank lines separate them)."""
    parts = [p.strip() for p in re.split(r"\n\s*\n", _text(value)) if p.strip()]
    return "".join(f"<p>{esc(' '.join(p.split()))}</p>" for p in parts)


_PATH = re.compile(r"(?:[A-Za-z]:)?(?:/[^\s/:;,()'\"]+){2,}/?")
_LIBRARY = re.compile(r"\s*\((?:[A-Za-z_]+(?:Error|Exception|Invalid|Warning)|Errno \d+)[^)]*\)")


def for_visitors(problem: str) -> str:
    """A problem message as a visitor may see it: file names instead of the server's paths, and
    no library text (the full message goes to the server log)."""
    text = _PATH.sub(lambda m: m.group(0).rstrip("/").rsplit("/", 1)[-1], str(problem))
    return _LIBRARY.sub("", text)


def html_block(markup: str) -> str:
    """Our own HTML for st.markdown(unsafe_allow_html=True), kept one raw HTML block. Markdown
    ends an HTML block at a blank line and reads what follows as Markdown: a blank line inside an
    escaped heading, goal text or municipality name would turn the rest (`![](//host/x.gif)`,
    `[Logga in](…)`) into an image or a link. Line breaks mean nothing in this HTML (no <pre>), so
    every run of them becomes one space."""
    return re.sub(r"[ \t]*[\r\n\f\v]+[ \t]*", " ", markup)
