"""The pages of the app, in one place: the overview, one page per challenge in goals.toml, Om data
and the presentation page.

A page has a key (its title, the session-key prefix and what goals.toml calls the challenge), a
file that Streamlit runs (its URL path is the file name without the number prefix), and, for a
challenge page, its challenge. The navigation, the links in the tables, the tests and the scripts
all read this list; `python -m nyap check` says in Swedish when a challenge has no page file or a
page file no challenge.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from nyap import PROJECT_ROOT
from nyap.rules.goals import GoalsConfig

PAGES_DIR = "pages"
OVERVIEW = "Översikt"
ABOUT = "Om data"
PRESENTATION = "Presentation"  # one view at a time for a room (nyap/ui/presentation.py)

# what the app's own error box says when a page fails (the websocket client recognises it)
PAGE_ERROR = "Något gick fel när sidan skulle visas."


@dataclass(frozen=True)
class Page:
    key: str  # the Swedish title; also the challenge's name on a challenge page
    file: str  # relative to the project, e.g. "pages/1_Barnalivet.py"
    challenge: str | None = None

    @property
    def url_path(self) -> str:
        """The path Streamlit serves the page at ("" for the start page), URL-quoted."""
        if self.file == "app.py":
            return ""
        return quote(re.sub(r"^\d+_", "", Path(self.file).stem))


def _slug(name: str) -> str:
    return name.replace(" ", "_")


@functools.lru_cache(maxsize=8)  # the page files of a running app do not change (no file watcher)
def _page_files(root: Path) -> dict[str, str]:
    """Page files by their name without number prefix: {"Barnalivet": "pages/1_Barnalivet.py"}."""
    folder = root / PAGES_DIR
    files = sorted(folder.glob("*.py")) if folder.is_dir() else []
    return {re.sub(r"^\d+_", "", f.stem): f"{PAGES_DIR}/{f.name}" for f in files}


def pages(config: GoalsConfig, root: Path = PROJECT_ROOT) -> list[Page]:
    """The pages in navigation order. A challenge without a page file is left out (and reported
    by `page_problems`), so that the app still runs."""
    files = _page_files(root)
    out = [Page(OVERVIEW, "app.py")]
    for ch in config.challenges:
        if _slug(ch.name) in files:
            out.append(Page(ch.name, files[_slug(ch.name)], ch.name))
    for fixed in (ABOUT, PRESENTATION):
        if _slug(fixed) in files:
            out.append(Page(fixed, files[_slug(fixed)]))
    return out


def page_problems(config: GoalsConfig, root: Path = PROJECT_ROOT) -> list[str]:
    """Swedish messages for challenges without a page file and page files without a challenge."""
    files = _page_files(root)
    names = {_slug(ch.name) for ch in config.challenges}
    problems = [f"Utmaningen \"{ch.name}\" i goals.toml har ingen sidfil ({PAGES_DIR}/N_{_slug(ch.name)}.py)."
                for ch in config.challenges if _slug(ch.name) not in files]
    problems += [f"Sidfilen {path} hör inte till någon utmaning i goals.toml (byt namn på filen eller på "
                 "utmaningen så att de stämmer)."
                 for name, path in files.items() if name not in names and name not in (_slug(ABOUT), _slug(PRESENTATION))]
    return problems


def page_by_key(config: GoalsConfig, key: str, root: Path = PROJECT_ROOT) -> Page | None:
    return next((p for p in pages(config, root) if p.key == key), None)


def page_for_challenge(config: GoalsConfig, root: Path = PROJECT_ROOT) -> dict[str, str]:
    """Challenge name -> URL path of its page (the links in the overview and the profile)."""
    return {p.challenge: p.url_path for p in pages(config, root) if p.challenge}
