"""(b) Every municipality's latest value, the chosen one and the compared ones marked."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from nyap.present.formatting import (
    COUNTY_COLOUR, GENDER_COLOURS, GENDER_LABELS, HIGHLIGHT, SUPPRESSED_MARK, fmt_number, fmt_value,
)
from nyap.rules.goal_arithmetic import usable
from nyap.present.prose import join_names, tied_at
from nyap.present.views import GoalView, latest_values_for_year
from nyap.present.charts.base import (
    CHOSEN_PARAM, COMPARE_BAR, ChartResult, FOCUS_BAND, OTHER_BAR, _Datasets, _chosen_label_style, _chosen_params, _count_text, _display_value, _names, _per_view, _unit_title, _value_fmt, finish, for_area, table_frame, wrap,
)


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
                target_rows.append({"value": float(ev["target"]), "gender": g, "target_sex": GENDER_LABELS[g],
                                    "label": f"Länets målvärde {fmt_number(ev['target'])}"
                                    + ("" if not km else f" ({GENDER_LABELS[g].lower()})")})
        if target_rows:
            tdf = pd.DataFrame(target_rows)
            reference_layers.append(alt.Chart(ds(tdf)).mark_rule(color="#111111", strokeWidth=3).encode(
                x=alt.X("value:Q"), tooltip=[alt.Tooltip("label:N", title="Mål")],
                strokeDash=_dash_by_sex(tdf, "target_sex", TARGET_DASH, "Länets mål", "#111111") if km else alt.value(TARGET_DASH["T"])))
            notes.append(("Prickad svart linje: " if not km else "Svarta linjer (kvinnor prickad, män streck-prick): ")
                         + ", ".join(tdf["label"]).replace("Länets målvärde", "länets målvärde"))
    ref = view.reference
    ref_rows = ref[(ref["year"] == used) & ref["gender"].isin(genders)] if not ref.empty else ref
    ref_rows = usable(ref_rows) if not ref_rows.empty else ref_rows
    if not ref_rows.empty:
        ref_rows = ref_rows.assign(county_sex=[GENDER_LABELS[str(g)] for g in ref_rows["gender"]], label=[f"{view.reference_label}: {fmt_number(v)}" + ("" if not km else f" ({GENDER_LABELS[g].lower()})")
                                          for v, g in zip(ref_rows["value"], ref_rows["gender"])])
        # with women and men, each sex's county line has its own dash (not only its own colour)
        reference_layers.append(alt.Chart(ds(ref_rows)).mark_rule(color=COUNTY_COLOUR, strokeWidth=3).encode(
            x=alt.X("value:Q"), tooltip=[alt.Tooltip("label:N", title="Länets referens")],
            strokeDash=_dash_by_sex(ref_rows, "county_sex", COUNTY_DASH, "Länet", COUNTY_COLOUR) if km else alt.value(COUNTY_DASH["T"])))
        notes.insert(0, ("Streckad brun linje: " if not km else "Bruna linjer (kvinnor långa streck, män korta): ")
                     + ", ".join(ref_rows["label"]))
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
    if km:  # the county's and the target's dashes: a key each, not one merged key
        chart = chart.resolve_scale(strokeDash="independent").resolve_legend(strokeDash="independent")
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


# the county's and the target's lines per sex: told apart by their dash, not only by colour
COUNTY_DASH = {"T": [8, 4], "K": [14, 5], "M": [4, 4]}
TARGET_DASH = {"T": [2, 3], "K": [2, 3], "M": [9, 3, 2, 3]}


def _dash_by_sex(rows: pd.DataFrame, field: str, dashes: dict, title: str, colour: str):
    """A line per sex with its own dash; its own field, so that the county's and the target's
    lines get a scale and a key each (one shared field would merge them into one key)."""
    present = [g for g in ("K", "M") if g in set(rows["gender"].astype(str))]
    return alt.StrokeDash(f"{field}:N", title=title, scale=alt.Scale(
        domain=[GENDER_LABELS[g] for g in present], range=[dashes[g] for g in present]),
        legend=alt.Legend(symbolType="stroke", symbolStrokeColor=colour, symbolStrokeWidth=3, symbolSize=500))
