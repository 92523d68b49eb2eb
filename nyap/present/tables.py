"""HTML tables for the compact goal list, the overview matrix and a municipality's profile.

Plain HTML with <caption>, <th scope> and words next to every colour, so screen readers and
projectors both get the status. All text is escaped.
"""

from __future__ import annotations

from html import escape
from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd

from nyap.rules.comparison import Rank, versus_county
from nyap.rules.evaluation_table import Evaluations
from nyap.present.formatting import GENDER_LABELS, STATUS_STYLE, age_text, fmt_number, value_year
from nyap.rules.goals import GoalsConfig
from nyap.present.prose import aim_short, county_gap_sentence, county_gap_short, remaining_phrase
from nyap.present.status import same_municipalities_note, status_label
from nyap.present.views import FocusItem, focus_items, repeated_in


def status_html(status: str, remaining=None, direction_only: bool = False, words: bool = True,
                label: str | None = None) -> str:
    symbol, _, plain = STATUS_STYLE[status]
    label = label or plain
    phrase = remaining_phrase(status, remaining, not direction_only)
    rem = f" · {phrase}" if phrase else ""
    text = f"{symbol} {label}" if words else symbol
    return f'<span class="nyap-s-{status}">{escape(text)}</span>{escape(rem)}'


def page_href(url_path: str, query: dict[str, str]) -> str:
    """A link to a page (its URL path from nyap/serving/page_registry.py) with the selection."""
    return f"{url_path}?{urlencode(query)}"


def _goal_link(label: str, page_for: dict[str, str], challenge: str, query: dict[str, str]) -> str:
    """The goal's name as a link to its challenge page; plain text if the page is missing
    (`nyap check` reports that)."""
    if challenge not in page_for:
        return escape(label)
    return f'<a href="{escape(page_href(page_for[challenge], query))}" target="_self">{escape(label)}</a>'


def swedish_sort_key(name: str) -> str:
    """Å, Ä, Ö come last in Swedish alphabetical order."""
    return name.lower().translate(str.maketrans({"å": "{", "ä": "|", "ö": "}"}))


def _age_suffix(ev: Evaluations, goal_id: str, track: str, challenge: str | None = None) -> str:
    ages = ev.age_groups(goal_id, track, challenge)
    return f" ({age_text(next(iter(ages)))})" if len(ages) == 1 else ""


COUNTY_ONLY = "Finns bara för länet"


def goal_list_html(items: list[FocusItem], ev: Evaluations, area: str, area_name: str,
                   genders: tuple[str, ...], focus: str | None, link_query: dict[str, str], region,
                   as_of: int) -> str:
    """The compact list of a challenge's goals: status and remaining distance for the chosen
    municipality and for the county, small enough to see every goal at once."""
    county_view = not region.is_municipality(area)
    cols = []
    for g in genders:
        suffix = "" if g == "T" else f" ({GENDER_LABELS[g].lower()})"
        if not county_view:
            cols.append(("area", g, f"{area_name}{suffix}"))
        cols.append(("ref", g, f"Länet{suffix}"))
    head = "".join(f'<th scope="col">{escape(label)}</th>' for _, _, label in cols)
    body = []
    for item in items:
        goal = item.goal
        cells = []
        county_only = ev.county_only(goal.id, item.track)
        for kind, g, _ in cols:
            row = ev.row(goal.id, item.track, area, g) if kind == "area" else ev.reference_row(goal.id, item.track, g)
            if row is None and kind == "area" and county_only:
                cells.append(f'<td class="nyap-note">{COUNTY_ONLY}</td>')
            elif row is None:
                cells.append(f"<td>{status_html('no_data')}</td>")
            else:
                note = same_municipalities_note(row, region.size) if kind == "ref" else ""
                note_html = f'<br><span class="nyap-note">{escape(note)}</span>' if note else ""
                cells.append(f"<td>{status_html(row['status'], row.get('remaining'), (not goal.has_target), label=status_label(row, goal))}"
                             f"{note_html}</td>")
        q = dict(link_query, mal=item.key)
        label = escape(item.label + _age_suffix(ev, goal.id, item.track))
        target = aim_short(goal, as_of)
        cls = ' class="focus"' if item.key == focus else ""
        body.append(f'<tr{cls}><th scope="row"><a href="?{urlencode(q)}" target="_self">{label}</a>'
                    f'<br><span class="nyap-note">{escape(target)}</span></th>{"".join(cells)}</tr>')
    return scroll_box(f'<table class="nyap-table"><caption>Alla mål – status och vad som återstår</caption>'
                      f'<thead><tr><th scope="col">Mål</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>',
                      "Alla mål – status och vad som återstår")


def _by_challenge(config: GoalsConfig, out: list[str], width: int):
    """Every goal measure grouped by challenge: writes each challenge's heading row into `out`
    and yields (challenge, measure)."""
    for ch in config.challenges:
        out.append(f'<tr class="challenge"><th colspan="{width}" scope="colgroup">{escape(ch.name)}</th></tr>')
        for item in focus_items(config, ch.name):
            yield ch, item


def matrix_html(config: GoalsConfig, ev: Evaluations, gender: str, link_query: dict[str, str],
                names: dict[str, str], page_for: dict[str, str]) -> str:
    """Goals × (county + its municipalities), grouped by challenge: symbol, colour and remaining."""
    munis = sorted(config.region.municipalities, key=lambda c: swedish_sort_key(names.get(c, c)))
    head = '<th scope="col">Mål</th><th scope="col" class="area">Länet</th>' + "".join(
        f'<th scope="col" class="area">{escape(names.get(c, c))}</th>' for c in munis)
    body = []
    any_matched = False
    for ch, item in _by_challenge(config, body, len(munis) + 2):
        goal, track, key = item.goal, item.track, item.key
        label = item.label + _age_suffix(ev, goal.id, track, ch.name)
        link = _goal_link(label, page_for, ch.name, dict(link_query, mal=key))
        ref = ev.reference_row(goal.id, track, gender, ch.name)

        def href(code: str) -> str | None:
            # every cell opens that area × goal on the challenge page
            page = page_for.get(ch.name)
            return None if page is None else page_href(page, dict(link_query, kommun=code, mal=key))

        county = config.meta.county
        cells = [_cell(ref, (not goal.has_target), "county", goal, href(county), "Länet",
                       same_municipalities_note(ref, config.region.size))]
        any_matched = any_matched or bool(same_municipalities_note(ref, config.region.size))
        if ev.county_only(goal.id, track, ch.name):
            cells.append(f'<td class="cell nyap-note" colspan="{len(munis)}">{COUNTY_ONLY} '
                         '(nyckeltalet redovisas bara för regioner)</td>')
        else:
            for code in munis:
                cells.append(_cell(ev.row(goal.id, track, code, gender, ch.name), (not goal.has_target), "", goal,
                                   href(code), names.get(code, code)))
        body.append(f'<tr><th scope="row">{link}<br><span class="nyap-note">{escape(goal.value_unit)}</span></th>'
                    f'{"".join(cells)}</tr>')
    caption = f"Alla mål × länet och kommunerna ({GENDER_LABELS[gender].lower()})"
    foot = ('<p class="nyap-note">* Länets medel bygger på olika kommuner basåret och senaste året: läget bedöms på '
            'de kommuner som har värden båda åren (se målets sida).</p>') if any_matched else ""
    return scroll_box(f'<table class="nyap-table nyap-matrix"><caption>{escape(caption)}</caption><thead><tr>{head}</tr>'
                      f'</thead><tbody>{"".join(body)}</tbody></table>', caption) + foot


def _cell(row, direction_only: bool, cls: str, goal=None, href: str | None = None, area: str = "",
          note: str = "") -> str:
    if row is None:
        status, rem = "no_data", None
    else:
        status, rem = row["status"], row.get("remaining")
    symbol = STATUS_STYLE[status][0]
    label = status_label(row, goal)
    phrase = remaining_phrase(status, rem, not direction_only)
    rem_text = "nått" if phrase == "målet nått" else phrase.removesuffix(" kvar")
    title = label + (f", {phrase}" if phrase and phrase != "målet nått" else "") + (f" ({note})" if note else "")
    if note:
        rem_text += "*"  # explained under the matrix
    if href:
        # a matrix has some 500 cells: the link carries the cell's words once (its label), not
        # repeated as a tooltip on the cell and the symbol (the legend above says the symbols)
        return (f'<td class="cell {cls}"><a href="{escape(href)}" target="_self" '
                f'aria-label="{escape(area + ": " + title)}"><span class="sym nyap-s-{status}">{symbol}</span>'
                f'<span class="rem">{escape(rem_text)}</span></a></td>')
    return (f'<td class="cell {cls}" title="{escape(title)}"><span class="sym nyap-s-{status}" aria-label="{escape(label)}">'
            f'{symbol}</span><span class="rem">{escape(rem_text)}</span></td>')



def legend_html() -> str:
    return '<p class="nyap-legend">' + "".join(
        f'<span class="nyap-s-{k}">{escape(sym)} {escape(label)}</span>' for k, (sym, _, label) in STATUS_STYLE.items()
    ) + '<span>Tal = återstår till målvärdet</span></p>'


def _number_or_none(row, field: str) -> float | None:
    value = None if row is None else row.get(field)
    return None if value is None or pd.isna(value) else float(value)


def county_coverage(row, total: int) -> str:
    """'medel av 6 av 16 kommuner' for a county reference that is a mean of the municipalities
    (in the row's current year), else ''."""
    n = None if row is None else row.get("county_current_n")
    return "" if n is None or pd.isna(n) else f"medel av {int(n)} av {total} kommuner"


PROFILE_ORDERS = {"goals": "Utmaning och mål", "worst": "Status – sämst först", "difference": "Mot länet – sämst först",
                  "rank": "Rank i länet – sämst först"}


@dataclass(frozen=True)
class ProfileRow:
    """One goal measure and sex of a municipality's profile, compared with the county in the same year."""

    challenge: str
    item: FocusItem
    gender: str
    own: object  # evaluation row or None
    ref: object
    county_only: bool
    difference: float | None  # own − county, both in the municipality's current year
    versus: str  # bättre | sämre | som länet | ""
    rank: Rank | None  # among the municipalities with a value that same year
    gap: float | None  # women − men (on the women's row, KM only; same year for both)

    @property
    def year(self) -> int | None:
        """The year of the municipality's value, which the difference and the rank are about."""
        return None if self.own is None else self.own.current_year


def profile_rows(config: GoalsConfig, ev: Evaluations, area: str, genders: tuple[str, ...], as_of: int,
                 order: str = "goals", statuses: frozenset[str] | None = None,
                 challenge: str | None = None) -> list[ProfileRow]:
    """The profile's rows: every goal measure (and sex) with the municipality's most recent value
    beside the county's, the direction-aware difference to the county's value of the same year and
    the rank among the municipalities with a value that year (nyap/rules/comparison.py); filtered
    by status and challenge, sorted as asked."""
    rows = []
    repeated = repeated_in(config, ev)  # a goal on several pages with identical rows: once
    for ch in config.challenges:
        if challenge and ch.name != challenge:
            continue
        for item in focus_items(config, ch.name):
            if (ch.name, item.key) in repeated and not challenge:
                continue
            goal, track = item.goal, item.track
            county_only = ev.county_only(goal.id, track, ch.name)
            for g in genders:
                own = ev.row(goal.id, track, area, g, ch.name)
                ref = ev.reference_row(goal.id, track, g, ch.name)
                diff, versus = versus_county(_number_or_none(own, "current"), _number_or_none(own, "county_current"),
                                             goal, as_of)
                gap = None
                if g == "K" and "M" in genders:
                    m_row = ev.row(goal.id, track, area, "M", ch.name)
                    k_value, m_value = _number_or_none(own, "current"), _number_or_none(m_row, "current")
                    # women − men only when both values are of the same year
                    if k_value is not None and m_value is not None and own.current_year == m_row.current_year:
                        gap = k_value - m_value
                status = "no_data" if own is None else own["status"]
                if statuses and status not in statuses:
                    continue
                rows.append(ProfileRow(ch.name, item, g, own, ref, county_only, diff, versus, Rank.of(own), gap))
    if order == "worst":
        worst = ("wrong_way", "unchanged", "break", "at_limit", "right_way", "reached", "no_data")
        rows.sort(key=lambda r: worst.index("no_data" if r.own is None else r.own["status"]))
    elif order == "difference":
        rows.sort(key=lambda r: (r.difference is None, {"sämre": 0, "som länet": 1, "bättre": 2}.get(r.versus, 3),
                                 -abs(r.difference or 0)))
    elif order == "rank":
        rows.sort(key=lambda r: (r.rank is None, -(r.rank.rank / r.rank.n) if r.rank else 0))
    return rows


def versus_text(r: ProfileRow, county_year: int | None) -> str:
    """'−2,1 (sämre)', with the year when it is not the county's latest; why there is none."""
    if r.difference is not None:
        year = f", {r.year}" if r.year is not None and r.year != county_year else ""
        return f"{fmt_number(r.difference)} ({r.versus}{year})"
    if r.own is not None and r.own.current is not None and r.year is not None:
        return f"Länet saknar värde {r.year}"
    return "–"


def profile_html(config: GoalsConfig, ev: Evaluations, area: str, area_name: str, genders: tuple[str, ...],
                 link_query: dict[str, str], page_for: dict[str, str], as_of: int, order: str = "goals",
                 statuses: frozenset[str] | None = None, challenge: str | None = None,
                 trends: dict | None = None, closing: dict | None = None) -> str:
    """A municipality's profile: every goal with its latest value beside the county's, the
    difference (better or worse, by the goal's direction) to the county in the same year, the rank
    among the municipalities with a value that year, and both statuses. With women and men: both
    rows and their difference."""
    km = len(genders) > 1
    total = config.region.size
    rows_out = []
    current = None
    width = 7 + (1 if km else 0)
    for r in profile_rows(config, ev, area, genders, as_of, order, statuses, challenge):
        if order == "goals" and r.challenge != current:
            current = r.challenge
            rows_out.append(f'<tr class="challenge"><th colspan="{width}" scope="colgroup">{escape(current)}</th></tr>')
        goal, key = r.item.goal, r.item.key
        unit = goal.value_unit
        label = r.item.label + _age_suffix(ev, goal.id, r.item.track, r.challenge)
        if order != "goals":
            label = f"{label} ({r.challenge})"
        link = _goal_link(label, page_for, r.challenge, dict(link_query, mal=key, kommun=area))
        who = f' <span class="nyap-note">– {escape(GENDER_LABELS[r.gender].lower())}</span>' if km else ""
        if r.county_only:
            own_status = f'<span class="nyap-note">{COUNTY_ONLY}</span>'
        elif r.own is None:
            own_status = status_html("no_data")
        else:
            own_status = status_html(r.own["status"], r.own.get("remaining"), (not goal.has_target),
                                     label=status_label(r.own, goal))
        ref_status = (status_html(r.ref["status"], r.ref.get("remaining"), (not goal.has_target),
                                  label=status_label(r.ref, goal)) if r.ref is not None else status_html("no_data"))
        county_year = None if r.ref is None else r.ref.current_year
        diff = versus_text(r, county_year)
        cls = {"bättre": "nyap-s-right_way", "sämre": "nyap-s-wrong_way"}.get(r.versus, "")
        # "närmar vi oss länet?" over the goal period, with the whole sentence on hover and for print
        gap = (closing or {}).get((r.challenge, key, r.gender))
        # "ahead" (better than the county now) is what the difference above says already
        short = county_gap_short(gap) if gap is not None and gap.verdict != "ahead" else ""
        over_time = ""
        if short:
            sentence = county_gap_sentence(gap, area_name, goal)
            over_time = f'<span class="nyap-note nyap-closing" title="{escape(sentence)}">{escape(short)}</span>'
        gap_cell = ""
        if km:
            gap_cell = f'<td class="num">{escape(fmt_number(r.gap)) if r.gap is not None else ""}</td>'
        spark = (trends or {}).get((r.challenge, key, r.gender))
        trend = (f'<br><img class="nyap-spark" src="{spark[0]}" alt="{escape(spark[1])}" width="84" height="22">'
                 if spark else "")
        coverage = county_coverage(r.ref, total)
        # short in the narrow column ("medel av 6 av 16 kommuner" in words for screen readers)
        short = coverage.removeprefix("medel av ").removesuffix(" kommuner")
        coverage_html = (f'<br><span class="nyap-note" title="{escape(coverage)}" aria-label="{escape(coverage)}">'
                         f'medel {escape(short)}</span>' if coverage else "")
        rank_text = "–"
        if r.rank:
            rank_text = r.rank.text + (f" ({r.rank.year})" if r.rank.year is not None and r.rank.year != as_of else "")
        rows_out.append(
            f'<tr><th scope="row">{link}{who}<br><span class="nyap-note">{escape(unit)}</span></th>'
            f'<td class="num">{escape(value_year(r.own, "current"))}{trend}</td>'
            f'<td class="num">{escape(value_year(r.ref, "current"))}{coverage_html}</td>'
            f'<td class="num"><span class="{cls}">{escape(diff)}</span>{over_time}</td>'
            f'<td class="num">{escape(rank_text)}</td>{gap_cell}'
            f'<td class="status">{own_status}</td><td class="status">{ref_status}</td></tr>')
    if not rows_out:
        rows_out.append(f'<tr><td colspan="{width}">Inga mål med det valda läget.</td></tr>')
    head = ("<th scope='col'>Mål</th>"
            f"<th scope='col'>{escape(area_name)} (år)</th><th scope='col'>Länet (år)</th>"
            "<th scope='col'>Mot länet samma år</th><th scope='col'>Rank i länet samma år</th>"
            + ("<th scope='col'>Kvinnor − män</th>" if km else "")
            + f"<th scope='col'>{escape(area_name)}: läge</th><th scope='col'>Länet: läge</th>")
    caption = f"{area_name} jämfört med länet ({GENDER_LABELS['KM' if km else genders[0]].lower()})"
    return scroll_box(f'<table class="nyap-table nyap-profile"><caption>{escape(caption)}</caption><thead><tr>{head}</tr>'
                      f'</thead><tbody>{"".join(rows_out)}</tbody></table>', caption)


def frame_html(frame: pd.DataFrame, caption: str, css_class: str = "") -> str:
    """A plain, readable HTML table (wraps long text, unlike a grid widget)."""
    head = "".join(f'<th scope="col">{escape(str(c))}</th>' for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(_cell_text(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False))
    return scroll_box(f'<table class="nyap-table {css_class}"><caption>{escape(caption)}</caption><thead><tr>{head}</tr>'
                      f'</thead><tbody>{body}</tbody></table>', caption)


def overview_frame(config: GoalsConfig, ev: Evaluations, gender: str, names: dict[str, str],
                   areas: tuple[str, ...] | None = None, as_of: int | None = None) -> pd.DataFrame:
    """The overview matrix or a municipality's profile as data (CSV/Excel): one row per goal
    measure and area, numbers as numbers (rounded once, here). `areas` = None: the county and all
    its municipalities. The difference and the rank are of the area's own most recent year."""
    county = config.meta.county
    total = config.region.size
    munis = tuple(config.region.municipalities)
    areas = areas or (county, *munis)
    rows = []
    repeated = repeated_in(config, ev)  # identical rows of a goal on several pages: once
    for ch in config.challenges:
        for item in focus_items(config, ch.name):
            if (ch.name, item.key) in repeated:
                continue
            goal = item.goal
            for code in areas:
                is_county = code == county
                row = (ev.reference_row(goal.id, item.track, gender, ch.name) if is_county
                       else ev.row(goal.id, item.track, code, gender, ch.name))

                def num(key):
                    value = _number_or_none(row, key)
                    return None if value is None else round(value, 2)

                diff, versus = (None, "")
                if not is_county and as_of:
                    diff, versus = versus_county(_number_or_none(row, "current"), _number_or_none(row, "county_current"),
                                                 goal, as_of)
                rank = None if is_county else Rank.of(row)
                coverage = county_coverage(row, total) if is_county else ""
                if is_county and row is not None and row.get("matched") is True and not pd.isna(row.get("matched_n_areas")):
                    coverage += (f"; status bedömd på samma {int(row['matched_n_areas'])} kommuner "
                                 f"{_int_text(row.get('baseline_year'))} och {_int_text(row.get('latest_year'))}")
                rows.append({
                    "Utmaning": ch.name, "Mål": item.label, "Mål-id": item.key, "Enhet": goal.value_unit,
                    "Kod": code, "Område": "Länet" if is_county else names.get(code, code),
                    "Kön": GENDER_LABELS[gender],
                    "Basår": num("baseline_year"), "Basvärde": num("baseline"),
                    # the value the status is judged on; else the most recent one (no baseline)
                    "Senaste år": num("latest_year") if num("latest") is not None else num("current_year"),
                    "Senaste värde": num("latest") if num("latest") is not None else num("current"),
                    "Målvärde": num("target"), "Återstår": num("remaining"),
                    "Status": status_label(row, goal) if row is not None else status_label(None),
                    "Länets täckning": coverage or None,
                    "Skillnad mot länet samma år": None if diff is None else round(diff, 2), "Jämfört med länet": versus,
                    "Rank bland kommunerna samma år": rank.rank if rank else None,
                    "Antal kommuner med värde samma år": rank.n if rank else None,
                })
    out = pd.DataFrame(rows)
    for col in ("Basår", "Senaste år", "Rank bland kommunerna samma år", "Antal kommuner med värde samma år"):
        out[col] = out[col].astype("Int64")
    return out


def _int_text(value) -> str:
    return "" if value is None or pd.isna(value) else str(int(value))


def _cell_text(value) -> str:
    """A table cell the Swedish way: decimal numbers with a comma (the CSV keeps them numeric)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    if isinstance(value, float):
        return fmt_number(value, 2)
    return str(value)


def scroll_box(table: str, label: str) -> str:
    """A table wider than its column (the matrix on a laptop, any table on a phone) scrolls
    inside its own box instead of widening or cutting the page; the box takes keyboard focus so
    it can be scrolled without a mouse."""
    return (f'<div class="nyap-scroll" role="region" tabindex="0" aria-label="{escape(label)}">'
            f'{table}</div>')


def distances_html(rows, area_name: str, county_label: str, goal, names: dict[str, str]) -> str:
    """The municipality's distance to the county and to the county's best municipality, year by
    year (nyap/rules/comparison.distances_by_year): every value of the same year, a missing value
    shown as '–' (a gap in the series), better/worse by the goal's direction."""
    unit = goal.value_unit

    def versus(d: float | None, who: str) -> str:
        if d is None:
            return "–"
        if round(d, 1) == 0:
            return f"som {who}"
        return f"{fmt_number(abs(d))} {'bättre' if d * goal.sign > 0 else 'sämre'}"

    body = []
    for r in reversed(rows):  # the latest year first: the question is about now
        best = "–" if r.best is None else f"{names.get(r.best_area, r.best_area)} {fmt_number(r.best)}"
        to_best = "–" if r.to_best is None else ("bäst i länet" if round(r.to_best, 1) == 0 else
                                                  f"{fmt_number(abs(r.to_best))} efter")
        body.append(f'<tr><th scope="row">{r.year}</th><td class="num">{escape(fmt_number(r.own))}</td>'
                    f'<td class="num">{escape(fmt_number(r.county))}</td>'
                    f'<td class="num">{escape(versus(r.to_county, "länet"))}</td>'
                    f'<td>{escape(best)}</td><td class="num">{escape(to_best)}</td></tr>')
    caption = f"{area_name} mot länet och länets bästa kommun per år ({unit})"
    head = ("<th scope='col'>År</th>" f"<th scope='col'>{escape(area_name)}</th>"
            f"<th scope='col'>{escape(county_label)}</th><th scope='col'>Mot länet</th>"
            "<th scope='col'>Bästa kommunen samma år</th><th scope='col'>Mot den bästa</th>")
    return scroll_box(f'<table class="nyap-table nyap-distances"><caption>{escape(caption)}</caption>'
                      f'<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>', caption)
