"""(c) The goal gap: how far each municipality has left to its target."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from nyap.present.formatting import GENDER_LABELS, STATUS_STYLE
from nyap.rules.goal_arithmetic import COMPUTED_MEAN_CODE
from nyap.present.prose import UNKNOWN_UNCERTAINTY, remaining_phrase
from nyap.present.status import coverage_text, coverage_warning, status_label
from nyap.present.views import GoalView
from nyap.present.charts.base import (
    CHOSEN_PARAM, ChartResult, FOCUS_BAND, GAP_ROW_SHIFT, _Datasets, _chosen_label_style, _chosen_params, _names, _per_view, _scope, _unit_title, _value_fmt, finish, for_area, wrap,
)


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


ROOM_LABELS = 440  # px at 1920: the status words' own column on a slide


def room_adjust(spec: dict) -> dict:
    """The goal gap on a slide: each row's status words in a column of their own right of the plot
    at the room's label size (above the row they were 17 px beside 27 px axes), the marks centred
    in their row."""
    from nyap.present.charts.room import ROOM_FONT

    width = spec["width"] - ROOM_LABELS
    layers = []
    for layer in spec.get("layer", []):
        mark = layer.get("mark")
        enc = dict(layer.get("encoding", {}))
        if isinstance(mark, dict) and mark.get("type") == "text":
            mark = {**mark, "fontSize": ROOM_FONT - 3, "yOffset": 0, "align": "left"}
            enc["x"] = {"value": width + 24}
        elif isinstance(mark, dict) and "yOffset" in mark:
            mark = {**mark, "yOffset": 0}
        layers.append({**layer, "mark": mark, **({"encoding": enc} if "encoding" in layer else {})})
    # no extra padding: Vega's autosize already makes room for the words beyond the plot
    return {**spec, "layer": layers, "width": width}
