"""'Kommunens kommentar': the municipality's own words (nyap/rules/commentary.py) as HTML, the
same block in the report and on the goal page, marked as the municipality's, not the data's."""

from __future__ import annotations

import html

from nyap.rules.commentary import GoalComment


def _paragraphs(text: str) -> str:
    # a blank line starts a new paragraph; the text is the strategist's, so it is escaped
    return "".join(f"<p>{html.escape(p.strip())}</p>" for p in text.split("\n\n") if p.strip())


def comment_html(comment: GoalComment | None, heading: str, css_class: str = "comment") -> str:
    if comment is None or not (comment.comment or comment.actions):
        return ""
    parts = [f'<div class="{css_class}" role="note"><p class="who">{html.escape(heading)}</p>']
    if comment.comment:
        parts.append(_paragraphs(comment.comment))
    if comment.actions:
        parts.append(f'<p class="who">Åtgärder</p>{_paragraphs(comment.actions)}')
    return "".join(parts) + "</div>"
