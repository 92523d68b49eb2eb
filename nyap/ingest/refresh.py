"""Rebuild the cache from Kolada: fetch, convert, validate, then swap in atomically.

Nothing is written until every request has succeeded and the new cache validates; the previous
cache is kept as a backup. Kolada's realities are reported, not hidden: `value: null` is missing,
`isdeleted` entries are dropped, a KPI that vanished from /kpi or whose title says it ended
("(-2024)") is reported and keeps its last data, an unpublished year (no items) is not an error.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from nyap.data.cache import NO_AGE_GROUP, Cache, CacheError, load_cache, write_cache
from nyap.rules.goals import GoalsConfig
from nyap.ingest.kolada import KoladaClient, KoladaError

ENDED_TITLE = re.compile(r"\(-\s*(\d{4})\)\s*$")
SURVEY_SOURCES = ("livhalsa", "regional")


@dataclass
class RefreshReport:
    api_base: str
    years: tuple[int, int]
    rows_per_indicator: dict[str, int] = field(default_factory=dict)  # Kolada's entries, with or without a value
    values_per_indicator: dict[str, int] = field(default_factory=dict)  # entries with a value
    years_per_indicator: dict[str, tuple[int, int]] = field(default_factory=dict)
    empty: list[str] = field(default_factory=list)
    empty_reasons: dict[str, str] = field(default_factory=dict)  # why a KPI has no values, in Swedish
    vanished: list[str] = field(default_factory=list)
    ended: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    requests: int = 0
    dropped_deleted: int = 0

    def summary_lines(self) -> list[str]:
        lines = [f"Hämtat från {self.api_base}, år {self.years[0]}–{self.years[1]}, {self.requests} anrop.",
                 f"{'Indikator':10s} {'värden':>6s} {'poster':>6s}  år med värden"]
        for kpi in sorted(self.rows_per_indicator):
            yrs = self.years_per_indicator.get(kpi)
            span = f"{yrs[0]}–{yrs[1]}" if yrs else "–"
            lines.append(f"{kpi:10s} {self.values_per_indicator.get(kpi, 0):6d} {self.rows_per_indicator[kpi]:6d}  {span}")
        lines.append("(poster = Koladas svar, med eller utan värde; värden = poster med ett tal)")
        if self.empty:
            lines.append("Utan värden:")
            lines += [f"  {kpi}: {self.empty_reasons.get(kpi, 'inga värden')}" for kpi in sorted(self.empty)]
        if self.dropped_deleted:
            lines.append(f"Borttagna poster (isdeleted): {self.dropped_deleted}")
        for w in self.warnings:
            lines.append("Varning: " + w)
        return lines


class Progress:
    """A plain text progress bar on stderr: what it is doing and how far it has come."""

    def __init__(self, total: int, stream=None, width: int = 28):
        self.total, self.done, self.width = max(total, 1), 0, width
        self.stream = stream if stream is not None else sys.stderr

    def step(self, what: str) -> None:
        self.done += 1
        filled = int(self.width * self.done / self.total)
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} {what[:60]:60s}")
        self.stream.flush()
        if self.done >= self.total:
            self.stream.write("\n")


def unit_from_title(title: str) -> str:
    t = title.lower()
    if "/100 000" in t or "per 100 000" in t:
        return "per_100000"
    if "andel" in t or "(%)" in t:
        return "procent"
    if t.rstrip().endswith(", år") or "medellivslängd" in t:
        return "år"
    return "index"


def items_to_observations(items: list[dict], report: RefreshReport) -> pd.DataFrame:
    rows = []
    for item in items:
        kpi, period, area = str(item.get("kpi", "")), item.get("period"), str(item.get("municipality", ""))
        if not kpi or period is None or not area:
            report.warnings.append(f"Ofullständig post hoppades över: {str(item)[:80]}")
            continue
        for v in item.get("values") or []:
            if v.get("isdeleted"):
                report.dropped_deleted += 1
                continue
            gender = v.get("gender")
            if gender not in ("T", "K", "M"):
                continue
            value = v.get("value")
            rows.append(dict(
                source="kolada", indicator_id=kpi, area_code=area.zfill(4) if area.isdigit() else area,
                year=int(period), period=str(period), gender=gender, age_group=NO_AGE_GROUP,
                value=np.nan if value is None else float(value), ci_low=np.nan, ci_high=np.nan, n=np.nan,
                suppressed=False, series_id=kpi,
            ))
    cols = ["source", "indicator_id", "area_code", "year", "period", "gender", "age_group", "value", "ci_low",
            "ci_high", "n", "suppressed", "series_id"]
    df = pd.DataFrame(rows, columns=cols)
    # a repeated item (e.g. on two pages) must not become a duplicate row
    return df.drop_duplicates(["indicator_id", "area_code", "year", "gender"], keep="last")


def refresh(config: GoalsConfig, cache_dir: Path, client: KoladaClient, first_year: int = 2010,
            last_year: int | None = None, extra_kpis: tuple[str, ...] = (), progress_stream=None,
            manifest_extra: dict | None = None) -> tuple[Cache, RefreshReport]:
    """Fetch, convert, validate and swap in. `manifest_extra` adds fields to the manifest, e.g. the
    `source_label` and `extract` of a recorded extract replayed locally (scripts/build_real_cache.py)."""
    last_year = last_year or date.today().year
    kpi_ids = list(dict.fromkeys(list(config.kolada_ids()) + list(extra_kpis)))
    region = config.region
    years = list(range(first_year, last_year + 1))
    report = RefreshReport(client.base_url, (first_year, last_year))
    old = _old_cache(cache_dir)

    n_data_calls = len(kpi_ids)  # one progress step per KPI (each may be several requests)
    progress = Progress(n_data_calls + 2, progress_stream)
    progress.step("Hämtar nyckeltalens metadata (/kpi)")
    meta = {m["id"]: m for m in client.kpis(kpi_ids) if isinstance(m, dict) and "id" in m}
    progress.step("Hämtar kommunlistan (/municipality)")
    names = {str(m.get("id")): str(m.get("title")) for m in client.municipalities() if isinstance(m, dict)}

    items: list[dict] = []
    places = region.fetch_codes()
    group_ok = region.group is not None  # no group configured: the county's own mean (labelled)
    for kpi in kpi_ids:
        progress.step(f"Hämtar data {kpi}")
        items.extend(client.data([kpi], places, years))
        # the group asked on its own: if Kolada refuses a group id here, the municipalities'
        # data is still used and the county reference falls back to our own unweighted mean
        if group_ok:
            try:
                items.extend(client.data([kpi], [region.group], years))
            except KoladaError as exc:
                group_ok = False
                report.warnings.append(f"Gruppen {region.group} kunde inte hämtas ({exc}); länets referens för "
                                       "K-typ blir ett eget ovägt medelvärde av kommunerna.")
    report.requests = client.requests_made
    obs = items_to_observations(items, report)

    # vanished and ended KPIs: report, and keep their last data from the previous real cache.
    # "the goal shows the latest data" only for a KPI that has values; one without says so
    def has_values(kpi: str) -> bool:
        return bool(obs.loc[obs["indicator_id"] == kpi, "value"].notna().any())

    for kpi in kpi_ids:
        if kpi not in meta:
            report.vanished.append(kpi)
            report.warnings.append(f"{kpi} finns inte längre i Koladas katalog (/kpi); " + (
                "målet visar senaste data med en anmärkning." if has_values(kpi) else "inga värden hämtades."))
        else:
            m = ENDED_TITLE.search(str(meta[kpi].get("title", "")))
            if m:
                report.ended[kpi] = int(m.group(1))
                report.warnings.append(f"{kpi} är en avslutad serie (t.o.m. {m.group(1)} enligt titeln); " + (
                    "målet visar senaste data." if has_values(kpi) else "Kolada har inga värden för den."))
    if old is not None and "kolada" not in old.demo_sources:
        keep_ids = [k for k in report.vanished if obs[obs["indicator_id"] == k]["value"].notna().sum() == 0]
        carried = old.observations[(old.observations["source"] == "kolada")
                                   & old.observations["indicator_id"].isin(keep_ids)]
        if not carried.empty:
            obs = pd.concat([obs, carried.astype({c: str for c in ("source", "indicator_id", "area_code", "period",
                                                                    "gender", "age_group", "series_id")})],
                            ignore_index=True)
            report.warnings.append(f"Tidigare hämtade värden behålls för {', '.join(sorted(set(carried['indicator_id'].astype(str))))}.")

    for kpi in kpi_ids:
        entries = obs[obs["indicator_id"] == kpi]
        rows = entries[entries["value"].notna()]
        report.rows_per_indicator[kpi] = int(len(entries))
        report.values_per_indicator[kpi] = int(len(rows))
        if rows.empty:
            report.empty.append(kpi)
            report.empty_reasons[kpi] = _why_empty(kpi, entries, meta, first_year, last_year)
        else:
            report.years_per_indicator[kpi] = (int(rows["year"].min()), int(rows["year"].max()))
    _ended_by_data(report, meta)
    for goal in config.goals:
        missing = [r.id for r in goal.indicators if r.id in kpi_ids and r.id in report.empty]
        if missing and len(missing) == len([r for r in goal.indicators if r.id in kpi_ids]):
            report.warnings.append(f"Målet '{goal.id}' saknar värden från Kolada ({', '.join(missing)}).")
        else:
            _warn_lost_baseline(goal, obs, config, report)

    _check_plausible(obs, kpi_ids, report, region)
    indicators = _indicator_table(kpi_ids, meta, report, old, config)
    area_table = pd.DataFrame(region.area_rows(names))
    survey = _kept_survey_rows(old)
    if not survey.empty:
        obs = pd.concat([obs, survey], ignore_index=True)
        keep = old.indicators[old.indicators["id"].isin(set(survey["indicator_id"].astype(str)))
                              & ~old.indicators["id"].isin(indicators["id"])]
        indicators = pd.concat([indicators, keep], ignore_index=True)

    cache = Cache(obs, indicators, area_table, {})
    fetched = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    sources = [{"name": "kolada", "description": "Kolada (RKA), API v3", "api_base": client.base_url,
                "fetched": fetched, "years": [first_year, last_year]}]
    if old is not None:
        sources += [s for s in old.manifest.get("sources", [])
                    if s.get("name") in SURVEY_SOURCES and s.get("name") not in old.demo_sources]
    extra = {"demo": False, "demo_sources": [], "sources": sources, "api_base": client.base_url, "fetched": fetched,
             "warnings": report.warnings, "row_counts": report.rows_per_indicator,
             "vanished": report.vanished, "ended": report.ended, "value_counts": report.values_per_indicator,
             "empty_reasons": report.empty_reasons}
    extra.update(manifest_extra or {})
    return write_cache(cache, cache_dir, extra), report


def _why_empty(kpi: str, entries: pd.DataFrame, meta: dict, first_year: int, last_year: int) -> str:
    """Why a KPI came back without values, in words for the report and Om data."""
    if kpi not in meta:
        return "finns inte i Koladas katalog (/kpi) – nedlagt eller bytt id"
    if entries.empty:
        kind = str(meta[kpi].get("municipality_type", "") or "")
        return (f"Kolada svarade utan poster för länets områden {first_year}–{last_year}"
                + (" (nyckeltalet gäller bara regioner)" if kind == "L" else ""))
    years = sorted(set(entries["year"].astype(int)))
    return (f"{len(entries)} poster {years[0]}–{years[-1]}, alla utan värde (null) – Kolada har inte publicerat "
            "siffror för länets områden")


def _ended_by_data(report: RefreshReport, meta: dict) -> None:
    """A series whose last value is two or more years older than the newest value among the
    goals' other KPIs has most likely ended, whatever its title says (U01901: last value 2021)."""
    if not report.years_per_indicator:
        return
    newest = max(last for _, last in report.years_per_indicator.values())
    for kpi, (_, last) in sorted(report.years_per_indicator.items()):
        if kpi in report.ended or last > newest - 2:
            continue
        report.ended[kpi] = last
        report.warnings.append(f"{kpi}: senaste värdet är från {last}, medan andra nyckeltal har {newest} – serien ser "
                               "avslutad ut; målet visar senaste data med en anmärkning.")


def _warn_lost_baseline(goal, obs: pd.DataFrame, config: GoalsConfig, report: RefreshReport) -> None:
    """A chain (a KPI and its successor) whose baseline-year KPI returned nothing leaves the goal
    without a baseline: say so per goal instead of letting the page show it silently."""
    from nyap.rules.goal_arithmetic import BASELINE_WINDOW, baseline_year_among, goal_values, usable

    for track in goal.tracks:
        values = usable(goal_values(obs, goal, track, ("kolada",)))
        if values.empty:
            continue
        period = goal.periods[0]
        if baseline_year_among(values["year"].unique(), period.baseline_year) is None:
            ids = [r.id for r in goal.indicators if r.track == track]
            empty = [i for i in ids if i in report.empty]
            first = int(values["year"].min())
            report.warnings.append(
                f"Målet '{goal.id}'{f' ({track})' if track else ''} saknar basvärde: inget värde "
                f"{period.baseline_year - BASELINE_WINDOW}–{period.baseline_year + BASELINE_WINDOW}"
                + (f" ({', '.join(empty)} utan värden)" if empty else "")
                + f"; första värde {first}. Målet kan inte bedömas.")


def _old_cache(cache_dir: Path) -> Cache | None:
    try:
        return load_cache(cache_dir)
    except CacheError:
        return None


def _kept_survey_rows(old: Cache | None) -> pd.DataFrame:
    """Imported Liv & Hälsa/regional extracts survive a Kolada refresh; demo rows never do."""
    if old is None:
        return pd.DataFrame()
    keep = [s for s in SURVEY_SOURCES if s not in old.demo_sources]
    rows = old.observations[old.observations["source"].isin(keep)]
    return rows.astype({c: str for c in ("source", "indicator_id", "area_code", "period", "gender", "age_group",
                                         "series_id")})


def _indicator_table(kpi_ids, meta, report, old, config) -> pd.DataFrame:
    rows = []
    for kpi in kpi_ids:
        m = meta.get(kpi)
        if m is None and old is not None and "kolada" not in old.demo_sources and old.indicator(kpi):
            row = dict(old.indicator(kpi))
            row["ended"] = True
            rows.append(row)
            continue
        if m is None:
            rows.append(dict(id=kpi, title=f"{kpi} (finns inte längre i Kolada)", definition="", unit="procent",
                             source="kolada", kpi_type="", divided_by_gender=False, has_age_groups=False,
                             publication_date=None, ended=True))
            continue
        title = str(m.get("title", kpi))
        mtype = str(m.get("municipality_type", "") or "")
        rows.append(dict(
            id=kpi, title=title, definition=str(m.get("description", "") or ""), unit=unit_from_title(title),
            source="kolada", kpi_type=mtype if mtype in ("K", "L", "A") else "",
            divided_by_gender=bool(m.get("is_divided_by_gender", False)), has_age_groups=False,
            publication_date=str(m.get("publication_date") or "") or None, ended=kpi in report.ended,
        ))
    return pd.DataFrame(rows)


def _check_plausible(obs: pd.DataFrame, kpi_ids: list[str], report: RefreshReport, region) -> None:
    """Refuse to replace a cache with an answer that is clearly not what we asked for."""
    if obs.empty or obs["value"].notna().sum() == 0:
        raise CacheError("Kolada gav inga värden alls för målens nyckeltal – den gamla cachen behålls.")
    unexpected = sorted(set(obs["area_code"].astype(str)) - set(region.names()))
    if unexpected:
        raise CacheError(f"Kolada gav värden för områden som inte efterfrågades: {unexpected[:5]} – den gamla cachen behålls.")
    unknown = sorted(set(obs["indicator_id"].astype(str)) - set(kpi_ids))
    if unknown:
        raise CacheError(f"Kolada gav värden för nyckeltal som inte efterfrågades: {unknown[:5]} – den gamla cachen behålls.")
    munis = set(obs.loc[obs["value"].notna(), "area_code"].astype(str)) & set(region.municipalities)
    if len(munis) < region.size:
        report.warnings.append("Inga värden alls för: " + ", ".join(sorted(set(region.municipalities) - munis)))
