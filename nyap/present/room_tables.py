"""The overview for a room: tables a back row can read (presentation mode).

The county's matrix (30 goals × 17 areas) or a municipality's 30-row profile cannot be read from
15 m at any size that fits one screen. A slide shows instead either every challenge with how many
of its goal measures are at each status (the overview step), or one challenge's goals with their
status in symbol and words (a step on a challenge page with chart = "oversikt"). The key is the
table's own header: symbol and word together. Text sizes are set by the room's CSS
(nyap/ui/style.py: .nyap-room-grid) in screen heights, so they scale with the projector.
"""

from __future__ import annotations

from html import escape

from nyap.present.tables import COUNTY_ONLY, status_html
from nyap.present.views import focus_items
from nyap.rules.goals import GoalsConfig
from nyap.rules.statuses import STATUS_STYLE

# the columns of the summary, in the order a room reads them (good, unchanged, bad, then the rest)
SUMMARY_ORDER = ("reached", "right_way", "unchanged", "wrong_way", "at_limit", "break", "no_data")
SHORT = {"reached": "Uppnått", "right_way": "Rätt håll", "unchanged": "Oförändrat", "wrong_way": "Fel håll",
         "at_limit": "Vid 100 %", "break": "Seriebrott", "no_data": "Ingen data"}


def _status_of(ev, config: GoalsConfig, item, area: str, gender: str, challenge: str) -> str:
    goal, track = item.goal, item.track
    row = (ev.reference_row(goal.id, track, gender, challenge) if area == config.meta.county
           else ev.row(goal.id, track, area, gender, challenge))
    return str(row["status"]) if row is not None else "no_data"


def challenges_room_html(config: GoalsConfig, ev, area: str, gender: str, area_label: str) -> str:
    """Every challenge, and how many of its goal measures are at each status for the area."""
    counts = {}
    for ch in config.challenges:
        statuses = [_status_of(ev, config, item, area, gender, ch.name) for item in focus_items(config, ch.name)]
        counts[ch.name] = {s: statuses.count(s) for s in SUMMARY_ORDER}
    shown = [s for s in SUMMARY_ORDER if s in ("reached", "right_way", "unchanged", "wrong_way", "no_data")
             or any(c[s] for c in counts.values())]
    head = "".join(f'<th scope="col" class="num"><span class="nyap-s-{s}">{escape(STATUS_STYLE[s][0])}</span><br>'
                   f"{escape(SHORT[s])}</th>" for s in shown)
    body = "".join(
        f'<tr><th scope="row">{escape(name)}</th>'
        + "".join(f'<td class="num"><span class="nyap-s-{s}">{c[s] if c[s] else "–"}</span></td>' for s in shown)
        + f'<td class="num total">{sum(c.values())}</td></tr>'
        for name, c in counts.items())
    caption = f"Antal mål per läge – {area_label}"
    return (f'<table class="nyap-room-grid nyap-room-summary"><caption>{escape(caption)}</caption>'
            f'<thead><tr><th scope="col">Utmaning</th>{head}<th scope="col" class="num">Mål</th></tr></thead>'
            f"<tbody>{body}</tbody></table>")


def municipalities_judged(config: GoalsConfig, ev, item, gender: str, challenge: str) -> tuple[int, list[str]]:
    """How many of the county's municipalities reach a goal measure or move the right way, and
    the statuses of those that can be judged."""
    statuses = [_status_of(ev, config, item, m, gender, challenge) for m in config.region.municipalities]
    judged = [s for s in statuses if s != "no_data"]
    return sum(s in ("reached", "right_way", "at_limit") for s in judged), judged


def municipalities_right_way(config: GoalsConfig, ev, item, gender: str, challenge: str) -> str:
    """'9 av 16 åt rätt håll': the county's municipalities judged for a goal measure and how many
    of them reach it or move the right way (the room view and the county's report)."""
    good, judged = municipalities_judged(config, ev, item, gender, challenge)
    if judged:
        return f"{good} av {len(judged)} åt rätt håll"
    return COUNTY_ONLY if ev.county_only(item.goal.id, item.track, challenge) else "Ingen data"


def challenge_room_html(config: GoalsConfig, ev, challenge: str, area: str, gender: str, area_label: str) -> str:
    """One challenge's goals for the room: the area's status in symbol and words; beside a
    municipality the county's, for the county how many municipalities move the right way."""
    county = area == config.meta.county
    rows = []
    for item in focus_items(config, challenge):
        mine = _status_of(ev, config, item, area, gender, challenge)
        if county:
            other = municipalities_right_way(config, ev, item, gender, challenge)
        else:
            other = status_html(_status_of(ev, config, item, config.meta.county, gender, challenge))
        rows.append(f'<tr><th scope="row">{escape(item.label)}</th><td>{status_html(mine)}</td>'
                    f'<td>{other if not county else escape(other)}</td></tr>')
    second = "Kommunerna" if county else "Länet"
    caption = f"{challenge} – {area_label}"
    return (f'<table class="nyap-room-grid nyap-room-goals"><caption>{escape(caption)}</caption>'
            f'<thead><tr><th scope="col">Mål</th><th scope="col">{escape(area_label)}</th>'
            f'<th scope="col">{second}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
