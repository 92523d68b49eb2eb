"""Altair charts for one goal measure. Each builder returns (chart, data table, text alternative).

Every chart carries the Swedish d3 locale inside its spec, a Swedish title, axis titles with units,
a source line (with the demo notice when demo data is shown), large fonts and thick lines for the
projector, and colours that pass 3:1 contrast against white.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import altair as alt
import numpy as np
import pandas as pd

from nyap.present.formatting import (
    NBSP, CONTEXT_COLOUR, COUNTRY_COLOUR, COUNTY_COLOUR, D3_LOCALE, GENDER_COLOURS, GENDER_LABELS, HIGHLIGHT,
    STATUS_STYLE, SUPPRESSED_MARK, fmt_number, fmt_value,
)
from nyap.present.fonts import CHART_FONT
from nyap.rules.goal_arithmetic import COMPUTED_MEAN_CODE, usable
from nyap.present.prose import UNKNOWN_UNCERTAINTY, join_names, remaining_phrase, tied_at, value_year
from nyap.present.status import coverage_text, coverage_warning, status_label
from nyap.present.views import GoalView, latest_values_for_year

FONT = CHART_FONT  # shipped with the project (nyap/present/fonts.py)
OTHER_BAR = "#6f7b88"  # other municipalities' bars: 4.2:1 against white
DEMO_LABEL = "DEMODATA – påhittade värden"
FOCUS_BAND = "#eef4fb"  # the chosen row, the same shade as in the tables
GAP_ROW_SHIFT = 9  # goal-gap rows: the dumbbell sits below the row's status line


def _chosen_label_style(names: list[str]) -> dict:
    """Axis label weight and colour that mark the chosen area (the chosen-name parameter) and the
    compared municipalities (`names`, quoted as JSON): a Vega expression, for the y axes of the
    bars and the goal-gap chart."""
    test = " || ".join([CHOSEN_LABEL_TEST, *(f"datum.value === {json.dumps(n)}" for n in names)])
    return {"labelFontWeight": alt.expr(f"({test}) ? 'bold' : 'normal'"),
            "labelColor": alt.expr(f"({test}) ? '{HIGHLIGHT}' : '#222222'")}


# the municipalities a user compares (up to five), told apart from the chosen one (blue), the county
# (brown) and the nation (grey): Okabe–Ito colours, distinguishable with the common colour blindnesses
COMPARE_COLOURS = ("#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
COMPARE_BAR = "#4a90c8"  # compared municipalities' bars: lighter than the chosen one's


@dataclass(frozen=True)
class ChartResult:
    layout: dict  # the Vega-Lite specification without its rows (they are in `data`)
    data: dict[str, pd.DataFrame]  # the named datasets, only the columns the chart uses
    table: pd.DataFrame  # the data behind the chart, Swedish column names, suppressed as ".."
    alt_text: str
    # what a renderer prepared once (e.g. the UI's Arrow-encoded datasets), kept with the shared
    # result so that every rerun and session reuses it
    prepared: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def spec(self) -> dict:
        """The complete specification with its rows in top-level "datasets" (exports, tests).
        Built on demand: rows as JSON records take several times the memory of the frames."""
        spec = dict(self.layout)
        spec["datasets"] = {name: json.loads(frame.to_json(orient="records")) for name, frame in self.data.items()}
        return spec


class _Datasets:
    """The frames a chart draws, handed to Altair by name only.

    Altair copies and validates every layer with its rows when it builds a layered chart; with a
    name instead of the rows, building the three charts of a goal takes a fraction of the time
    (scripts/benchmark.py). The rows are added once, at the end, with only the columns the chart
    uses, so the browser receives no more than it draws.
    """

    def __init__(self):
        self.frames: dict[str, pd.DataFrame] = {}
        self._names: dict[int, str] = {}

    def __call__(self, frame: pd.DataFrame) -> alt.NamedData:
        name = self._names.get(id(frame))
        if name is None:
            # not "data_0…": Vega-Lite names its own data sources that way
            name = self._names[id(frame)] = f"nyap_{len(self.frames)}"
            self.frames[name] = frame
        return alt.NamedData(name=name)

    def used(self, spec: dict) -> dict[str, pd.DataFrame]:
        """Each dataset with only the columns the specification refers to."""
        text = json.dumps(spec)
        used = set(re.findall(r'"field":\s*"([^"]+)"', text)) | set(re.findall(r"datum\.(\w+)", text))
        return {name: frame[[c for c in frame.columns if c in used]].reset_index(drop=True)
                for name, frame in self.frames.items()}


@functools.cache
def _config() -> dict:
    """The chart configuration every chart shares (locale, fonts, projector sizes), built once:
    configuring each Altair chart copied the whole layered chart five times."""
    chart = (
        alt.Chart().mark_point()
        .configure(locale=D3_LOCALE, font=FONT)
        .configure_axis(labelFontSize=16, titleFontSize=16, labelColor="#222222", titleColor="#222222",
                        gridColor="#e3e6ea", domainColor="#555555", tickColor="#555555", labelLimit=260)
        .configure_legend(labelFontSize=16, titleFontSize=16, symbolStrokeWidth=4, symbolSize=220,
                          orient="bottom", direction="horizontal", columns=3, labelLimit=400)
        .configure_view(strokeWidth=0)
        .configure_text(font=FONT)
    )
    return chart.to_dict()["config"]


def finish(chart, ds: _Datasets, title: str | list[str], source: str, is_demo: bool,
           notes: list[str] | None = None) -> tuple[dict, dict[str, pd.DataFrame]]:
    """Title, source line and reading notes (as subtitle, so exported images carry them), locale,
    projector styling; returns the finished specification and its datasets.

    Validation against the Vega-Lite schema happens in the tests (tests/test_store.py validates
    every chart of every goal), not on every build: it was a third of a chart's build time."""
    first = source if not is_demo or source.startswith("DEMO") else DEMO_LABEL + ". " + source
    subtitle = _subtitle(first, notes)
    spec = chart.to_dict(validate=False)
    # the same heading and notes unwrapped, for a page that sets them as text that wraps at any
    # width (nyap/ui/components.py); Vega-Lite carries "usermeta" without drawing it
    lines = [title] if isinstance(title, str) else list(title)
    spec["usermeta"] = {"heading": [" ".join(lines[:-1]), lines[-1]] if len(lines) > 1 else lines,
                        "notes": [first, *(notes or [])], "demo": bool(is_demo)}
    spec["title"] = alt.TitleParams(
        text=title, subtitle=subtitle, anchor="start", fontSize=22, subtitleFontSize=15,
        subtitleColor="#b3261e" if is_demo else "#333333", font=FONT, subtitleFont=FONT, offset=12).to_dict()
    spec["config"] = copy.deepcopy(_config())
    return spec, ds.used(spec)


def _subtitle(first: str, notes: list[str] | None) -> list[str]:
    subtitle = wrap(first, 110)
    for note in notes or []:
        subtitle += wrap(note, 110)
    return subtitle


# A chart drawn for every municipality at once (the bars, the goal gap, the map) marks the chosen
# one with these parameters: a click on another municipality sets two values instead of building
# the chart again (the rows, marks and Arrow bytes are shared by every municipality's version).
CHOSEN_PARAM = "nyap_chosen"  # the chosen row's area code
CHOSEN_NAME_PARAM = "nyap_chosen_name"  # its label on the y axis
# an axis label is the chosen row's: its name, or its name with a sex ("Kil – kvinnor")
CHOSEN_LABEL_TEST = (f"(datum.value === {CHOSEN_NAME_PARAM} || "
                     f"indexof(datum.value, {CHOSEN_NAME_PARAM} + ' – ') === 0)")


def _chosen_params(layout: dict) -> None:
    layout["params"] = [{"name": CHOSEN_PARAM, "value": ""}, {"name": CHOSEN_NAME_PARAM, "value": ""}]


def for_area(result: ChartResult | None, code: str, name: str = "", notes: list[str] | None = None) -> ChartResult | None:
    """One municipality's version of a chart drawn for all of them: the same marks and rows, the
    chosen-area parameters set (and, where given, the notes that name the area)."""
    if result is None:
        return None
    layout = dict(result.layout)
    values = {CHOSEN_PARAM: code, CHOSEN_NAME_PARAM: name}
    layout["params"] = [{**p, "value": values[p["name"]]} if p.get("name") in values else p
                        for p in layout.get("params", [])]
    if notes is not None:
        meta = dict(layout.get("usermeta", {}))
        first = meta.get("notes", [""])[0]
        meta["notes"] = [first, *notes]
        layout["usermeta"] = meta
        layout["title"] = {**layout["title"], "subtitle": _subtitle(first, notes)}
    # the Arrow bytes and the table's HTML are the same for every municipality: prepared once
    shared = result.prepared.setdefault("shared", {})
    return ChartResult(layout, result.data, result.table, result.alt_text, prepared={"shared": shared})


def _per_view(view: GoalView, key: tuple, build: Callable[[], ChartResult | None], keep: int = 12):
    """A chart for every municipality, kept with its goal view (bounded: the compared sets vary)."""
    memo = view.prepared.setdefault("charts", OrderedDict())
    if key in memo:
        memo.move_to_end(key)
        return memo[key]
    value = memo[key] = build()
    while len(memo) > keep:
        memo.popitem(last=False)
    return value


def _unit_title(view: GoalView) -> str:
    goal = view.goal
    if goal.measure:
        return f"{goal.measure} ({goal.value_unit})"
    return goal.value_unit if goal.value_unit != "%" else "Andel (%)"


def wrap(text: str, width: int = 72) -> list[str]:
    """Long goal texts become several title lines instead of being cut."""
    import textwrap

    return textwrap.wrap(text, width) or [text]


def _count_text(n: int, one: str, many: str) -> str:
    """'1 värde saknas. ' / '3 värden saknas. ' / '' for none."""
    return "" if n == 0 else f"{n} {one if n == 1 else many}. "


def _scope(area_name: str, genders: tuple[str, ...], view: GoalView) -> str:
    parts = [area_name]
    if view.age_label:
        parts.append(view.age_label)
    if len(genders) > 1:
        parts.append("kvinnor och män")
    elif genders != ("T",):
        parts.append(GENDER_LABELS[genders[0]].lower())
    return ", ".join(parts)


def _names(area_names: dict[str, str], code: str) -> str:
    return area_names.get(code, code)


def _value_fmt(view: GoalView) -> str:
    return ",.0f" if view.goal.unit == "per_100000" and view.values["value"].abs().max() > 1000 else ",.1f"


# Encodings are written as channel objects (alt.X(...), alt.ColorValue(...)), never as shorthand
# strings or plain dicts: Altair turns each of those into a channel by re-hashing its whole schema
# (about 4 ms each, most of a chart's build time; scripts/benchmark.py).

# --------------------------------------------------------------------------- (a) over time

def trend_chart(view: GoalView, area: str, genders: tuple[str, ...], area_names: dict[str, str],
                source: str, is_demo: bool, compact: bool = False, compare: tuple[str, ...] = ()) -> ChartResult | None:
    """The goal measure over time: the area, the county and the nation, the other municipalities
    as thin grey context lines, the baseline year, series breaks and the target. `compact`: the
    printed report's version (the area against the county and the nation only, a third as tall).
    `compare`: up to five other municipalities drawn in their own colours and named (not with
    women and men side by side, where colour already means sex)."""
    ds = _Datasets()
    goal = view.goal
    # Nothing after the as-of year is shown. A missing or suppressed value (NaN, never a number)
    # stays in the line data so that the line breaks there instead of joining the years around
    # it (missing is missing); points and intervals are drawn only where there is a value.
    ok, by_area = _shown_rows(view)
    none = ok.iloc[:0]
    ref_code = view.reference_code
    ref = view.reference
    ref = ref[ref["year"] <= view.as_of] if not ref.empty else ref
    ref_label = view.short_reference_label  # the source line says what an own mean is
    # L-type measures have no municipality values: the county is the main line
    county_view = not view.region.is_municipality(area) or not view.has_municipalities
    main_name = ref_label if county_view else _names(area_names, area)
    km = len(genders) > 1

    def lines_for(frame, role, name):
        f = frame[frame["gender"].isin(genders)]
        return f.assign(role=role, name=name, gender_label=f["gender"].map(GENDER_LABELS))

    compare = tuple(c for c in compare if c != area and view.region.is_municipality(c))[:len(COMPARE_COLOURS)] \
        if not km and view.has_municipalities else ()
    parts = []
    if not county_view:
        parts.append(lines_for(by_area.get(area, none), "area", main_name))
    for c in compare:
        parts.append(lines_for(by_area.get(c, none), f"cmp{c}", _names(area_names, c)))
    parts.append(lines_for(ref[ref["area_code"] == ref_code] if not ref.empty else ref, "ref", ref_label))
    parts.append(lines_for(by_area.get(view.region.country, none), "country", view.region.country_name))
    main = pd.concat([p for p in parts if not p.empty], ignore_index=True) if any(not p.empty for p in parts) else pd.DataFrame()
    published = publication_years(view)
    if compact:
        others = ok.iloc[:0]
    else:
        # every municipality's context line with its gaps, once per view and sexes; the chosen and
        # the compared municipalities are then only left out
        others = _context_lines(view, ok, genders, area_names, published)
        others = others[~others["area_code"].isin([area, *compare])]
    main = with_gaps(main, published, ["role", "gender"])
    if km and view.has_ci and not main.empty:
        # women's and men's intervals side by side, not stacked on one x (and the county's beside
        # the municipality's); the tooltip keeps the true year
        shift = {("area", "K"): -0.15, ("ref", "K"): -0.05, ("country", "K"): -0.05,
                 ("area", "M"): 0.05, ("ref", "M"): 0.15, ("country", "M"): 0.15}
        main = main.assign(x=main["year"] + [shift.get((r, g), 0.0) for r, g in zip(main["role"], main["gender"])])
    elif not main.empty:
        main = main.assign(x=main["year"].astype(float))

    if not _has_values(main) and not _has_values(others):
        return None  # the page says there is nothing to show; no empty axes
    fmt = _value_fmt(view)
    x_axis = alt.Axis(format="d", tickMinStep=1, labelOverlap=True)
    # the baseline year is always inside the axis, so its marker never sits outside the plot
    x_scale = alt.Scale(domain=[min(int(view.values["year"].min()) if not view.values.empty else view.as_of - 5,
                                    goal.period_for(view.as_of).baseline_year) - 0.4,
                                max(view.as_of, goal.period_for(view.as_of).target_year) + 0.4], nice=False)
    x = alt.X("year:Q", title="År", axis=x_axis, scale=x_scale)
    y_title = _unit_title(view)
    layers = []
    if _has_values(others) and not km:
        layers.append(alt.Chart(ds(others)).mark_line(strokeWidth=1.5, color=CONTEXT_COLOUR, opacity=0.9,
                                                      invalid="break-paths-show-domains").encode(
            x=x, y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
            detail=alt.Detail(["area_code:N", "series_id:N"]),
            tooltip=[alt.Tooltip("name:N", title="Kommun"), alt.Tooltip("year:Q", title="År", format="d"),
                     alt.Tooltip("value:Q", title="Värde", format=fmt)]))
    if not main.empty:
        drawn = set(usable(main)["name"])  # a legend lists only what has a line
        country = view.region.country_name
        # legends in narrow columns: three names side by side do not fit a phone's 358 px
        if km:
            colour = alt.Color("gender_label:N", title="Kön", scale=alt.Scale(
                domain=[GENDER_LABELS[g] for g in genders], range=[GENDER_COLOURS[g] for g in genders]),
                legend=alt.Legend(columns=1))
            pairs = [(n, d) for n, d in zip([None if county_view else main_name, ref_label, country],
                                            [[1, 0], [8, 4], [2, 3]]) if n and n in drawn]
            dash = alt.StrokeDash("name:N", title=None, scale=alt.Scale(
                domain=[n for n, _ in pairs], range=[d for _, d in pairs]), legend=alt.Legend(columns=1))
        else:
            compared = [_names(area_names, c) for c in compare]
            all_names = [n for n in [None if county_view else main_name, *compared, ref_label, country] if n]
            all_colours = ([] if county_view else [HIGHLIGHT]) + list(COMPARE_COLOURS[:len(compared)]) + [
                COUNTY_COLOUR, COUNTRY_COLOUR]
            all_dashes = ([[1, 0]] if not county_view else []) + [[1, 0]] * len(compared) + [[8, 4], [2, 3]]
            keep = [i for i, n in enumerate(all_names) if n in drawn]  # no legend entry without a line
            domain = [all_names[i] for i in keep]
            rng = [all_colours[i] for i in keep]
            colour = alt.Color("name:N", title=None, scale=alt.Scale(domain=domain, range=rng),
                               legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=5, symbolSize=400, columns=2))
            dash = alt.StrokeDash("name:N", title=None, scale=alt.Scale(
                domain=domain, range=[all_dashes[i] for i in keep]))
        width = alt.StrokeWidthValue(3, condition={"test": f"datum.role === '{'ref' if county_view else 'area'}'",
                                                   "value": 5})
        tooltip = [alt.Tooltip("name:N", title="Område"), alt.Tooltip("gender_label:N", title="Kön"),
                   alt.Tooltip("year:Q", title="År", format="d"), alt.Tooltip("period:N", title="Period"),
                   alt.Tooltip("value:Q", title=f"Värde ({goal.value_unit})", format=fmt)]
        if view.has_ci:
            tooltip += [alt.Tooltip("ci_low:Q", title="KI nedre", format=fmt),
                        alt.Tooltip("ci_high:Q", title="KI övre", format=fmt),
                        alt.Tooltip("n:Q", title="Antal svar", format=",.0f")]
        if view.reference_kind == "mean" and "n_municipalities" in main:
            tooltip.append(alt.Tooltip("n_municipalities:Q", title="Kommuner i länets medel", format="d"))
        base = alt.Chart(ds(main)).encode(x=alt.X("x:Q", title="År", axis=x_axis, scale=x_scale),
                                          y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)), color=colour)
        layers.append(base.mark_line(invalid="break-paths-show-domains").encode(
            strokeDash=dash, strokeWidth=width, detail=alt.Detail(["role:N", "series_id:N", "gender:N"])))
        layers.append(base.mark_point(filled=True, size=90).encode(tooltip=tooltip))
        if compare:
            # each compared municipality named at the end of its line, in its colour
            ends = usable(main[main["role"].str.startswith("cmp")]).sort_values("year").groupby("role").tail(1)
            if not ends.empty:
                layers.append(alt.Chart(ds(ends.reset_index(drop=True))).mark_text(
                    align="left", dx=9, fontSize=15, fontWeight="bold", stroke="white", strokeWidth=4,
                    strokeJoin="round").encode(x=alt.X("x:Q", scale=x_scale), y=alt.Y("value:Q"), text="name:N"))
                layers.append(alt.Chart(ds(ends.reset_index(drop=True))).mark_text(
                    align="left", dx=9, fontSize=15, fontWeight="bold").encode(
                    x=alt.X("x:Q", scale=x_scale), y=alt.Y("value:Q"), text="name:N", color=colour))
        if view.has_ci:
            layers.append(base.mark_rule(strokeWidth=3).encode(y=alt.Y("ci_low:Q"), y2=alt.Y2("ci_high:Q"), tooltip=tooltip))

    period = goal.period_for(view.as_of)
    marks = pd.DataFrame([{"year": period.baseline_year, "label": f"Basår {period.baseline_year}"}])
    layers.append(alt.Chart(ds(marks)).mark_rule(strokeDash=[4, 4], color="#555555", strokeWidth=2).encode(x=alt.X("year:Q")))
    layers.append(alt.Chart(ds(marks)).mark_text(align="left", dx=5, dy=-8, fontSize=15, color="#333333", baseline="top")
                  .encode(x=alt.X("year:Q"), y=alt.YValue(0), text=alt.Text("label:N")))
    breaks = view.series_breaks
    if breaks:
        bdf = pd.DataFrame({"year": [b - 0.5 for b in breaks], "label": ["Seriebrott"] * len(breaks)})
        layers.append(alt.Chart(ds(bdf)).mark_rule(color="#8a3ffc", strokeWidth=2, strokeDash=[2, 2]).encode(x=alt.X("year:Q")))
        # y from the plot's own height: a fixed pixel position outside the plot makes Streamlit's
        # "fit" layout shrink the whole chart
        layers.append(alt.Chart(ds(bdf)).mark_text(align="left", dx=4, fontSize=15, color="#5a1fb3", baseline="bottom",
                                               y=alt.expr("height - 4"))
                      .encode(x=alt.X("year:Q"), text=alt.Text("label:N")))
    target_rows = []
    if goal.has_target:
        for g in genders:
            ev = view.evaluation(ref_code if county_view else area, g)
            # no diamond for a share already at 100 %: its "target" is the baseline, not a goal
            if ev and ev.get("target") is not None and not pd.isna(ev["target"]) and ev["status"] not in ("break", "at_limit"):
                target_rows.append({"year": period.target_year, "value": float(ev["target"]),
                                    "label": f"Mål {fmt_number(ev['target'])}" + (f" ({GENDER_LABELS[g].lower()})" if km else ""),
                                    "gender": g})
    if target_rows:
        tdf = pd.DataFrame(target_rows)
        layers.append(alt.Chart(ds(tdf)).mark_point(shape="diamond", size=260, filled=True, color="#111111").encode(
            x=alt.X("year:Q"), y=alt.Y("value:Q"),
            tooltip=[alt.Tooltip("label:N", title="Målvärde"), alt.Tooltip("year:Q", title="Målår", format="d")]))
        # the label sits above the diamond (the lower of two targets: below it), right-aligned to
        # it: never on a line, which ends at the latest year, left of the target year
        tdf["dy"] = np.where((len(tdf) > 1) & (tdf["value"] < tdf["value"].max()), 24, -22)
        for dy, rows_ in tdf.groupby("dy"):
            layers.append(alt.Chart(ds(rows_.reset_index(drop=True))).mark_text(
                align="right", dx=8, dy=int(dy), fontSize=16, fontWeight="bold", color="#111111")
                .encode(x=alt.X("year:Q"), y=alt.Y("value:Q"), text=alt.Text("label:N")))

    # the years drawn, in the title: an exported image travels without the page's year filter
    drawn_years = sorted((set(usable(main)["year"].astype(int)) if not main.empty else set())
                         | (set(usable(others)["year"].astype(int)) if not others.empty else set()))
    span = "" if not drawn_years else f" {drawn_years[0]}" + (
        f"–{drawn_years[-1]}" if drawn_years[-1] != drawn_years[0] else "")
    title = wrap(view.item.label) + [_scope(main_name, genders, view) + " – över tid" + span]
    notes = []
    if _has_values(others) and not km:
        notes.append("Tunna grå linjer: övriga kommuner. Svart romb: målvärdet.")
    coverage = view.reference_coverage()
    if coverage and len(set(coverage.values())) > 1:
        shown_years = sorted(y for y in coverage if y <= view.as_of)
        if shown_years:
            notes.append(f"{ref_label}: medel av {coverage[shown_years[0]]} av {view.region.size} kommuner "
                         f"{shown_years[0]}, {coverage[shown_years[-1]]} av {view.region.size} {shown_years[-1]} – "
                         "inte samma kommuner över tid.")
    if not county_view and any(view.only_suppressed(area, g) for g in genders):
        notes.append(f"{main_name}: för få svar – värdena visas inte (..).")
    # sizes given to the layer itself: .properties() copies and validates the whole layered chart
    chart = alt.layer(*layers, height=180 if compact else 520, width="container")
    # the printed report has no download of the rows behind its small charts
    table = pd.DataFrame() if compact else _trend_table(view, area, genders, area_names, county_view)
    alt_text = describe_trend(view, area, genders, area_names, county_view)
    return ChartResult(*finish(chart, ds, title, source, is_demo, notes), table, alt_text)


def _shown_rows(view: GoalView) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The view's rows up to its as-of year, all and per area code: prepared once per view, so a
    click on another municipality looks its line up instead of filtering every row again."""
    if "shown" not in view.prepared:
        ok = view.values[view.values["year"] <= view.as_of]
        view.prepared["shown"] = (ok, {str(a): part for a, part in ok.groupby("area_code", sort=False, observed=True)})
    return view.prepared["shown"]


def publication_years(view: GoalView) -> dict[str, list[int]]:
    """The years each series was published, for any area (a row with or without a value): a
    year the series has elsewhere but a line lacks is a gap in that line; a year no area has
    (between two survey rounds, say) is not a gap."""
    if "published" not in view.prepared:
        v = view.values
        view.prepared["published"] = {str(s): sorted(int(y) for y in years)
                                      for s, years in v.groupby("series_id")["year"].unique().items()}
    return view.prepared["published"]


def _context_lines(view: GoalView, ok: pd.DataFrame, genders: tuple[str, ...], area_names: dict[str, str],
                   published: dict[str, list[int]]) -> pd.DataFrame:
    """Every municipality's line (the thin grey context), with its gaps, for these sexes."""
    key = ("context", genders, tuple(sorted(area_names.items())))
    if key not in view.prepared:
        rows = ok[ok["area_code"].isin(list(view.region.municipalities)) & ok["gender"].isin(genders)]
        rows = rows.assign(name=rows["area_code"].map(lambda c: _names(area_names, c)))
        view.prepared[key] = with_gaps(rows, published, ["area_code", "gender"])
    return view.prepared[key]


def with_gaps(frame: pd.DataFrame, published: dict[str, list[int]], keys: list[str]) -> pd.DataFrame:
    """Each line with an empty (NaN) row for every publication year it lacks between its first
    and last year, so that Vega breaks the line there (missing is missing, never joined)."""
    if frame.empty:
        return frame
    have = usable(frame)
    extra = []
    for group, rows in have.groupby([*keys, "series_id"], sort=False):
        series = group[-1]
        first, last = int(rows["year"].min()), int(rows["year"].max())
        present = set(rows["year"].astype(int))
        for year in published.get(str(series), []):
            if first < year < last and year not in present:
                row = rows.iloc[0].to_dict()
                row.update(year=year, value=np.nan, ci_low=np.nan, ci_high=np.nan, n=np.nan, suppressed=False)
                extra.append(row)
    if not extra:
        return frame
    # the rows without a value that were already there stay (explicit nulls); the new ones join them
    missing = pd.DataFrame(extra)
    merged = pd.concat([frame, missing[frame.columns.intersection(missing.columns)]], ignore_index=True)
    dedup = [*keys, "series_id", "year"]
    merged["_has"] = merged["value"].notna()
    merged = merged.sort_values([*dedup, "_has"]).drop_duplicates(dedup, keep="last").drop(columns="_has")
    return merged.sort_values([*keys, "year"]).reset_index(drop=True)


def _missing_by_reason(missing: pd.DataFrame, goal, area: str, km: bool) -> list[str]:
    """'Ingen jämförelse – inget basvärde: Sunne, Hagfors.' One line per reason; a place missing
    for both women and men is named once; the chosen municipality is named first, so that its
    absence from the chart is explained."""
    if missing.empty:
        return []
    lines = []
    missing = missing.assign(reason=[status_label(r, goal).lower() for r in missing.to_dict("records")],
                             chosen=missing["area_code"] == area)
    for reason, group in missing.groupby("reason", sort=False):
        names = []
        for place, rows in group.sort_values("chosen", ascending=False, kind="stable").groupby("place", sort=False):
            sexes = set(rows["gender"])
            names.append(place if not km or sexes >= {"K", "M"} else
                         f"{place} ({', '.join(GENDER_LABELS[g].lower() for g in sorted(sexes))})")
        lines.append(f"Ingen jämförelse – {reason}: {', '.join(names)}.")
    return lines


def _int_or(value) -> str:
    return "" if value is None or pd.isna(value) else str(int(value))


def _has_values(frame: pd.DataFrame) -> bool:
    return not frame.empty and not usable(frame).empty


def _display_value(row, unit: str) -> str:
    if bool(row.get("suppressed", False)):
        return SUPPRESSED_MARK
    return fmt_number(row["value"]) if not pd.isna(row["value"]) else "saknas"


def _trend_table(view, area, genders, area_names, county_view) -> pd.DataFrame:
    v = view.values
    codes = ([area] if not county_view else []) + [view.region.country]
    rows = v[v["area_code"].isin(codes) & v["gender"].isin(genders)]
    ref = view.reference[view.reference["gender"].isin(genders)] if not view.reference.empty else view.reference
    frames = [rows.assign(Område=rows["area_code"].map(lambda c: _names(area_names, c)))]
    if not ref.empty:
        frames.append(ref.assign(Område=view.reference_label))
    data = pd.concat(frames, ignore_index=True)
    return table_frame(data, view)


def table_frame(data: pd.DataFrame, view: GoalView) -> pd.DataFrame:
    """Swedish table of observations. Numbers are written the Swedish way ("81,3"), so the
    table reads right on screen and in Swedish Excel; suppressed values are ".." and carry no
    number, missing values say "saknas"."""
    unit = view.goal.value_unit
    sup = data["suppressed"].astype(bool).to_numpy()

    def num(values, decimals=1):
        return [SUPPRESSED_MARK if s else ("saknas" if pd.isna(x) else fmt_number(float(x), decimals).replace(NBSP, ""))
                for s, x in zip(sup, values)]

    out = pd.DataFrame({
        "Område": data["Område"].to_numpy(),
        "År": data["year"].astype(int).to_numpy(),
        "Period": data["period"].astype(str).to_numpy(),
        "Kön": data["gender"].map(GENDER_LABELS).to_numpy(),
        f"Värde ({unit})": num(data["value"], 2 if view.goal.unit != "per_100000" else 1),
    })
    if view.age_group:
        out.insert(3, "Åldersgrupp", view.age_group)
    if view.has_ci:
        out["KI nedre"] = [x if x != "saknas" else "" for x in num(data["ci_low"])]
        out["KI övre"] = [x if x != "saknas" else "" for x in num(data["ci_high"])]
        out["Antal svar"] = ["" if pd.isna(x) else str(int(x)) for x in data["n"]]
        out["Anmärkning"] = np.where(sup, "För få svar – visas inte", "")
    if view.reference_kind == "mean" and "n_municipalities" in data:
        out["Kommuner i länets medel"] = ["" if pd.isna(x) else str(int(x)) for x in data["n_municipalities"]]
    out["Serie"] = data["series_id"].astype(str).to_numpy()
    return out.sort_values(["Område", "Kön", "År"]).reset_index(drop=True)


def describe_trend(view, area, genders, area_names, county_view) -> str:
    goal = view.goal
    name = view.reference_label if county_view else _names(area_names, area)
    v = usable(view.values)
    v = v[(v["year"] <= view.as_of) & v["gender"].isin(genders)]
    ref = usable(view.reference) if not view.reference.empty else view.reference
    shown = [] if county_view else ([name] if (v["area_code"] == area).any() else [])
    if not ref.empty and (ref["year"] <= view.as_of).any():
        shown.append(view.reference_label)
    if (v["area_code"] == view.region.country).any():
        shown.append("riket")
    listed = (", ".join(shown[:-1]) + " och " + shown[-1]) if len(shown) > 1 else (shown[0] if shown else "inga värden")
    parts = [f"Linjediagram över tid: {goal.text}" + (f", {view.age_label}" if view.age_label else "")
             + (f", {GENDER_LABELS['KM'].lower()}" if len(genders) > 1 else
                "" if genders == ("T",) else f", {GENDER_LABELS[genders[0]].lower()}")
             + f". Visar {listed}."]
    for g in genders:
        ev = view.evaluation(view.reference_code if county_view else area, g)
        if ev and not pd.isna(ev.get("latest")):
            who = name + ("" if g == "T" else f" ({GENDER_LABELS[g].lower()})")
            # "84,4 år (2022)", not "84,4 år år 2022" (a unit in years)
            parts.append(f"{who}: {value_year(ev, 'latest', goal.value_unit)}, "
                         f"basvärde {value_year(ev, 'baseline', goal.value_unit)}"
                         + ("" if pd.isna(ev.get("target")) else f", målvärde {fmt_value(ev['target'], goal.value_unit)}")
                         + f". Status: {status_label(ev, goal).lower()}.")
    if view.series_breaks:
        parts.append("Seriebrott " + ", ".join(map(str, view.series_breaks)) + ".")
    return " ".join(parts)


# --------------------------------------------------------------------------- (b) all municipalities

def municipalities_chart(view: GoalView, year: int, area: str, genders: tuple[str, ...],
                         area_names: dict[str, str], source: str, is_demo: bool,
                         compare: tuple[str, ...] = ()) -> ChartResult | None:
    """Every municipality's value for the year, best first, the chosen one marked. Built once per
    goal view, year, sexes and compared set; the chosen municipality is a parameter."""
    key = ("bars", year, genders, compare, source, is_demo, tuple(sorted(area_names.items())))
    result = _per_view(view, key, lambda: _municipalities_chart(view, year, genders, area_names, source, is_demo,
                                                                compare))
    return for_area(result, area, _names(area_names, area) if view.region.is_municipality(area) else "")


def _municipalities_chart(view: GoalView, year: int, genders: tuple[str, ...], area_names: dict[str, str],
                          source: str, is_demo: bool, compare: tuple[str, ...]) -> ChartResult | None:
    ds = _Datasets()
    goal = view.goal
    rows, used = latest_values_for_year(view, year, genders)
    if used is None:
        return None
    km = len(genders) > 1
    rows = rows.assign(
        name=rows["area_code"].map(lambda c: _names(area_names, c)),
        gender_label=rows["gender"].map(GENDER_LABELS),
    )
    rows["label"] = [_display_value(r, goal.value_unit) for r in rows.to_dict("records")]
    rows.loc[rows["suppressed"], "label"] = f"{SUPPRESSED_MARK} för få svar"
    rows["note"] = np.where(rows["suppressed"], f"För få svar – visas inte ({SUPPRESSED_MARK})",
                            np.where(rows["value"].isna(), "Värde saknas", ""))
    # labels sit after the bar or its confidence interval, so nothing overlaps
    rows["text_x"] = np.fmax(rows["value"], rows["ci_high"]).fillna(
        0.0 if goal.unit != "år" else float(rows["value"].min()) if rows["value"].notna().any() else 0.0)
    # order: the best first in the goal's direction; missing and suppressed last
    sort_val = rows.groupby("area_code")["value"].transform("mean") * view.goal.sign
    order = rows.assign(_s=sort_val.fillna(-np.inf)).sort_values("_s", ascending=False)["name"].drop_duplicates().tolist()

    fmt = _value_fmt(view)
    compared = rows["area_code"].isin(list(compare))
    rows = rows.assign(compared=compared)
    compared_names = [n for n in rows.loc[compared, "name"].drop_duplicates()]  # labelled like the chosen one
    y = alt.Y("name:N", sort=order, title=None, axis=alt.Axis(
        labelFontSize=16, **_chosen_label_style(compared_names)))
    tooltip = [alt.Tooltip("name:N", title="Kommun"), alt.Tooltip("gender_label:N", title="Kön"),
               alt.Tooltip("label:N", title=f"Värde ({goal.value_unit})"),
               alt.Tooltip("note:N", title="Anmärkning")]
    if view.has_ci:
        tooltip += [alt.Tooltip("ci_low:Q", title="KI nedre", format=fmt),
                    alt.Tooltip("ci_high:Q", title="KI övre", format=fmt),
                    alt.Tooltip("n:Q", title="Antal svar", format=",.0f")]
    x_title = _unit_title(view)
    base = alt.Chart(ds(rows)).encode(y=y)
    if km:
        bar_colour = alt.Color("gender_label:N", title="Kön", scale=alt.Scale(
            domain=[GENDER_LABELS[g] for g in genders], range=[GENDER_COLOURS[g] for g in genders]))
        offset = {"yOffset": alt.YOffset("gender_label:N")}
    else:
        bar_colour = alt.ColorValue(OTHER_BAR, condition=[{"test": f"datum.area_code === {CHOSEN_PARAM}",
                                                           "value": HIGHLIGHT},
                                                          {"test": "datum.compared", "value": COMPARE_BAR}])
        offset = {}
    # bars start at zero; a measure in years (life expectancy, 79–86) is drawn as dots on a
    # scale that does not, or every difference would vanish
    if goal.unit == "år":
        marks = base.mark_point(filled=True, size=260, opacity=1).encode(
            x=alt.X("value:Q", title=x_title, scale=alt.Scale(zero=False)), color=bar_colour, tooltip=tooltip,
            **offset)
    else:
        marks = base.mark_bar(size=16 if km else 22).encode(x=alt.X("value:Q", title=x_title), color=bar_colour,
                                                            tooltip=tooltip, **offset)
    # the chosen municipality is a shaded row in every sex view (with kvinnor och män the bars are
    # coloured by sex, so colour alone cannot mark it); a decoration for screen readers (aria off):
    # the chosen municipality is named in the text
    layers = [alt.Chart(ds(rows.drop_duplicates("name"))).transform_filter(f"datum.area_code === {CHOSEN_PARAM}")
              .mark_rect(color=FOCUS_BAND, aria=False).encode(y=alt.Y("name:N", sort=order)),
              marks]
    if view.has_ci:
        layers.append(base.mark_rule(color="#222222", strokeWidth=2).encode(x=alt.X("ci_low:Q"), x2=alt.X2("ci_high:Q"), **offset))
    reference_layers: list = []  # the county and target rules go under the value labels
    notes = []
    if goal.has_target:
        target_rows = []
        for g in genders:
            ev = view.reference_evaluation(g)
            if ev and not pd.isna(ev.get("target")) and ev["status"] not in ("break", "at_limit"):
                target_rows.append({"value": float(ev["target"]), "label": f"Länets målvärde {fmt_number(ev['target'])}"
                                    + ("" if not km else f" ({GENDER_LABELS[g].lower()})")})
        if target_rows:
            tdf = pd.DataFrame(target_rows)
            reference_layers.append(alt.Chart(ds(tdf)).mark_rule(color="#111111", strokeWidth=3, strokeDash=[2, 3]).encode(
                x=alt.X("value:Q"), tooltip=[alt.Tooltip("label:N", title="Mål")]))
            notes.append("Prickad svart linje: " + ", ".join(tdf["label"]).replace("Länets målvärde", "länets målvärde"))
    ref = view.reference
    ref_rows = ref[(ref["year"] == used) & ref["gender"].isin(genders)] if not ref.empty else ref
    ref_rows = usable(ref_rows) if not ref_rows.empty else ref_rows
    if not ref_rows.empty:
        ref_rows = ref_rows.assign(label=[f"{view.reference_label}: {fmt_number(v)}" + ("" if not km else f" ({GENDER_LABELS[g].lower()})")
                                          for v, g in zip(ref_rows["value"], ref_rows["gender"])])
        reference_layers.append(alt.Chart(ds(ref_rows)).mark_rule(color=COUNTY_COLOUR, strokeWidth=3, strokeDash=[8, 4]).encode(
            x=alt.X("value:Q"), tooltip=[alt.Tooltip("label:N", title="Länets referens")]))
        notes.insert(0, "Streckad brun linje: " + ", ".join(ref_rows["label"]))
    if view.has_ci:
        notes.append("Svarta streck: 95 % konfidensintervall. \"..\" = för få svar, visas inte.")
    # value labels last, on a white halo: a reference rule behind a label never strikes it through
    label_enc = dict(x=alt.X("text_x:Q"), text=alt.Text("label:N"), **offset)
    layers += reference_layers
    layers.append(base.mark_text(align="left", dx=6, fontSize=15, stroke="white", strokeWidth=5, strokeJoin="round",
                                 opacity=1).encode(**label_enc))
    layers.append(base.mark_text(align="left", dx=6, fontSize=15, color="#222222").encode(tooltip=tooltip, **label_enc))
    scope = "alla kommuner" + (f", {view.age_label}" if view.age_label else "") + (
        "" if genders == ("T",) else (", kvinnor och män" if km else f", {GENDER_LABELS[genders[0]].lower()}"))
    when = str(used) if used == year else f"{used} (senaste mätningen t.o.m. {year})"
    title = wrap(view.item.label) + [f"{scope[0].upper()}{scope[1:]} – {when}"]
    # a band step (not a fixed height): Streamlit squeezes fixed-height band charts in the browser
    # one band per municipality (women and men share it), so the chosen row's shading and the
    # labels stay in their own band
    chart = alt.layer(*layers, height=alt.Step(**{"step": 44, "for": "position"}) if km else alt.Step(30),
                      width="container")
    table = table_frame(rows.assign(Område=rows["name"]), view)
    present = rows[rows["value"].notna()].sort_values("value", ascending=False)

    def who(r) -> str:  # with kvinnor/män, the extreme is a group, not a municipality
        return r["name"] + (f" ({GENDER_LABELS[r['gender']].lower()})" if km else "")

    extremes = ""
    if not present.empty:
        high, low = present.iloc[0], present.iloc[-1]
        # every municipality that reads the same as the highest (lowest) value is named: a tie
        # shown as one name would single out one of them
        groups = {who(r): r["value"] for r in present.to_dict("records")}

        def tied(value) -> str:
            return join_names(tied_at(groups, value))

        extremes = (f"Högst {tied(high['value'])} {fmt_value(high['value'], goal.value_unit)}, lägst {tied(low['value'])} "
                    f"{fmt_value(low['value'], goal.value_unit)}"
                    + (" (lägre är bättre). " if goal.sign < 0 else ". "))
    alt_text = (f"{'Punktdiagram' if goal.unit == 'år' else 'Stapeldiagram'}: {goal.text}, "
                f"{scope}, {used}, sorterade från bäst till sämst. " + extremes
                + _count_text(int(rows["suppressed"].sum()), "grupp har för få svar och visas inte",
                              "grupper har för få svar och visas inte")
                + _count_text(int((rows["value"].isna() & ~rows["suppressed"]).sum()), "värde saknas", "värden saknas"))
    layout, data = finish(chart, ds, title, source, is_demo, notes)
    _chosen_params(layout)
    return ChartResult(layout, data, table, alt_text)


# --------------------------------------------------------------------------- (c) goal gap

def goal_gap_chart(view: GoalView, area: str, genders: tuple[str, ...], area_names: dict[str, str],
                   source: str, is_demo: bool) -> ChartResult | None:
    """Each municipality's (and the county's) way from the baseline to the latest value and the
    target, with its status. Built once per goal view and sexes; the chosen row (the county's in
    the county view) is a parameter, and the notes name the chosen area first where it has no
    comparison."""
    key = ("gap", genders, source, is_demo, tuple(sorted(area_names.items())))
    result = _per_view(view, key, lambda: _goal_gap_chart(view, genders, area_names, source, is_demo))
    if result is None:
        return None
    municipality = view.region.is_municipality(area)
    code = area if municipality else view.reference_code
    name = _names(area_names, area) if municipality else view.short_reference_label
    gap = result.prepared["gap"]
    notes = None
    if municipality and area in set(gap["missing_rows"]["area_code"]):  # named first in its reason's list
        notes = [*gap["notes"], *_missing_by_reason(gap["missing_rows"], view.goal, area, len(genders) > 1)]
    return for_area(result, code, name, notes)


def _goal_gap_chart(view: GoalView, genders: tuple[str, ...], area_names: dict[str, str], source: str,
                    is_demo: bool) -> ChartResult | None:
    ds = _Datasets()
    area = ""  # no chosen area here: goal_gap_chart sets it
    goal = view.goal
    ev = view.evaluations
    if ev.empty:
        return None
    codes = list(view.region.municipalities) + [view.reference_code]
    rows = ev[ev["area_code"].isin(codes) & ev["gender"].isin(genders)].copy()
    if rows.empty:
        return None
    km = len(genders) > 1
    rows["name"] = [view.short_reference_label if c == view.reference_code else _names(area_names, c)
                    for c in rows["area_code"]]
    if km:
        rows["name"] = rows["name"] + " – " + rows["gender"].map(GENDER_LABELS).str.lower()
    # groups without a comparison are listed under the chart, by reason, not drawn as empty rows
    missing_rows = rows[rows["status"] == "no_data"].assign(
        place=[view.short_reference_label if c == view.reference_code else _names(area_names, c)
               for c in rows.loc[rows["status"] == "no_data", "area_code"]])
    missing = missing_rows["name"].tolist()
    missing_notes = _missing_by_reason(missing_rows, goal, area, km)
    rows = rows[rows["status"] != "no_data"].copy()
    if rows.empty:
        return None
    # words only: the point's colour and shape carry the status symbol, and the chart font has
    # every letter of the words (tests/test_fonts.py)
    # a status judged on a value older than the chosen year carries that year ("Uppnått (2020)"):
    # the row must not read as the state of the chosen year
    rows["older_year"] = pd.Series([int(y) if not pd.isna(y) and int(y) != view.as_of else None
                                    for y in rows["latest_year"]], index=rows.index, dtype=object)
    rows["status_text"] = [status_label(r, goal)
                           + (" (inom osäkerheten)" if r["status"] == "unchanged" and r["uncertainty_rule"] == "ci" else "")
                           + (f" ({r['older_year']})" if r["older_year"] is not None else "")
                           for r in rows.to_dict("records")]
    rows["remaining_text"] = [remaining_phrase(st, r, goal.has_target) for r, st in zip(rows["remaining"], rows["status"])]
    rows["label"] = rows["status_text"] + np.where(rows["remaining_text"] != "", " · " + rows["remaining_text"], "")
    coverage_notes = []
    if "latest_n_areas" in rows:
        # the county's own mean: how many municipalities it covers, flagged when that changed
        for r in rows[rows["area_code"] == view.reference_code].to_dict("records"):
            if coverage_warning(r, view.region.size):  # judged on the municipalities present both years
                coverage_notes.append(f"{r['name']}: {coverage_warning(r, view.region.size)}")
            elif coverage_text(r, view.region.size):
                coverage_notes.append(f"{r['name']}: {coverage_text(r, view.region.size)} båda åren.")
    rows["is_ref"] = rows["area_code"] == view.reference_code
    for c in ("baseline", "latest", "target", "remaining", "achieved"):
        rows[c] = rows[c].astype(float)
    # county first, then by how far along the way each municipality is
    rows["_order"] = np.where(rows["is_ref"], np.inf, rows["achieved"].fillna(-np.inf))
    order = rows.sort_values("_order", ascending=False)["name"].tolist()
    period = goal.period_for(view.as_of)
    fmt = _value_fmt(view)
    y = alt.Y("name:N", sort=order, title=None, axis=alt.Axis(
        labelFontSize=16, labelLimit=240, **_chosen_label_style([])))
    tooltip = [alt.Tooltip("name:N", title="Område"),
               alt.Tooltip("baseline:Q", title="Basvärde", format=fmt),
               alt.Tooltip("baseline_year:Q", title="Basår (använt)", format="d"),
               alt.Tooltip("latest:Q", title="Senaste värde", format=fmt),
               alt.Tooltip("latest_year:Q", title="År", format="d"),
               alt.Tooltip("status_text:N", title="Status")]
    if goal.has_target:
        tooltip[3:3] = [alt.Tooltip("target:Q", title="Målvärde", format=fmt),
                        alt.Tooltip("remaining:Q", title="Återstår", format=fmt)]
    status_scale = alt.Scale(domain=[STATUS_STYLE[s][2] for s in STATUS_STYLE],
                             range=[STATUS_STYLE[s][1] for s in STATUS_STYLE])
    rows["status_label"] = rows["status"].map(lambda s: STATUS_STYLE[s][2])
    axis_title = _unit_title(view)  # the heading says basår → senaste → mål
    # padding: a point at the end of the scale is drawn whole, not cut by the plot's edge
    x = alt.X("baseline:Q", title=axis_title, scale=alt.Scale(zero=False, padding=16))
    base = alt.Chart(ds(rows)).encode(y=y)
    # One view at the column's width (a side column of labels made the chart a fixed 900 px that
    # overflowed every laptop and phone): each row has its status and remaining distance written
    # on a line above its dumbbell, inside the plot, so nothing is cut at any width.
    comparable = base.transform_filter(alt.datum.status != "break")
    with_target = base.transform_filter("datum.status !== 'break' && datum.status !== 'at_limit'")
    # the chosen municipality (or the county) is a shaded row, as in the tables
    layers = [alt.Chart(ds(rows)).transform_filter(f"datum.area_code === {CHOSEN_PARAM}")
              .mark_rect(color=FOCUS_BAND, aria=False).encode(y=alt.Y("name:N", sort=order))]
    layers += [
        comparable.mark_rule(strokeWidth=4, color="#9aa5b1", yOffset=GAP_ROW_SHIFT).encode(
            x=x, x2=alt.X2("latest:Q"), tooltip=tooltip),
        comparable.mark_point(size=150, strokeWidth=3, color="#555555", filled=False, shape="circle",
                              yOffset=GAP_ROW_SHIFT).encode(x=alt.X("baseline:Q"), tooltip=tooltip),
        base.mark_point(size=220, filled=True, opacity=1, yOffset=GAP_ROW_SHIFT).encode(
            x=alt.X("latest:Q"), color=alt.Color("status_label:N", scale=status_scale, legend=None),
            shape=alt.Shape("status_label:N", legend=None, scale=alt.Scale(
                domain=status_scale.domain, range=["diamond", "circle", "square", "cross", "triangle-down", "triangle-up", "stroke"])),
            tooltip=tooltip),
    ]
    if goal.has_target:
        layers.append(with_target.mark_tick(color="#111111", thickness=3, size=22, yOffset=GAP_ROW_SHIFT).encode(
            x=alt.X("target:Q"), tooltip=tooltip))
    layers.append(base.mark_text(align="left", baseline="middle", fontSize=15, yOffset=-13).encode(
        x=alt.XValue(4), text=alt.Text("label:N"),
        color=alt.Color("status_label:N", scale=status_scale, legend=None), tooltip=tooltip))
    chart = alt.layer(*layers, height=alt.Step(50), width="container")
    scope = _scope("alla kommuner", genders, view)
    # the year(s) of the latest values, in the title: an exported image names the year of its figures
    latest_years = sorted({int(y) for y in rows["latest_year"].dropna()})
    latest_span = "" if not latest_years else " " + (str(latest_years[0]) if len(latest_years) == 1
                                                      else f"{latest_years[0]}–{latest_years[-1]}")
    headline = (f"Målgapet – {scope}: basår {period.baseline_year} → senaste{latest_span} → mål {period.target_year}"
                if goal.has_target else f"Förändring från basåret {period.baseline_year} till senaste{latest_span} – {scope} (mål: bara riktning)")
    title = wrap(view.item.label) + [headline[0].upper() + headline[1:]]
    notes = ["Ring: basvärdet. Fylld symbol: senaste värdet (färg och form = status)"
             + ("" if (not goal.has_target) else ", svart streck = målvärdet") + "."]
    older = sorted({y for y in rows["older_year"] if y is not None})
    if older:
        notes.append(f"Ett årtal i parentes efter statusen ({', '.join(map(str, older))}): senaste värdet är från det "
                     f"året, inte från {view.as_of}.")
    notes += coverage_notes
    if (rows["uncertainty_rule"] == "unknown").any():
        notes.append(UNKNOWN_UNCERTAINTY)
    common_notes = list(notes)
    notes += missing_notes
    # numbers stay numbers (Swedish Excel computes with them: the CSV writes a decimal comma and an
    # ordinary minus); area and sex in their own columns, with the area's code
    place = [view.short_reference_label if c == view.reference_code else _names(area_names, c) for c in rows["area_code"]]
    table = pd.DataFrame({
        "Kod": [c if c != COMPUTED_MEAN_CODE else "" for c in rows["area_code"]],
        "Område": place,
        "Kön": rows["gender"].map(GENDER_LABELS),
        "Basår": rows["baseline_year"].astype("Int64"),
        "Basvärde": rows["baseline"].round(2),
        "Senaste år": rows["latest_year"].astype("Int64"),
        "Senaste värde": rows["latest"].round(2),
        "Målvärde": rows["target"].round(2),
        "Återstår": rows["remaining"].round(2),
        "Förändring": (goal.sign * rows["achieved"]).round(2),
        "Status": rows["status_text"].tolist(),
        "Jämförelse över seriebrott": np.where(rows["across_break"].astype(bool), "ja", ""),
        "_name": rows["name"],
    }).set_index("_name").loc[order].reset_index(drop=True)
    counts = rows["status"].value_counts()
    alt_text = (f"Målgap: {goal.text}. För varje kommun basvärde, senaste värde och målvärde. "
                + ", ".join(f"{int(counts[s])} {STATUS_STYLE[s][2].lower()}" for s in STATUS_STYLE
                            if s != "no_data" and counts.get(s, 0))
                + (f"; {len(missing)} utan jämförelse." if missing else "."))
    layout, data = finish(chart, ds, title, source, is_demo, notes)
    _chosen_params(layout)
    result = ChartResult(layout, data, table, alt_text)
    result.prepared["gap"] = {"notes": common_notes, "missing_rows": missing_rows}
    return result


# ------------------------------------------------------------------ room size (presentation mode)

ROOM_WIDTH, ROOM_HEIGHT = 1800, 640  # the plot of a presentation chart, drawn for a 1920×1080 screen
ROOM_FONT = 27  # axis and legend labels at 1920×1080; the SVG scales with the screen
_ROOM_SCALE = ROOM_FONT / 16  # the page charts' labels are 16 px


def _scaled(node, k: float):
    """Every text size, offset, stroke and point of a chart, times k (a room reads it from 15 m)."""
    if isinstance(node, list):
        return [_scaled(n, k) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if key in ("fontSize", "labelFontSize", "titleFontSize", "dx", "dy", "yOffset", "xOffset",
                       "strokeWidth", "labelLimit", "symbolStrokeWidth", "offset", "titlePadding", "labelPadding"):
                value = value * k
            elif key in ("size", "symbolSize"):
                # a point's size is an area; a bar's is its thickness
                value = value * (k if node.get("type") in ("bar", "tick") else k * k)
        elif key in ("strokeWidth", "size") and isinstance(value, dict):
            value = _scaled_values(value, k * k if key == "size" else k)
        out[key] = _scaled(value, k) if isinstance(value, (dict, list)) else value
    return out


def _scaled_values(encoding: dict, k: float) -> dict:
    """A constant encoding ({"value": 5, "condition": {…, "value": 3}}) times k."""
    out = dict(encoding)
    if isinstance(out.get("value"), (int, float)):
        out["value"] = out["value"] * k
    cond = out.get("condition")
    if isinstance(cond, dict) and isinstance(cond.get("value"), (int, float)):
        out["condition"] = {**cond, "value": cond["value"] * k}
    return out


def room_spec(spec: dict, height: int = ROOM_HEIGHT) -> dict:
    """A page chart for the presentation screen: the same marks and data, drawn at 1800 px with
    text, points and lines enlarged so that axis labels are 26 px at 1920×1080 (the SVG then
    scales with the screen). The heading and notes are page text; bands share a fixed height so
    that a chart with one row per municipality still fits the first screen."""
    out = _scaled({k: v for k, v in spec.items() if k not in ("title", "usermeta", "datasets")}, _ROOM_SCALE)
    out["width"] = ROOM_WIDTH
    out["height"] = height
    out["config"] = {**out.get("config", {}), "axis": {**out.get("config", {}).get("axis", {}),
                                                       "labelFontSize": ROOM_FONT, "titleFontSize": ROOM_FONT},
                     "legend": {**out.get("config", {}).get("legend", {}), "labelFontSize": ROOM_FONT,
                                "titleFontSize": ROOM_FONT, "columns": 4}}
    for layer in out.get("layer", []):
        mark = layer.get("mark")
        if isinstance(mark, dict) and mark.get("type") == "text" and "yOffset" in mark:
            # the goal-gap chart's status line above each row: a row is 45 px high in the room,
            # so the line stays a size smaller than the labels instead of reaching the row above
            mark.update(fontSize=17, yOffset=-19)
    if "datasets" in spec:
        out["datasets"] = spec["datasets"]
    return out


# ------------------------------------------------------------------ the county's map

MAP_MODES = {"value": "Värde", "status": "Läge mot målet"}
MISSING_COLOUR = "#d9dde2"


_GEO_DATA = "nyap_geo"


def map_chart(view: GoalView, year: int, area: str, gender: str, area_names: dict[str, str], source: str,
              is_demo: bool, features: tuple[dict, ...], mode: str = "value") -> ChartResult | None:
    """The county's municipalities coloured by their value (or their status against the goal) for
    the year, with names on the map; suppressed and missing municipalities are grey and say so.
    The same rows are the table alternative and the download."""
    from nyap.present.status import status_label

    goal = view.goal
    rows, used = latest_values_for_year(view, year, (gender,))
    if used is None or not features:
        return None
    by_code = {str(r["area_code"]): r for r in rows.to_dict("records")}
    shapes, table = [], []
    for f in features:
        code = f["properties"]["code"]
        r = by_code.get(code, {})
        value = r.get("value")
        suppressed = bool(r.get("suppressed", False))
        value = None if suppressed or value is None or pd.isna(value) else float(value)
        ev = view.evaluation(code, gender)
        name = _names(area_names, code)
        label = (f"{SUPPRESSED_MARK} för få svar" if suppressed else
                 "saknas" if value is None else fmt_number(value))
        shown_status = status_label(ev, goal) if ev is not None else status_label(None)
        status_key = str(ev["status"]) if ev is not None else "no_data"
        latest_year = ev.get("latest_year") if ev is not None else None
        if status_key != "no_data" and latest_year is not None and not pd.isna(latest_year) and int(latest_year) < used:
            # a status judged on an older value is not the status of the map's year: grey, and
            # the words say which year it is from (Forshaga: "Uppnått" from 2019 under "2022")
            shown_status = f"Inget värde {used} (senaste {int(latest_year)})"
            status_key = "no_data"
        props = {**f["properties"], "name": name, "value": value, "label": label, "status": shown_status,
                 "status_group": STATUS_STYLE[status_key][2]}
        shapes.append({"type": "Feature", "geometry": f["geometry"], "properties": props})
        table.append({"Kod": code, "Kommun": name, "År": used, "Kön": GENDER_LABELS[gender],
                      f"Värde ({goal.value_unit})": label, "Läge mot målet": shown_status})
    ds = _Datasets()
    labels = pd.DataFrame([{"lon": s["properties"]["label_lon"], "lat": s["properties"]["label_lat"],
                            "name": s["properties"]["name"], "text": f'{s["properties"]["name"]} {s["properties"]["label"]}'}
                           for s in shapes])
    # the shapes go into the finished spec by name: handed to Altair, the whole geometry was
    # deep-copied and validated for every layer (most of the map's build time)
    geo = alt.NamedData(name=_GEO_DATA)
    tooltip = [alt.Tooltip("properties.name:N", title="Kommun"),
               alt.Tooltip("properties.label:N", title=f"Värde ({goal.value_unit})"),
               alt.Tooltip("properties.status:N", title="Läge mot målet")]
    if mode == "status":
        keys = [k for k in STATUS_STYLE]
        # coloured by the status group (the plain status words), so that a specific label ("Inget
        # basvärde", "Inget värde 2022 (senaste 2019)") is grey like no data, not a new colour
        colour = alt.Color("properties.status_group:N", title="Läge mot målet", scale=alt.Scale(
            domain=[STATUS_STYLE[k][2] for k in keys], range=[STATUS_STYLE[k][1] if k != "no_data" else MISSING_COLOUR
                                                            for k in keys]),
            legend=alt.Legend(orient="bottom", columns=2))
    else:
        # darker = higher; the legend and the labels say which way is better
        colour = alt.condition("datum.properties.value !== null", alt.Color(
            "properties.value:Q", title=_unit_title(view), scale=alt.Scale(scheme="blues", zero=False),
            legend=alt.Legend(orient="bottom", direction="horizontal", gradientLength=320, format=_value_fmt(view))),
            alt.value(MISSING_COLOUR))
    # the shapes are not announced one by one (Vega gives them no text); the chart's text
    # alternative and the table under it say every municipality's value
    fill = alt.Chart(geo).mark_geoshape(stroke="white", strokeWidth=1.5, aria=False).encode(
        color=colour, tooltip=tooltip)
    # the chosen municipality's outline follows a parameter: the map is built once per goal and
    # year, and each municipality's view only sets the parameter (for_area)
    chosen = alt.Chart(geo).mark_geoshape(filled=False, stroke=HIGHLIGHT, strokeWidth=4, aria=False).transform_filter(
        f"datum.properties.code === {CHOSEN_PARAM}")
    text = alt.Chart(ds(labels)).mark_text(fontSize=13, stroke="white", strokeWidth=4, strokeJoin="round",
                                           fontWeight="bold", aria=False).encode(
        longitude=alt.Longitude("lon:Q"), latitude=alt.Latitude("lat:Q"), text=alt.Text("text:N"))
    text_fg = alt.Chart(ds(labels)).mark_text(fontSize=13, color="#111111", fontWeight="bold", aria=False).encode(
        longitude=alt.Longitude("lon:Q"), latitude=alt.Latitude("lat:Q"), text=alt.Text("text:N"))
    chart = alt.layer(fill, chosen, text, text_fg).project(type="mercator").properties(
        width="container", height=620, padding={"left": 24, "right": 12, "top": 4, "bottom": 4})
    chart = chart.add_params(alt.param(name=CHOSEN_PARAM, value=area or ""))
    better = "högre" if goal.sign > 0 else "lägre"
    what = "värde" if mode == "value" else "läge mot målet"
    title = wrap(view.item.label) + [f"Länets kommuner {used} – {what}" + (
        "" if gender == "T" else f" ({GENDER_LABELS[gender].lower()})")]
    notes = [f"Målet: {better} är bättre. Grå: värde saknas eller för få svar." if mode == "value"
             else f"Grå: ingen bedömning för {used} (data saknas eller är från ett tidigare år)."]
    frame = pd.DataFrame(table)
    shown = frame[frame[f"Värde ({goal.value_unit})"] != "saknas"]
    alt_text = (f"Karta över länets kommuner {used} för {view.item.label.lower()}: "
                + "; ".join(f"{r.Kommun} {r[4]}" for r in shown.itertuples(index=False)) + ".") if not shown.empty \
        else f"Karta över länets kommuner {used}: inga värden."
    spec, data = finish(chart, ds, title, source, is_demo, notes)
    for layer in spec.get("layer", []):
        if layer.get("data") == {"name": _GEO_DATA}:
            layer["data"] = {"values": shapes}
    return ChartResult(spec, data, frame, alt_text)
