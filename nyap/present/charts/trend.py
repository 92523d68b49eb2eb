"""(a) The goal measure over time: the area, the county, the nation and the other municipalities."""

from __future__ import annotations

import json

import altair as alt
import numpy as np
import pandas as pd

from nyap.present.formatting import (
    CONTEXT_COLOUR, COUNTRY_COLOUR, COUNTY_COLOUR, GENDER_COLOURS, GENDER_LABELS, HIGHLIGHT, fmt_number, fmt_value,
)
from nyap.rules.goal_arithmetic import usable
from nyap.present.formatting import value_year
from nyap.present.status import status_label
from nyap.present.views import GoalView
from nyap.present.charts.base import (
    CHOSEN_NAME_PARAM, CHOSEN_PARAM, COMPARE_COLOURS, ChartResult, _Datasets, _chosen_params, _has_values, _names,
    _per_view, _scope, _subtitle, _unit_title, _value_fmt, finish, table_frame, wrap,
)


# --------------------------------------------------------------------------- (a) over time

def trend_chart(view: GoalView, area: str, genders: tuple[str, ...], area_names: dict[str, str],
                source: str, is_demo: bool, compact: bool = False, compare: tuple[str, ...] = ()) -> ChartResult | None:
    """The goal measure over time: the area, the county and the nation, the other municipalities
    as thin grey context lines, the baseline year, series breaks and the target. `compact`: the
    printed report's version (the area against the county and the nation only, a third as tall).
    `compare`: up to five other municipalities drawn in their own colours and named (not with
    women and men side by side, where colour already means sex)."""
    if not compare and len(genders) == 1 and view.has_municipalities and view.region.is_municipality(area):
        shown = _for_area(view, area, genders, area_names, source, is_demo, compact)
        if shown is not None:
            return shown
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
    x_axis, x_scale = _x_axis_scale(view)
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
        tooltip = _line_tooltip(view, main, fmt)
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
    layers += _period_layers(view, ds)
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
    notes += _coverage_notes(view, ref_label)
    if not county_view and any(view.only_suppressed(area, g) for g in genders):
        notes.append(f"{main_name}: för få svar – värdena visas inte (..).")
    # sizes given to the layer itself: .properties() copies and validates the whole layered chart
    chart = alt.layer(*layers, height=180 if compact else 520, width="container")
    # the printed report has no download of the rows behind its small charts
    table = pd.DataFrame() if compact else _trend_table(view, area, genders, area_names, county_view)
    alt_text = describe_trend(view, area, genders, area_names, county_view)
    return ChartResult(*finish(chart, ds, title, source, is_demo, notes), table, alt_text)


# ------------------------------------------------------------ one chart for every municipality

def _for_area(view: GoalView, area: str, genders: tuple[str, ...], area_names: dict[str, str], source: str,
              is_demo: bool, compact: bool = False) -> ChartResult | None:
    """The chart over time for a municipality, from the one drawn for all of them: every
    municipality's line is in it, the chosen one is a parameter (highlighted, named in the key,
    its target shown, left out of the grey context). A click on another municipality sets the
    parameter and its words (title, notes, text alternative, table) instead of building the chart
    again. None where the municipality has no value to draw (the chart built for it alone says so)."""
    _ok, by_area = _shown_rows(view)
    own = by_area.get(area)
    if own is None or not _has_values(own[own["gender"].isin(genders)]):
        return None
    key = ("trend", genders, source, is_demo, compact, tuple(sorted(area_names.items())))
    shared = _per_view(view, key, lambda: _trend_for_all(view, genders, area_names, source, is_demo, compact))
    if shared is None:
        return None
    name = _names(area_names, area)
    layout = dict(shared.layout)
    layout["params"] = [{**p, "value": {CHOSEN_PARAM: area, CHOSEN_NAME_PARAM: name}[p["name"]]}
                        for p in layout["params"]]
    meta = dict(layout["usermeta"])
    heading = wrap(view.item.label) + [_scope(name, genders, view) + " – över tid" + meta.pop("span")]
    notes = list(meta["notes"][1:])
    if any(view.only_suppressed(area, g) for g in genders):
        notes.append(f"{name}: för få svar – värdena visas inte (..).")
    meta["notes"] = [meta["notes"][0], *notes]
    meta["heading"] = [" ".join(heading[:-1]), heading[-1]] if len(heading) > 1 else heading
    layout["usermeta"] = meta
    layout["title"] = {**layout["title"], "text": heading, "subtitle": _subtitle(meta["notes"][0], notes)}
    # the printed report has no download of the rows behind its small charts
    table = pd.DataFrame() if compact else _trend_table(view, area, genders, area_names, False)
    alt_text = describe_trend(view, area, genders, area_names, False)
    return ChartResult(layout, shared.data, table, alt_text, prepared={"shared": shared.prepared.setdefault("shared", {})})


def _trend_for_all(view: GoalView, genders: tuple[str, ...], area_names: dict[str, str], source: str,
                   is_demo: bool, compact: bool = False) -> ChartResult | None:
    """The over-time chart with every municipality's line (one sex, no comparison): `_for_area`
    sets the chosen one. Drawn as trend_chart draws it for one municipality; `compact` (the
    report's) without the grey context lines, a third as tall."""
    ds = _Datasets()
    goal = view.goal
    ok, _by_area = _shown_rows(view)
    published = publication_years(view)
    munis = _context_lines(view, ok, genders, area_names, published)
    if not _has_values(munis):
        return None
    ref_code, ref_label, country = view.reference_code, view.short_reference_label, view.region.country_name
    ref = view.reference
    ref = ref[(ref["year"] <= view.as_of) & (ref["area_code"] == ref_code)] if not ref.empty else ref
    nation = ok[ok["area_code"] == view.region.country]
    fixed = [f.assign(role=role, name=label) for f, role, label in ((ref, "ref", ref_label), (nation, "country", country))
             if not f.empty]
    fixed = [f[f["gender"].isin(genders)] for f in fixed]
    lines = with_gaps(pd.concat(fixed, ignore_index=True), published, ["role", "gender"]) if fixed else munis.iloc[:0]
    main = pd.concat([munis.assign(role="muni"), lines], ignore_index=True)
    main = main.assign(x=main["year"].astype(float), gender_label=main["gender"].map(GENDER_LABELS))
    fmt = _value_fmt(view)
    x_axis, x_scale = _x_axis_scale(view)
    x = alt.X("year:Q", title="År", axis=x_axis, scale=x_scale)
    y_title = _unit_title(view)
    not_chosen = f"datum.area_code !== {CHOSEN_PARAM}"
    layers = [] if compact else [alt.Chart(ds(munis)).transform_filter(not_chosen).mark_line(
        strokeWidth=1.5, color=CONTEXT_COLOUR, opacity=0.9, invalid="break-paths-show-domains").encode(
        x=x, y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
        detail=alt.Detail(["area_code:N", "series_id:N"]),
        tooltip=[alt.Tooltip("name:N", title="Kommun"), alt.Tooltip("year:Q", title="År", format="d"),
                 alt.Tooltip("value:Q", title="Värde", format=fmt)])]
    # the key names the chosen municipality by the parameter; the county and the nation only where drawn
    drawn = set(usable(lines)["role"]) if not lines.empty else set()
    roles = ["area"] + [r for r in ("ref", "country") if r in drawn]
    colours = {"area": HIGHLIGHT, "ref": COUNTY_COLOUR, "country": COUNTRY_COLOUR}
    dashes = {"area": [1, 0], "ref": [8, 4], "country": [2, 3]}
    # only the drawn series' names: an image without the nation's line does not mention it
    label = CHOSEN_NAME_PARAM
    for role, text in (("country", country), ("ref", ref_label)):
        if role in roles:
            label = f"datum.label === '{role}' ? {json.dumps(text)} : {label}"
    legend = alt.Legend(symbolType="stroke", symbolStrokeWidth=5, symbolSize=400, columns=2, labelExpr=label)
    colour = alt.Color("shown:N", title=None, scale=alt.Scale(domain=roles, range=[colours[r] for r in roles]),
                       legend=legend)
    dash = alt.StrokeDash("shown:N", title=None, scale=alt.Scale(domain=roles, range=[dashes[r] for r in roles]),
                          legend=legend)
    tooltip = _line_tooltip(view, main, fmt)
    base = (alt.Chart(ds(main))
            .transform_calculate(shown=f"datum.role === 'muni' ? (datum.area_code === {CHOSEN_PARAM} ? 'area' : '') "
                                       ": datum.role")
            .transform_filter("datum.shown !== ''")
            .encode(x=alt.X("x:Q", title="År", axis=x_axis, scale=x_scale),
                    y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)), color=colour))
    layers.append(base.mark_line(invalid="break-paths-show-domains").encode(
        strokeDash=dash, strokeWidth=alt.StrokeWidthValue(3, condition={"test": "datum.shown === 'area'", "value": 5}),
        detail=alt.Detail(["shown:N", "series_id:N", "gender:N"])))
    layers.append(base.mark_point(filled=True, size=90).encode(tooltip=tooltip))
    if view.has_ci:
        layers.append(base.mark_rule(strokeWidth=3).encode(y=alt.Y("ci_low:Q"), y2=alt.Y2("ci_high:Q"), tooltip=tooltip))
    layers += _period_layers(view, ds)
    period = goal.period_for(view.as_of)
    if goal.has_target:
        g = genders[0]
        targets = []
        for code in view.region.municipalities:
            ev = view.evaluation(code, g)
            if ev and ev.get("target") is not None and not pd.isna(ev["target"]) and ev["status"] not in ("break", "at_limit"):
                targets.append({"area_code": code, "year": period.target_year, "value": float(ev["target"]),
                                "label": f"Mål {fmt_number(ev['target'])}"})
        if targets:
            tdf = pd.DataFrame(targets)
            chosen = f"datum.area_code === {CHOSEN_PARAM}"
            layers.append(alt.Chart(ds(tdf)).transform_filter(chosen).mark_point(
                shape="diamond", size=260, filled=True, color="#111111").encode(
                x=alt.X("year:Q"), y=alt.Y("value:Q"),
                tooltip=[alt.Tooltip("label:N", title="Målvärde"), alt.Tooltip("year:Q", title="Målår", format="d")]))
            layers.append(alt.Chart(ds(tdf)).transform_filter(chosen).mark_text(
                align="right", dx=8, dy=-22, fontSize=16, fontWeight="bold", color="#111111")
                .encode(x=alt.X("year:Q"), y=alt.Y("value:Q"), text=alt.Text("label:N")))
    # the years drawn are every line's (the chosen one's and the others'), the same for each choice
    years = sorted(set(usable(main)["year"].astype(int)))
    span = "" if not years else f" {years[0]}" + (f"–{years[-1]}" if years[-1] != years[0] else "")
    notes = [] if compact else ["Tunna grå linjer: övriga kommuner. Svart romb: målvärdet."]
    notes += _coverage_notes(view, ref_label)
    chart = alt.layer(*layers, height=180 if compact else 520, width="container")
    layout, data = finish(chart, ds, wrap(view.item.label), source, is_demo, notes)
    layout["usermeta"]["span"] = span
    _chosen_params(layout)
    return ChartResult(layout, data, pd.DataFrame(), "")


def _coverage_notes(view: GoalView, ref_label: str) -> list[str]:
    """A county that is a mean of different municipalities in different years says so."""
    coverage = view.reference_coverage()
    if not coverage or len(set(coverage.values())) < 2:
        return []
    years = sorted(y for y in coverage if y <= view.as_of)
    if not years:
        return []
    return [f"{ref_label}: medel av {coverage[years[0]]} av {view.region.size} kommuner {years[0]}, "
            f"{coverage[years[-1]]} av {view.region.size} {years[-1]} – inte samma kommuner över tid."]


def _x_axis_scale(view: GoalView) -> tuple[alt.Axis, alt.Scale]:
    """Whole years; the baseline year is always inside the axis, so its marker never sits outside
    the plot, and the target year too."""
    period = view.goal.period_for(view.as_of)
    first = int(view.values["year"].min()) if not view.values.empty else view.as_of - 5
    return (alt.Axis(format="d", tickMinStep=1, labelOverlap=True),
            alt.Scale(domain=[min(first, period.baseline_year) - 0.4, max(view.as_of, period.target_year) + 0.4],
                      nice=False))


def _line_tooltip(view: GoalView, main: pd.DataFrame, fmt: str) -> list:
    tooltip = [alt.Tooltip("name:N", title="Område"), alt.Tooltip("gender_label:N", title="Kön"),
               alt.Tooltip("year:Q", title="År", format="d"), alt.Tooltip("period:N", title="Period"),
               alt.Tooltip("value:Q", title=f"Värde ({view.goal.value_unit})", format=fmt)]
    if view.has_ci:
        tooltip += [alt.Tooltip("ci_low:Q", title="KI nedre", format=fmt),
                    alt.Tooltip("ci_high:Q", title="KI övre", format=fmt),
                    alt.Tooltip("n:Q", title="Antal svar", format=",.0f")]
    if view.reference_kind == "mean" and "n_municipalities" in main:
        tooltip.append(alt.Tooltip("n_municipalities:Q", title="Kommuner i länets medel", format="d"))
    return tooltip


def _period_layers(view: GoalView, ds: _Datasets) -> list:
    """The baseline year's rule and label, and the series breaks."""
    period = view.goal.period_for(view.as_of)
    marks = pd.DataFrame([{"year": period.baseline_year, "label": f"Basår {period.baseline_year}"}])
    layers = [alt.Chart(ds(marks)).mark_rule(strokeDash=[4, 4], color="#555555", strokeWidth=2).encode(x=alt.X("year:Q")),
              alt.Chart(ds(marks)).mark_text(align="left", dx=5, dy=-8, fontSize=15, color="#333333", baseline="top")
              .encode(x=alt.X("year:Q"), y=alt.YValue(0), text=alt.Text("label:N"))]
    breaks = view.series_breaks
    if breaks:
        bdf = pd.DataFrame({"year": [b - 0.5 for b in breaks], "label": ["Seriebrott"] * len(breaks)})
        layers.append(alt.Chart(ds(bdf)).mark_rule(color="#8a3ffc", strokeWidth=2, strokeDash=[2, 2]).encode(x=alt.X("year:Q")))
        # y from the plot's own height: a fixed pixel position outside the plot makes Streamlit's
        # "fit" layout shrink the whole chart
        layers.append(alt.Chart(ds(bdf)).mark_text(align="left", dx=4, fontSize=15, color="#5a1fb3", baseline="bottom",
                                                   y=alt.expr("height - 4"))
                      .encode(x=alt.X("year:Q"), text=alt.Text("label:N")))
    return layers


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
