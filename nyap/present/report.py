"""Aktuellt perspektiv: the yearly compilation of every goal for one municipality or the county,
as a self-contained HTML page that prints on A4 and as a PDF made from the same HTML (WeasyPrint).

Every sentence comes from nyap/present/prose.py and every status from the same evaluation the app
shows (the store's goal views), so the report cannot say something the dashboard does not. No
Streamlit here: the command line (`python -m nyap report`) and the app's download button call it.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from PIL import Image

from nyap.present.charts import trend_chart
from nyap.present.comments import comment_html
from nyap.present.fonts import FONT_DIR, register_for_export
from nyap.present.formatting import (
    GENDER_LABELS, STATUS_CSS, file_slug, fmt_number, genders_of, value_year,
)
from nyap.present.periods import period_caption
from nyap.present.prose import (
    KeyNumbers, aim_sentence, county_gap_sentence, gender_gap_sentence, key_numbers, remaining_phrase,
)
from nyap.present.room_tables import SHORT, municipalities_judged, municipalities_right_way
from nyap.present.status import status_label, status_reason
from nyap.present.summary import headline_rows, summary_sentence
from nyap.present.missing import missing_data_note
from nyap.present.tables import COUNTY_ONLY, ProfileRow, profile_rows, status_html, versus_text
from nyap.rules.commentary import Commentary, GoalComment
from nyap.rules.comparison import ChangeSince, change_since
from nyap.rules.goal_arithmetic import usable
from nyap.present.views import (
    GAP_GOAL_WORDS, FocusItem, GoalView, caveats, focus_items, gender_gap_area, repeated_in, shown_gender, source_line,
    why_no_municipalities,
)

REPORT_NAME = "Aktuellt perspektiv"
DEMO_PAGE_MARK = "DEMODATA – påhittade värden, får inte användas som underlag"
CHART_WIDTH = 720  # px at 2x: sharp on paper at 17 cm


class ReportError(Exception):
    """A report that cannot be made, said in Swedish (e.g. the PDF library is missing)."""


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def css_string(text: str) -> str:
    """A CSS string literal for outside text (a municipality's name in the page footer): quotes,
    backslashes, line breaks and '<' (which could end the <style> element) as CSS escapes."""
    out = []
    for ch in str(text):
        if ch in '"\\<>' or ord(ch) < 32:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


@dataclass(frozen=True)
class GoalSection:
    """One goal measure of the report: its view, the shown sexes and the key numbers per area."""

    challenge: str
    item: FocusItem
    view: GoalView
    genders: tuple[str, ...]
    gender_note: str | None
    numbers: tuple[tuple[str, str, KeyNumbers], ...]  # (area code, sex, key numbers) per shown area and sex


def report_area_label(store, area: str) -> str:
    return store.region.county_name if area == store.config.meta.county else store.region.names().get(area, area)


def goal_sections(store, area: str, as_of: int) -> list[GoalSection]:
    """The goal measures of every challenge, as the challenge pages open them (default age
    group, total or women and men where the goal is measured by sex), with the app's key numbers."""
    config, region = store.config, store.region
    county_view = area == config.meta.county
    sections = []
    for ch in config.challenges:
        for item in focus_items(config, ch.name):
            view = store.goal_view(item, as_of, store.age_group_on(ch.name, item))
            gender, note = shown_gender(view, "T")
            genders = genders_of(gender)
            targets = []
            if view.has_municipalities and not county_view:
                targets.append((report_area_label(store, area), area))
            targets.append((view.reference_label, view.reference_code))
            numbers = []
            for g in genders:
                for label, code in targets:
                    ev = view.evaluation(code, g) if code else None
                    numbers.append((code, g, key_numbers(view.goal, ev, label, g, view.as_of, region.size,
                                                      only_suppressed=bool(code) and view.only_suppressed(code, g))))
            sections.append(GoalSection(ch.name, item, view, genders, note, tuple(numbers)))
    return sections


def _status(k: KeyNumbers) -> str:
    rem = f" · {esc(k.remaining)}" if k.remaining else ""
    return status_html(k.status, label=k.status_label) + rem


def _chart_spec(view: GoalView, area: str, genders: tuple[str, ...], names: dict[str, str], is_demo: bool):
    """The compact trend chart's spec, ready for drawing (draw_report_chart), and its text
    alternative; (None, why) where there is nothing to draw."""
    result = trend_chart(view, area, genders, names, "", is_demo, compact=True)
    if result is None:
        return None, "Det finns inga värden att visa."
    spec = {k: v for k, v in result.spec.items() if k not in ("title", "usermeta")}  # the heading is page text
    spec["width"] = CHART_WIDTH
    spec["background"] = "white"  # JPEG has no transparency
    return spec, result.alt_text


def draw_report_chart(spec: dict) -> bytes:
    """One report chart as a bitmap (JPEG bytes). A bitmap, not SVG: a report has a dozen charts,
    and the PDF engine draws a bitmap many times faster than a chart's vector text (measured: 0.4 s
    against 3 s for a report's charts)."""
    import vl_convert as vlc

    register_for_export()
    # JPEG at high quality: the PDF engine embeds it as it is, where a PNG with transparency is
    # decoded and re-encoded (a third of a report's PDF time). Drawn as PNG and converted by
    # Pillow: vl-convert's own JPEG path took 40 % longer (measured per chart: 57 + 8 ms against 98 ms).
    png = Image.open(io.BytesIO(vlc.vegalite_to_png(spec, scale=1.6))).convert("RGB")
    out = io.BytesIO()
    png.save(out, format="JPEG", quality=90)
    return out.getvalue()


def draw_report_charts(specs: list[dict]) -> list[bytes]:
    """The report's charts, one after the other in this process (the default drawer)."""
    return [draw_report_chart(spec) for spec in specs]


CHART_URL = "nyap-chart:"  # a chart's place in the page until it is drawn (ReportPage)


@dataclass(frozen=True)
class ReportPage:
    """A report page whose charts are referred to as nyap-chart:<n>, and the drawn charts. The
    HTML file carries them inline (self-contained); the PDF engine gets them by reference, not as
    a megabyte of base64 text to parse (half a second of a report's PDF)."""

    html: str
    images: tuple[bytes, ...]

    def inline(self) -> str:
        """The page with its charts as data URIs (one pass over the page)."""
        return re.sub(f'src="{CHART_URL}(\\d+)"', lambda m: 'src="data:image/jpeg;base64,'
                      + base64.b64encode(self.images[int(m.group(1))]).decode("ascii") + '"', self.html)


def _has_data(s: GoalSection, area: str, county_view: bool) -> bool:
    """Whether the report area has a value of its own for the goal measure (a section), or not
    (the list of goals without data)."""
    code = s.view.reference_code if county_view else area
    for g in s.genders:
        row = s.view.evaluation(code, g) if code else None
        if row is not None and row.get("current") is not None and not pd.isna(row.get("current")):
            return True
    return False


def _table_genders(ev, s: GoalSection, area: str, county_view: bool) -> tuple[str, ...]:
    """The total, and women and men where the area has a value for both (as Kolada publishes)."""
    def has(g: str) -> bool:
        row = (ev.reference_row(s.item.goal.id, s.item.track, g, s.challenge) if county_view
               else ev.row(s.item.goal.id, s.item.track, area, g, s.challenge))
        return row is not None and row.get("current") is not None and not pd.isna(row.get("current"))

    split = ("K", "M") if has("K") and has("M") else ()
    return (("T",) if has("T") or not split else ()) + split


def _change_text(change: ChangeSince, now_status: str, prev_year: int) -> str:
    """'+1,9 (bättre)' against the value the previous report showed (its year when not the
    previous year), 'inget nytt värde'; and the status then when it was another."""
    if change.now_year is None:
        text = "–"
    elif change.then_year is None:
        text = f"nytt värde ({change.now_year})"
    elif change.difference is None:
        text = "inget nytt värde"
    else:
        sign = "+" if change.difference > 0 and fmt_number(change.difference) != "0,0" else ""
        since = f" sedan {change.then_year}" if change.then_year != prev_year else ""
        text = f"{sign}{fmt_number(change.difference)} ({change.word}){since}"
    if change.status_then is not None and change.status_then != now_status:
        text += f"; var: {SHORT.get(change.status_then, change.status_then).lower()}"
    return text


@dataclass(frozen=True)
class TableRow:
    """One row of page one: a goal measure and sex, with what a council asks first."""

    challenge: str
    item: FocusItem
    gender: str
    status: str
    status_cell: str  # HTML
    latest: str
    versus: str  # municipality: the difference to the county the same year; county: the municipalities
    rank: str
    change: str
    has_data: bool
    profile: ProfileRow | None = None  # a municipality's row of the profile (difference word, rank)


def table_rows(store, area: str, sections: list[GoalSection], as_of: int) -> list[TableRow]:
    """Page one's table. A municipality's rows are the profile's (nyap/present/tables.profile_rows:
    the same status, difference to the county and rank); the county's have how many
    municipalities move the right way. Change: against the previous report's evaluation."""
    config = store.config
    county_view = area == config.meta.county
    ev = store.overview_evaluations(as_of, None)
    prev = store.overview_evaluations(as_of - 1, None) if (as_of - 1) in store.years else None
    repeated = repeated_in(config, ev)
    profile = {}
    if not county_view:
        profile = {(r.challenge, r.item.key, r.gender): r for r in profile_rows(config, ev, area, ("T", "K", "M"), as_of)}
    out = []
    for s in sections:
        if (s.challenge, s.item.key) in repeated:
            continue
        goal, track = s.item.goal, s.item.track
        has_data = _has_data(s, area, county_view)
        for g in _table_genders(ev, s, area, county_view):
            if county_view:
                row = ev.reference_row(goal.id, track, g, s.challenge)
                then = prev.reference_row(goal.id, track, g, s.challenge) if prev is not None else None
                versus, rank = municipalities_right_way(config, ev, s.item, g, s.challenge), ""
            else:
                r = profile.get((s.challenge, s.item.key, g))
                row = r.own if r else None
                then = prev.row(goal.id, track, area, g, s.challenge) if prev is not None else None
                county_year = None if r is None or r.ref is None else r.ref.current_year
                versus = versus_text(r, county_year) if r else "–"
                rank = "–"
                if r and r.rank:
                    rank = r.rank.text + (f" ({r.rank.year})" if r.rank.year is not None and r.rank.year != as_of else "")
            status = "no_data" if row is None else str(row["status"])
            if not county_view and ev.county_only(goal.id, track, s.challenge):
                cell = f'<span class="note">{esc(COUNTY_ONLY)}</span>'
            else:
                cell = status_html(status, label=status_label(row, goal))
                phrase = remaining_phrase(status, None if row is None else row.get("remaining"), goal.has_target)
                cell += f' <span class="rem">{esc(phrase)}</span>' if phrase else ""
            change = (_change_text(change_since(row, then, goal, as_of), status, as_of - 1)
                      if prev is not None else "–")
            out.append(TableRow(s.challenge, s.item, g, status, cell, value_year(row, "current", goal.value_unit),
                                versus, rank, change, has_data, None if county_view else r))
    return out


def _summary_table(store, area: str, rows: list[TableRow], as_of: int, anchors: dict) -> str:
    """Page one: every goal measure, with women and men where Kolada has both, in one table."""
    county_view = area == store.config.meta.county
    prev = as_of - 1
    head = (["Mål", "Läge", "Senaste (år)", "Kommunerna", f"Sedan {prev}"] if county_view else
            ["Mål", "Läge", "Senaste (år)", "Mot länet samma år", "Rank i länet", f"Sedan {prev}"])
    body, current, seen = [], None, set()
    for r in rows:
        if r.challenge != current:
            current = r.challenge
            body.append(f'<tr class="ch"><th colspan="{len(head)}" scope="colgroup">{esc(current)}</th></tr>')
        sex = "" if r.gender == "T" else GENDER_LABELS[r.gender].lower()
        first = (r.challenge, r.item.key) not in seen
        seen.add((r.challenge, r.item.key))
        if first:
            anchor = anchors.get((r.challenge, r.item.key))
            # the section's page (a table of contents inside the table; a link on screen)
            page = f' <a class="pg" href="#{anchor}"></a>' if anchor else ""
            label = esc(r.item.label) + (f' <span class="sex">({esc(sex)})</span>' if sex else "") + page
        else:
            label = f'<span class="sex">– {esc(sex)}</span>'
        cells = [f'<th scope="row">{label}</th>', f'<td data-col="status" data-status="{esc(r.status)}">{r.status_cell}</td>',
                 f'<td class="num" data-col="latest">{esc(r.latest)}</td>',
                 f'<td class="num" data-col="versus">{esc(r.versus)}</td>']
        if not county_view:
            cells.append(f'<td class="num" data-col="rank">{esc(r.rank)}</td>')
        cells.append(f'<td data-col="change">{esc(r.change)}</td>')
        body.append(f'<tr data-goal="{esc(r.item.key)}" data-challenge="{esc(r.challenge)}" data-gender="{r.gender}">'
                    + "".join(cells) + "</tr>")
    header = "".join(f'<th scope="col">{esc(h)}</th>' for h in head)
    # fixed widths: the goal's name wraps, the numbers and statuses keep their lines on A4
    widths = [36, 18, 12, 15, 19] if county_view else [31, 18, 12, 13, 8, 18]
    cols = "".join(f'<col style="width:{w}%">' for w in widths)
    return (f'<table class="summary" id="alla"><colgroup>{cols}</colgroup><caption>Alla mål – läget per {as_of}</caption>'
            f'<thead><tr>{header}</tr></thead><tbody>{"".join(body)}</tbody></table>')


def picture_sentences(store, area: str, rows: list[TableRow], as_of: int) -> list[str]:
    """The area's picture in a few sentences for page one, from the table's own figures."""
    config = store.config
    county_view = area == config.meta.county
    ev = store.overview_evaluations(as_of, None)
    label = report_area_label(store, area)
    out = [summary_sentence(headline_rows(ev.frame, config, None if county_view else area, "T"),
                            "i länet" if county_view else f"i {label}")]
    totals = [r for r in rows if r.gender == "T"]
    if county_view:
        shares = []
        for r in totals:
            good, judged = municipalities_judged(config, ev, r.item, "T", r.challenge)
            if len(judged) >= 5:
                shares.append((good / len(judged), good, len(judged), r.item.label.rstrip(".")))
        if shares:
            best, worst = max(shares), min(shares)
            out.append(f"Flest kommuner åt rätt håll: {best[3]} ({best[1]} av {best[2]}). "
                       f"Färst: {worst[3]} ({worst[1]} av {worst[2]}).")
        return out
    # the profile's own words and ranks (the rows above), not read back from the table's text
    profiled = [r.profile for r in totals if r.profile is not None]
    words = [p.versus for p in profiled if p.versus]
    n = len(words)
    if n:
        out.append(f"Mot länet samma år: bättre i {words.count('bättre')}, som länet i {words.count('som länet')} "
                   f"och sämre i {words.count('sämre')} av {n} mål där båda har värde.")
    ranked = [(p.rank.rank / p.rank.n, p) for p in profiled if p.rank and p.rank.n >= 5]
    if ranked:
        best = min(ranked, key=lambda x: x[0])[1]
        worst = max(ranked, key=lambda x: x[0])[1]
        out.append(f"Bäst placerad i länet: {best.item.label.rstrip('.')} ({best.rank.text}). "
                   f"Sämst placerad: {worst.item.label.rstrip('.')} ({worst.rank.text}).")
    return out


def _section_html(store, area: str, s: GoalSection, names: dict[str, str], is_demo: bool, data_date: str,
                  source_label: str = "", anchor: str = "", comment: str = "", *, charts: list[dict]) -> str:
    """One goal's section; its chart's spec is added to `charts` and the page refers to it by
    number (the report's charts are drawn together, ReportPage)."""
    view, goal = s.view, s.view.goal
    parts = [f'<section class="goal" id="{esc(anchor)}" data-goal="{esc(s.item.key)}" data-challenge="{esc(s.challenge)}">'
             f'<h3>{esc(s.item.label)}</h3>']
    unit = f" Enhet: {goal.value_unit}." + (f" Åldersgrupp {view.age_label}." if view.age_group else "")
    parts.append(f'<p class="aim">{esc(aim_sentence(goal, view.as_of) + unit)}</p>')
    if s.gender_note:
        parts.append(f'<p class="note">{esc(s.gender_note)}</p>')
    why = why_no_municipalities(view)
    if why and area != store.config.meta.county:
        parts.append(f'<p class="note">{esc(why)}</p>')
    missing = missing_data_note(store.cache, store.config, goal, s.item.track)
    if missing:
        parts.append(f'<p class="note missing">{esc(missing)}</p>')
    cards = []
    for code, g, k in s.numbers:
        lines = "".join(f"<li>{esc(line)}</li>" for line in k.lines)
        cards.append(f'<div class="card" data-area="{esc(code)}" data-gender="{g}" data-status="{esc(k.status)}">'
                     f'<p class="who">{esc(k.heading)}</p><p>{_status(k)}</p><ul>{lines}</ul></div>')
    parts.append(f'<div class="cards">{"".join(cards)}</div>')
    if goal.gender_gap:  # the gap is the goal's own measure: the app's sentence and status
        code = gender_gap_area(view, area)
        gap = store.gender_gap(s.item, view.as_of, view.age_group or None, code)
        where = names.get(code, code) if view.region.is_municipality(code) else view.reference_label
        parts.append(f'<p class="gap">{esc(gender_gap_sentence(gap, where, goal.value_unit, verdict=False))} '
                     f'{status_html(gap.status)} ({GAP_GOAL_WORDS})</p>')
    if area != store.config.meta.county and view.has_municipalities:
        closing = store.county_gap(s.item, view.as_of, view.age_group or None, area, s.genders[0])
        if closing.verdict != "no_data":
            parts.append(f'<p class="gap">{esc(county_gap_sentence(closing, names.get(area, area), goal))}</p>')
    parts.append(comment)
    years = _series_years(view, area)
    if len(years) < MIN_CHART_YEARS:
        # a chart of one or two points is half a page of axes: the figures are in the cards above
        shown = ", ".join(str(y) for y in years) or "inga år"
        parts.append(f'<p class="note">Inget diagram: värden bara för {shown}, ingen tidsserie att visa ännu.</p>')
    else:
        spec, alt_text = _chart_spec(view, area, s.genders, names, is_demo)
        if spec is not None:  # the text alternative is the image's alt; the cards above say the same in print
            parts.append(f'<figure><img src="{CHART_URL}{len(charts)}" alt="{esc(alt_text)}"></figure>')
            charts.append(spec)
        else:
            parts.append(f'<p class="note">{esc(alt_text)}</p>')
    notes = [source_line(view, is_demo, data_date, source_label)] + ([goal.note] if goal.note else []) + caveats(view)
    parts.append('<ul class="notes">' + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul></section>")
    return "".join(parts)


MIN_CHART_YEARS = 3


def _series_years(view: GoalView, area: str) -> list[int]:
    """The years with a usable value for the area or the county (what the chart would draw)."""
    frames = [usable(view.values[view.values["area_code"] == area])] if area != view.reference_code else []
    if not view.reference.empty:
        frames.append(usable(view.reference))
    years = set()
    for f in frames:
        years |= {int(y) for y in f["year"] if int(y) <= view.as_of}
    return sorted(years)


def why_no_data(store, area: str, s: GoalSection) -> str:
    """Why the area has no value of its own for a goal measure, in the app's words."""
    config, view, goal = store.config, s.view, s.item.goal
    county_view = area == config.meta.county
    ev = store.overview_evaluations(s.view.as_of, None)
    reasons = []
    if not county_view and ev.county_only(goal.id, s.item.track, s.challenge):
        reasons.append(f"{COUNTY_ONLY}: länets läge står i länets rapport.")
    missing = missing_data_note(store.cache, config, goal, s.item.track)
    if missing:
        reasons.append(missing)
    why = why_no_municipalities(view)
    if why and not county_view and not reasons:
        reasons.append(why)
    if not reasons:
        row = view.reference_evaluation(s.genders[0]) if county_view else view.evaluation(area, s.genders[0])
        reasons.append(status_reason(row, goal, view.as_of) or f"Inga värden t.o.m. {view.as_of}.")
    return " ".join(reasons)


def _no_data_list(store, area: str, sections: list[GoalSection], label: str, not_judged: int) -> str:
    """The goals without any value for the area, each with why (in the app's words)."""
    items = []
    for s in sections:
        items.append(f'<li data-goal="{esc(s.item.key)}" data-challenge="{esc(s.challenge)}"><b>{esc(s.item.label)}</b> '
                     f'<span class="ch-name">({esc(s.challenge)})</span><br><span class="note">{esc(why_no_data(store, area, s))}</span></li>')
    also = (f" {not_judged} mål till har värden men kan inte bedömas än (till exempel inget basvärde); de har "
            "ett eget avsnitt." if not_judged else "")
    return (f'<div class="nodata" id="utan-data"><h2>{esc(NO_VALUES_HEADING)} {esc(label)} ({len(sections)})</h2>'
            '<p class="note">De här målen har inget eget värde för området i data. I tabellen på första sidan står '
            f"de som «Ingen data».{esc(also)}</p><ul>{''.join(items)}</ul></div>")


NO_VALUES_HEADING = "Mål utan värden för"


def _toc(config, by_challenge: dict[str, list[tuple[str, str]]], n_missing: int, label: str) -> str:
    """The table of contents: the parts with their pages. Each goal's own page is in the table
    below (the "s. N" beside its name), so the contents stay a few lines on page one."""
    items = ['<li><a href="#alla">Alla mål – läget i en tabell</a></li>']
    for ch in config.challenges:
        goals = by_challenge.get(ch.name, [])
        if goals:
            items.append(f'<li><a href="#{esc(_challenge_anchor(config, ch.name))}">{esc(ch.name)}</a> '
                         f'<span class="note">({len(goals)} mål)</span></li>')
    if n_missing:
        items.append(f'<li><a href="#utan-data">{esc(NO_VALUES_HEADING)} {esc(label)} ({n_missing})</a></li>')
    return f'<nav class="toc" aria-label="Innehåll"><h2>Innehåll</h2><ol>{"".join(items)}</ol></nav>'


def _challenge_anchor(config, name: str) -> str:
    return f"utmaning-{[c.name for c in config.challenges].index(name) + 1}"


_STATUS_CSS = STATUS_CSS  # the app's status classes (nyap/present/formatting.py)

_CSS = """
@page { size: A4; margin: 16mm 15mm 16mm 15mm;
  @bottom-left { content: %(footer)s; font-size: 8pt; color: #444; }
  @bottom-right { content: "Sida " counter(page) " av " counter(pages); font-size: 8pt; color: #444; }
  %(demo)s }
html { font-family: "Source Sans Pro", "Source Sans", Arial, sans-serif; font-size: 10pt; color: #111; }
body { margin: 0 auto; max-width: 180mm; line-height: 1.3; }
h1 { font-size: 20pt; margin: 0 0 1mm 0; } h2 { font-size: 14pt; margin: 0 0 1.5mm 0; color: #0b4f8a; }
h3 { font-size: 12pt; margin: 0 0 1mm 0; break-after: avoid; }
.demo { color: #b3261e; font-weight: 700; border: 2px solid #b3261e; padding: 2mm 3mm; margin: 2mm 0 4mm 0; }
.lead { font-size: 11.5pt; margin: 1.5mm 0; } .lead p { margin: 0 0 1mm 0; } .lead p:first-child { font-weight: 600; }
.intro { margin: 0 0 2mm 0; color: #333; }
.challenge-head { break-after: avoid; margin-top: 4mm; } .challenge-head .aim { font-size: 10pt; }
.sections { margin-top: 5mm; }
.goal { break-inside: avoid; border-top: 1px solid #c8cdd3; padding-top: 2mm; margin-bottom: 3mm; }
.aim { margin: 0 0 1.5mm 0; } .note { color: #333; font-size: 9pt; }
/* a table, not flex: the PDF engine lays out a flex row several times slower (half a report's PDF time) */
.cards { display: table; width: 100%%; table-layout: fixed; border-spacing: 3mm 0; margin: 0 -3mm; }
.card { display: table-cell; border: 1px solid #d0d5da; padding: 1mm 2mm; font-size: 9.5pt; }
.card p { margin: 0 0 .5mm 0; } .card .who { font-weight: 700; }
.card ul, .notes { margin: 0; padding-left: 4mm; font-size: 8.5pt; }
.notes { color: #333; margin-top: 1mm; }
.gap { margin: 1mm 0; font-size: 9.5pt; }
.comment { border-left: 3px solid #0b4f8a; background: #f2f6fa; padding: 1mm 3mm; margin: 1.5mm 0; font-size: 9.5pt; }
.comment p { margin: 0 0 1mm 0; } .comment .who { font-weight: 700; color: #0b4f8a; margin-bottom: .5mm; }
figure { margin: 1mm 0 0 0; } figure img { width: 70%%; height: auto; }
.toc { font-size: 9.5pt; margin: 2mm 0 3mm 0; } .toc h2 { font-size: 11pt; margin: 0; }
.toc ol { margin: 0; padding-left: 5mm; columns: 2; column-gap: 8mm; }
.toc a { color: inherit; text-decoration: none; }
.toc a::after, a.pg::after { content: target-counter(attr(href), page); }
.toc a::after { content: " … s. " target-counter(attr(href), page); color: #555; }
a.pg { color: #555; font-weight: 400; font-size: 8pt; text-decoration: none; white-space: nowrap; }
a.pg::after { content: "s. " target-counter(attr(href), page); }
table.summary { border-collapse: collapse; width: 100%%; font-size: 8.5pt; table-layout: fixed; }
table.summary caption { text-align: left; font-weight: 700; font-size: 11pt; padding: 1mm 0; }
table.summary th, table.summary td { border-bottom: 1px solid #d0d5da; padding: .5mm 1.2mm; text-align: left; vertical-align: top; }
table.summary thead th { background: #f2f4f7; } table.summary td.num { text-align: right; }
table.summary tr { break-inside: avoid; } table.summary thead { display: table-header-group; }
table.summary tr.ch th { background: #0b4f8a; color: #fff; }
table.summary th[scope=row] { font-weight: 600; } table.summary .sex { font-weight: 400; color: #333; }
table.summary .rem { color: #333; white-space: nowrap; }
.nodata { break-before: page; } .nodata ul { padding-left: 4mm; } .nodata li { margin-bottom: 1.5mm; break-inside: avoid; }
.ch-name { color: #555; }
%(status)s
@media screen { body { padding: 8mm; } .sections { margin-top: 10mm; border-top: 3px solid #0b4f8a; }
  a.pg::after, .toc a::after { content: ""; } a.pg::after { content: "→"; } }
"""


def report_html(store, area: str, as_of: int | None = None, commentary: Commentary | None = None) -> str:
    """The report of one municipality, or of the county (area = the county's code), with the
    area's own commentary (nyap/rules/commentary.py) where it has written one: one HTML file."""
    return report_page(store, area, as_of, commentary).inline()


def report_page(store, area: str, as_of: int | None = None, commentary: Commentary | None = None,
                draw=draw_report_charts) -> ReportPage:
    """The report (see report_html) with its charts apart. `draw(specs) -> images`: how the charts
    are drawn (the report worker draws half of them in a second process at the same time)."""
    config, cache = store.config, store.cache
    as_of = as_of or max(store.years)
    commentary = commentary or Commentary(area)
    names = store.region.names()
    is_demo = bool(cache.is_demo)
    data_date = cache.data_date
    label = report_area_label(store, area)
    sections = goal_sections(store, area, as_of)
    county_view = area == config.meta.county
    with_data = [s for s in sections if _has_data(s, area, county_view)]
    without = [s for s in sections if not _has_data(s, area, county_view)]
    # a goal on several challenge pages with identical figures: one section, under its first page
    repeated = repeated_in(config, store.overview_evaluations(as_of, None))
    with_data = [s for s in with_data if (s.challenge, s.item.key) not in repeated]
    without = [s for s in without if (s.challenge, s.item.key) not in repeated]
    anchors = {(s.challenge, s.item.key): f"mal-{i}" for i, s in enumerate(with_data, 1)}
    title = f"{REPORT_NAME} {as_of} – {label}"
    css = _CSS % {"footer": css_string(title),
                  "demo": (f"@top-center {{ content: {css_string(DEMO_PAGE_MARK)}; color: #b3261e; "
                           f"font-weight: 700; font-size: 10pt; }}") if is_demo else "",
                  "status": _STATUS_CSS}
    rows = table_rows(store, area, sections, as_of)
    out = [f'<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>{esc(title)}</title>'
           f"<style>{css}</style></head><body>"]
    if is_demo:
        out.append(f'<p class="demo">{esc(DEMO_PAGE_MARK)}. Rapporten visar hur sammanställningen ser ut, '
                   "inte verkliga resultat.</p>")
    out.append(f"<h1>{esc(title)}</h1>")
    out.append(f'<p class="intro">{esc(config.meta.title)}. Läget per {as_of}, {esc(period_caption(config, as_of))}. '
               f"Källa: {esc(cache.origin_text)}. Samma regler, siffror och ord som i appen.</p>")
    out.append('<div class="lead">' + "".join(f"<p>{esc(t)}</p>" for t in picture_sentences(store, area, rows, as_of))
               + "</div>")
    if commentary.summary:
        out.append(comment_html(GoalComment(commentary.summary), commentary.heading(as_of)))
    by_challenge: dict[str, list[tuple[str, str]]] = {}
    for s in with_data:
        by_challenge.setdefault(s.challenge, []).append((anchors[(s.challenge, s.item.key)], s.item.label))
    out.append(_toc(config, by_challenge, len(without), label))
    out.append(_summary_table(store, area, rows, as_of, anchors))
    out.append('<p class="note">Läge: som i appen; ett mål med två mått räknas som rätt håll bara om båda rör sig åt '
               "rätt håll. Mot länet och rank: kommunens senaste värde mot länet och de andra kommunerna samma år. "
               f"Sedan {as_of - 1}: mot värdet i förra årets rapport.</p>")
    out.append('<div class="sections">')
    current = None
    charts: list[dict] = []
    for s in with_data:
        if s.challenge != current:
            current = s.challenge
            ch = config.challenge(current)
            out.append(f'<div class="challenge-head" id="{_challenge_anchor(config, current)}"><h2>{esc(current)}</h2>'
                       f'<p class="aim">{esc(ch.aim)}</p></div>')
        comment = comment_html(commentary.for_goal(s.item.key), commentary.heading(as_of))
        out.append(_section_html(store, area, s, names, is_demo, data_date, cache.source_label,
                                 anchors[(s.challenge, s.item.key)], comment, charts=charts))
    out.append("</div>")
    if without:
        judged = {(r.challenge, r.item.key) for r in rows if r.status != "no_data"}
        not_judged = len({(r.challenge, r.item.key) for r in rows if r.has_data} - judged)
        out.append(_no_data_list(store, area, without, label, not_judged))
    out.append("</body></html>")
    return ReportPage("".join(out), tuple(draw(charts)))


def _pdf_fonts_css() -> str:
    faces = ((400, "Regular"), (600, "Semibold"), (700, "Bold"))
    return "\n".join(f'@font-face {{ font-family: "Source Sans Pro"; font-weight: {w}; '
                     f'src: url("{(FONT_DIR / f"SourceSansPro-{n}.ttf").as_uri()}"); }}' for w, n in faces)


@functools.cache
def pdf_available() -> bool:
    """Whether this machine can make the PDF: WeasyPrint installed and the system's Pango found.
    Asked without importing WeasyPrint (half a second), since the overview asks on every visit."""
    import ctypes.util
    import importlib.util

    return importlib.util.find_spec("weasyprint") is not None and ctypes.util.find_library("pangoft2-1.0") is not None


def report_pdf(page: str | ReportPage) -> bytes:
    """The same HTML as a PDF, offline (WeasyPrint), with the shipped font embedded."""
    try:
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher, URLFetcherResponse
    except (ImportError, OSError) as exc:  # OSError: the system's Pango library is missing
        raise ReportError("PDF kan inte skapas: WeasyPrint eller systembiblioteket Pango saknas "
                          "(apt-get install libpango-1.0-0 libpangoft2-1.0-0). HTML-rapporten fungerar ändå. "
                          f"({type(exc).__name__})") from exc
    if isinstance(page, str):
        page = ReportPage(page, ())

    class Charts(URLFetcher):  # the page's nyap-chart:<n> from memory, the fonts from their files
        def fetch(self, url, headers=None):
            if url.startswith(CHART_URL):
                return URLFetcherResponse(url, page.images[int(url[len(CHART_URL):])],
                                          headers={"Content-Type": "image/jpeg"})
            return super().fetch(url, headers)

    fonts = FontConfiguration()
    return HTML(string=page.html, url_fetcher=Charts()).write_pdf(
        stylesheets=[CSS(string=_pdf_fonts_css(), font_config=fonts)], font_config=fonts)


def report_stem(store, area: str, as_of: int) -> str:
    return ("DEMO-" if store.cache.is_demo else "") + file_slug(f"aktuellt-perspektiv-{as_of}-{report_area_label(store, area)}")


# ------------------------------------------------------------------ many reports at once

_WORKER_STORE = None


def _write_one(args) -> list[str]:
    area, out_dir, as_of, pdf, commentary = args
    store = _WORKER_STORE
    page = report_page(store, area, as_of, commentary)
    stem = report_stem(store, area, as_of)
    written = [_atomic_write(Path(out_dir) / f"{stem}.html", page.inline().encode("utf-8"))]
    if pdf:
        written.append(_atomic_write(Path(out_dir) / f"{stem}.pdf", report_pdf(page)))
    return written


def _atomic_write(path: Path, data: bytes) -> str:
    """All or nothing: the report is written beside its place and moved there when complete; a
    write that fails (a full disk) leaves the previous report as it was and no partial file."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return str(path)


def commentaries(config, areas: list[str], directory: Path | None = None) -> dict[str, Commentary]:
    """Each area's commentary file, read and checked before any report is made: one unusable file
    stops the run with every problem in Swedish (file and line), and no report is half-written."""
    from nyap import comments_dir
    from nyap.rules.commentary import CommentaryError, load_commentary

    directory = comments_dir() if directory is None else directory
    found, problems = {}, []
    for area in areas:
        try:
            found[area] = load_commentary(directory, config, area)
        except CommentaryError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ReportError("Kommunens kommentarer kan inte användas – rätta filen och försök igen:\n"
                          + "\n".join(f"• {p}" for p in problems))
    return found


def write_reports(store, areas: list[str], out_dir: Path, as_of: int | None = None, pdf: bool = True,
                  workers: int | None = None, comments: Path | None = None) -> list[str]:
    """Write the reports of `areas` into out_dir, in parallel processes. The goal views are
    computed once here, before the processes start, and shared with them (fork); each process
    only draws its charts and PDFs. Each area's commentary (kommentarer/<kod>.toml) is checked
    first: ReportError names the file and line of a problem."""
    global _WORKER_STORE
    found = commentaries(store.config, areas, comments)
    as_of = as_of or max(store.years)
    out_dir.mkdir(parents=True, exist_ok=True)
    if areas:
        goal_sections(store, areas[0], as_of)  # every goal view of the year, once
    store.overview_evaluations(as_of, None)
    _WORKER_STORE = store
    jobs = [(a, str(out_dir), as_of, pdf, found[a]) for a in areas]
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    if workers <= 1 or os.name != "posix":
        return [p for job in jobs for p in _write_one(job)]
    import multiprocessing

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return [p for paths in pool.map(_write_one, jobs) for p in paths]
