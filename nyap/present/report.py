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
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from PIL import Image

from nyap.present.charts import trend_chart
from nyap.present.fonts import FONT_DIR, register_for_export
from nyap.present.formatting import (
    GENDER_LABELS, STATUS_CSS, file_slug, genders_of, value_year,
)
from nyap.present.periods import period_caption
from nyap.present.prose import KeyNumbers, aim_sentence, gender_gap_sentence, key_numbers
from nyap.present.summary import headline_rows, summary_sentence
from nyap.present.missing import missing_data_note, missing_data_notes
from nyap.present.tables import COUNTY_ONLY, status_html
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


def _chart_png(view: GoalView, area: str, genders: tuple[str, ...], names: dict[str, str], is_demo: bool):
    """The compact trend chart as a 2x bitmap (data URI) and its text alternative. A bitmap, not
    SVG: a report has some thirty charts, and the PDF engine draws a bitmap many times faster than
    a chart's vector text (measured: 0.4 s against 3 s for a report's charts)."""
    import vl_convert as vlc

    result = trend_chart(view, area, genders, names, "", is_demo, compact=True)
    if result is None:
        return None, "Det finns inga värden att visa."
    spec = {k: v for k, v in result.spec.items() if k not in ("title", "usermeta")}  # the heading is page text
    spec["width"] = CHART_WIDTH
    spec["background"] = "white"  # JPEG has no transparency
    register_for_export()
    # JPEG at high quality: the PDF engine embeds it as it is, where a PNG with transparency is
    # decoded and re-encoded (a third of a report's PDF time). Drawn as PNG and converted by
    # Pillow: vl-convert's own JPEG path took 40 % longer (measured per chart: 57 + 8 ms against 98 ms).
    png = Image.open(io.BytesIO(vlc.vegalite_to_png(spec, scale=1.6))).convert("RGB")
    out = io.BytesIO()
    png.save(out, format="JPEG", quality=90)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii"), result.alt_text


def _summary_table(store, area: str, sections: list[GoalSection], repeated: set[tuple[str, str]] = frozenset(),
                   ev=None) -> str:
    """Page one: every goal with the area's status and remaining distance beside the county's.
    `repeated` (views.repeated_focus_items): a goal on several challenge pages with identical
    figures there is listed once, under its first challenge."""
    county_view = area == store.config.meta.county
    area_label = report_area_label(store, area)
    head = ["Mål"] + ([f"{area_label}: senaste", f"{area_label}: läge"] if not county_view else []) + \
           ["Länet: senaste", "Länet: läge"]
    rows, current = [], None
    for s in sections:
        if (s.challenge, s.item.key) in repeated:
            continue
        if s.challenge != current:
            current = s.challenge
            rows.append(f'<tr class="ch"><th colspan="{len(head)}" scope="colgroup">{esc(current)}</th></tr>')
        for g in s.genders:
            own = [k for code, sex, k in s.numbers if code == area and sex == g]
            ref = [k for code, sex, k in s.numbers if code == s.view.reference_code and sex == g]
            label = s.item.label + ("" if g == "T" else f" ({GENDER_LABELS[g].lower()})")
            cells = [f'<th scope="row">{esc(label)}</th>']
            if not county_view:
                if own:
                    cells += [f'<td class="num">{esc(_latest(s, area, g))}</td>', f"<td>{_status(own[0])}</td>"]
                else:
                    # "county only" is the app's rule (evaluation_table.county_only: values for the
                    # county, none for a municipality), in the app's words; otherwise no data
                    county_only = ev is not None and ev.county_only(s.item.goal.id, s.item.track, s.challenge)
                    cells += ['<td class="num">–</td>',
                              f'<td class="note">{esc(COUNTY_ONLY)}</td>' if county_only
                              else f"<td>{_status(key_numbers(s.view.goal, None, '', g, s.view.as_of, 0))}</td>"]
            k = ref[0] if ref else None
            cells += [f'<td class="num">{esc(_latest(s, s.view.reference_code, g))}</td>',
                      f"<td>{_status(k)}</td>" if k else "<td>–</td>"]
            rows.append(f'<tr data-goal="{esc(s.item.key)}" data-challenge="{esc(s.challenge)}" data-gender="{g}">' + "".join(cells) + "</tr>")
    header = "".join(f'<th scope="col">{esc(h)}</th>' for h in head)
    # fixed widths: the goal's name wraps, the numbers and statuses keep their lines on A4
    widths = [34, 13, 20, 13, 20] if not county_view else [54, 18, 28]
    cols = "".join(f'<col style="width:{w}%">' for w in widths)
    return (f'<table class="summary"><colgroup>{cols}</colgroup><caption>Alla mål – läget per {sections[0].view.as_of if sections else ""}'
            f'</caption><thead><tr>{header}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _latest(s: GoalSection, code: str, g: str) -> str:
    """The most recent value with its year (with or without a baseline), and for a county mean
    how many municipalities it covers."""
    ev = s.view.evaluation(code, g) if code else None
    text = value_year(ev, "current", s.view.goal.value_unit)
    if text == "–":
        return text
    n = ev.get("county_current_n") if code == s.view.reference_code else None
    return text if n is None or pd.isna(n) else f"{text}, medel av {int(n)} av {s.view.region.size} kommuner"


def _section_html(store, area: str, s: GoalSection, names: dict[str, str], is_demo: bool, data_date: str,
                  source_label: str = "") -> str:
    view, goal = s.view, s.view.goal
    parts = [f'<section class="goal" data-goal="{esc(s.item.key)}" data-challenge="{esc(s.challenge)}"><h3>{esc(s.item.label)}</h3>']
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
    uri, alt_text = _chart_png(view, area, s.genders, names, is_demo)
    if uri:
        parts.append(f'<figure><img src="{uri}" alt="{esc(alt_text)}"><figcaption>{esc(alt_text)}</figcaption></figure>')
    else:
        parts.append(f'<p class="note">{esc(alt_text)}</p>')
    notes = [source_line(view, is_demo, data_date, source_label)] + caveats(view)
    parts.append('<ul class="notes">' + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul></section>")
    return "".join(parts)


_STATUS_CSS = STATUS_CSS  # the app's status classes (nyap/present/formatting.py)

_CSS = """
@page { size: A4; margin: 20mm 16mm 18mm 16mm;
  @bottom-left { content: %(footer)s; font-size: 8pt; color: #444; }
  @bottom-right { content: "Sida " counter(page) " av " counter(pages); font-size: 8pt; color: #444; }
  %(demo)s }
html { font-family: "Source Sans Pro", "Source Sans", Arial, sans-serif; font-size: 10.5pt; color: #111; }
body { margin: 0 auto; max-width: 180mm; line-height: 1.35; }
h1 { font-size: 22pt; margin: 0 0 2mm 0; } h2 { font-size: 16pt; margin: 0 0 2mm 0; color: #0b4f8a; }
h3 { font-size: 12.5pt; margin: 5mm 0 1mm 0; break-after: avoid; }
.demo { color: #b3261e; font-weight: 700; border: 2px solid #b3261e; padding: 2mm 3mm; margin: 2mm 0 4mm 0; }
.lead { font-size: 12.5pt; font-weight: 600; }
.challenge { break-before: page; } .challenge > .aim { font-size: 11pt; }
.goal { break-inside: avoid; border-top: 1px solid #c8cdd3; padding-top: 1mm; }
.aim { margin: 0 0 2mm 0; } .note { color: #333; font-size: 9.5pt; }
/* a table, not flex: the PDF engine lays out a flex row several times slower (half a report's PDF time) */
.cards { display: table; width: 100%%; table-layout: fixed; border-spacing: 3mm 0; margin: 0 -3mm; }
.card { display: table-cell; border: 1px solid #d0d5da; padding: 1.5mm 2.5mm; }
.card p { margin: 0 0 1mm 0; } .card .who { font-weight: 700; }
.card ul, .notes { margin: 0; padding-left: 4mm; font-size: 9.5pt; }
.notes { color: #333; margin-top: 1mm; }
figure { margin: 2mm 0 0 0; } figure img { width: 86%%; height: auto; }
figcaption { font-size: 9pt; color: #333; }
table.summary { border-collapse: collapse; width: 100%%; font-size: 9pt; table-layout: fixed; }
table.summary caption { text-align: left; font-weight: 700; font-size: 11pt; padding: 1mm 0; }
table.summary th, table.summary td { border-bottom: 1px solid #d0d5da; padding: .6mm 1.2mm; text-align: left; vertical-align: top; }
table.summary thead th { background: #f2f4f7; } table.summary td.num { text-align: right; }
table.summary tr { break-inside: avoid; } table.summary thead { display: table-header-group; }
table.summary tr.ch th { background: #0b4f8a; color: #fff; }
%(status)s
@media screen { body { padding: 8mm; } .challenge { margin-top: 10mm; border-top: 3px solid #0b4f8a; padding-top: 4mm; } }
"""


def report_html(store, area: str, as_of: int | None = None) -> str:
    """The report of one municipality, or of the county (area = the county's code)."""
    config, cache = store.config, store.cache
    as_of = as_of or max(store.years)
    names = store.region.names()
    is_demo = bool(cache.is_demo)
    data_date = cache.data_date
    county_view = area == config.meta.county
    label = report_area_label(store, area)
    sections = goal_sections(store, area, as_of)
    title = f"{REPORT_NAME} {as_of} – {label}"
    css = _CSS % {"footer": css_string(title),
                  "demo": (f"@top-center {{ content: {css_string(DEMO_PAGE_MARK)}; color: #b3261e; "
                           f"font-weight: 700; font-size: 10pt; }}") if is_demo else "",
                  "status": _STATUS_CSS}
    ev = store.overview_evaluations(as_of, None)
    where = "i länet" if county_view else f"i {label}"
    headline = summary_sentence(headline_rows(ev.frame, config, None if county_view else area, "T"), where)
    out = [f'<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>{esc(title)}</title>'
           f"<style>{css}</style></head><body>"]
    if is_demo:
        out.append(f'<p class="demo">{esc(DEMO_PAGE_MARK)}. Rapporten visar hur sammanställningen ser ut, '
                   "inte verkliga resultat.</p>")
    out.append(f"<h1>{esc(title)}</h1>")
    source = cache.origin_text
    out.append(f"<p>{esc(config.meta.title)} – alla mål per utmaning. Läget per {as_of}, {esc(period_caption(config, as_of))}. "
               f"Källa: {esc(source)}.</p>")
    out.append(f'<p class="lead">{esc(headline)}</p>')
    out.append('<p class="note">Ett mål med två mått räknas som rätt håll bara om båda rör sig åt rätt håll. '
               "Status och återstående avstånd räknas som i appen (samma regler, samma data).</p>")
    out.append(_summary_table(store, area, sections, repeated_in(config, ev), ev))
    missing = missing_data_notes(cache, config)
    if missing:
        out.append('<ul class="notes missing">' + "".join(f"<li>{esc(config.goal(g).text)}: {esc(n)}</li>"
                                                        for g, n in missing.items())
                   + "</ul>")
    current = None
    for s in sections:
        if s.challenge != current:
            if current is not None:
                out.append("</div>")
            current = s.challenge
            ch = config.challenge(current)
            out.append(f'<div class="challenge"><h2>{esc(current)}</h2><p class="aim">{esc(ch.aim)}</p>')
        out.append(_section_html(store, area, s, names, is_demo, data_date, cache.source_label))
    if current is not None:
        out.append("</div>")
    out.append("</body></html>")
    return "".join(out)


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


def report_pdf(page: str) -> bytes:
    """The same HTML as a PDF, offline (WeasyPrint), with the shipped font embedded."""
    try:
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration
    except (ImportError, OSError) as exc:  # OSError: the system's Pango library is missing
        raise ReportError("PDF kan inte skapas: WeasyPrint eller systembiblioteket Pango saknas "
                          "(apt-get install libpango-1.0-0 libpangoft2-1.0-0). HTML-rapporten fungerar ändå. "
                          f"({type(exc).__name__})") from exc
    fonts = FontConfiguration()
    return HTML(string=page).write_pdf(stylesheets=[CSS(string=_pdf_fonts_css(), font_config=fonts)],
                                       font_config=fonts)


def report_stem(store, area: str, as_of: int) -> str:
    return ("DEMO-" if store.cache.is_demo else "") + file_slug(f"aktuellt-perspektiv-{as_of}-{report_area_label(store, area)}")


# ------------------------------------------------------------------ many reports at once

_WORKER_STORE = None


def _write_one(args) -> list[str]:
    area, out_dir, as_of, pdf = args
    store = _WORKER_STORE
    page = report_html(store, area, as_of)
    stem = report_stem(store, area, as_of)
    written = [_atomic_write(Path(out_dir) / f"{stem}.html", page.encode("utf-8"))]
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


def write_reports(store, areas: list[str], out_dir: Path, as_of: int | None = None, pdf: bool = True,
                  workers: int | None = None) -> list[str]:
    """Write the reports of `areas` into out_dir, in parallel processes. The goal views are
    computed once here, before the processes start, and shared with them (fork); each process
    only draws its charts and PDFs."""
    global _WORKER_STORE
    as_of = as_of or max(store.years)
    out_dir.mkdir(parents=True, exist_ok=True)
    if areas:
        goal_sections(store, areas[0], as_of)  # every goal view of the year, once
    store.overview_evaluations(as_of, None)
    _WORKER_STORE = store
    jobs = [(a, str(out_dir), as_of, pdf) for a in areas]
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    if workers <= 1 or os.name != "posix":
        return [p for job in jobs for p in _write_one(job)]
    import multiprocessing

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return [p for paths in pool.map(_write_one, jobs) for p in paths]
