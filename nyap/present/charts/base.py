"""What every chart shares: the result type, named datasets, the finish (title, source line,
notes, locale, projector styling), the chosen-area parameters, and small helpers."""

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

from nyap.present.formatting import NBSP, D3_LOCALE, GENDER_LABELS, HIGHLIGHT, SUPPRESSED_MARK, fmt_number
from nyap.present.fonts import CHART_FONT
from nyap.rules.goal_arithmetic import usable
from nyap.present.views import GoalView

# Altair checks every object against the Vega-Lite schema as it is made ("debug mode"): about 15 %
# of a chart's build, paid again for each municipality, sex and year a visitor opens. The finished
# charts of every goal are checked against the schema in tests/test_store.py instead.
alt.utils.schemapi.disable_debug_mode()


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
        subtitleColor="#b3261e" if is_demo else "#333333", font=FONT, subtitleFont=FONT, offset=12
    ).to_dict(validate=False)
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


def _int_or(value) -> str:
    return "" if value is None or pd.isna(value) else str(int(value))


def _has_values(frame: pd.DataFrame) -> bool:
    return not frame.empty and not usable(frame).empty


def _display_value(row, unit: str) -> str:
    if bool(row.get("suppressed", False)):
        return SUPPRESSED_MARK
    return fmt_number(row["value"]) if not pd.isna(row["value"]) else "saknas"


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
