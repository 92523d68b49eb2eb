"""The county's map: municipalities coloured by value or by status, the chosen one outlined."""

from __future__ import annotations

import altair as alt
import pandas as pd

from nyap.present.formatting import GENDER_LABELS, STATUS_STYLE, SUPPRESSED_MARK, fmt_number
from nyap.present.views import GoalView, latest_values_for_year
from nyap.present.charts.base import (
    CHOSEN_PARAM, ChartResult, _Datasets, _names, _unit_title, _value_fmt, finish, wrap,
)


# ------------------------------------------------------------------ the county's map

MAP_MODES = {"value": "Värde", "status": "Läge mot målet"}
MISSING_COLOUR = "#d9dde2"


_GEO_DATA = "nyap_geo"
# the status in a word on the status map (the chart font has no ✔ ● ○ ✖ glyphs)
STATUS_WORD = {"reached": "uppnått", "right_way": "rätt håll", "unchanged": "oförändrat", "wrong_way": "fel håll",
               "at_limit": "vid 100 %", "break": "seriebrott", "no_data": "–"}


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
        # in the status view the map's words say the status too: never told by colour alone
        word = STATUS_WORD[status_key] if mode == "status" else label
        props = {**f["properties"], "name": name, "value": value, "label": label, "word": word, "status": shown_status,
                 "status_group": STATUS_STYLE[status_key][2]}
        shapes.append({"type": "Feature", "geometry": f["geometry"], "properties": props})
        table.append({"Kod": code, "Kommun": name, "År": used, "Kön": GENDER_LABELS[gender],
                      f"Värde ({goal.value_unit})": label, "Läge mot målet": shown_status})
    # the colour's field is never null: Vega-Lite drops a shape whose quantitative field is null, and
    # a municipality without a value must stay on the map, grey (the condition tests the value)
    known = [sh["properties"]["value"] for sh in shapes if sh["properties"]["value"] is not None]
    middle = float(sum(known) / len(known)) if known else 0.0
    for sh in shapes:
        sh["properties"]["shade"] = sh["properties"]["value"] if sh["properties"]["value"] is not None else middle
    ds = _Datasets()
    labels = pd.DataFrame([{"lon": s["properties"]["label_lon"], "lat": s["properties"]["label_lat"],
                            "name": s["properties"]["name"], "text": f'{s["properties"]["name"]} {s["properties"]["word"]}'}
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
            "properties.shade:Q", title=_unit_title(view), scale=alt.Scale(scheme="blues", zero=False),
            legend=alt.Legend(orient="bottom", direction="horizontal", gradientLength=320, format=_value_fmt(view))),
            alt.value(MISSING_COLOUR))
    # the shapes are not announced one by one (Vega gives them no text); the chart's text
    # alternative and the table under it say every municipality's value
    fill = alt.Chart(geo).mark_geoshape(stroke="white", strokeWidth=1.5, aria=False).encode(
        color=colour, tooltip=tooltip)
    # the chosen municipality's outline follows a parameter: the map is built once per goal and
    # year, and each municipality's view only sets the parameter (for_area)
    # black, not the highlight blue: "Uppnått" is dark blue in the status view
    chosen = alt.Chart(geo).mark_geoshape(filled=False, stroke="#111111", strokeWidth=4, aria=False).transform_filter(
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


def room_adjust(spec: dict) -> dict:
    """The map on a slide: the key beside the map (the county is tall and narrow, the screen wide)
    and its words whole; the names and values on the map at the room's label size."""
    from nyap.present.charts.room import ROOM_FONT

    config = dict(spec.get("config", {}))
    config["legend"] = {**config.get("legend", {}), "orient": "right", "titleLimit": 0, "labelLimit": 0,
                        "columns": 1, "gradientLength": 420}
    spec = {**spec, "config": config}
    layers = []
    for layer in spec.get("layer", []):
        mark = layer.get("mark")
        if isinstance(mark, dict) and mark.get("type") == "text":
            mark = {**mark, "fontSize": ROOM_FONT - 3}
        enc = layer.get("encoding", {})
        if "color" in enc:  # the legend's own orientation wins over the config's
            enc = {**enc, "color": _legend_right(enc["color"])}
        layers.append({**layer, "mark": mark, "encoding": enc} if "encoding" in layer else {**layer, "mark": mark})
    return {**spec, "layer": layers}


def _legend_right(colour: dict) -> dict:
    if "legend" in colour and isinstance(colour["legend"], dict):
        colour = {**colour, "legend": {**colour["legend"], "orient": "right", "columns": 1, "direction": "vertical"}}
    if "condition" in colour and isinstance(colour["condition"], dict):
        colour = {**colour, "condition": _legend_right(colour["condition"])}
    return colour
