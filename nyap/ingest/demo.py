"""Deterministic demonstration cache in exactly the real schema.

The numbers are invented (plausible levels and trends, noise that grows as the population shrinks),
never real Kolada values. The manifest's demo flag is set, so every page and exported image says
that demo data is shown. Run: python -m nyap demo-cache
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from nyap.data.cache import NO_AGE_GROUP, Cache, write_cache
from nyap.rules.goals import GoalsConfig, configured_region
from nyap.data.region import Region
from nyap.data.suppression import Z95

SEED = 20170522
YEARS = range(2010, 2025)

# Rough populations (2023) of the project's own county: noise in a municipality's yearly value
# scales with 1/√population. Another county's municipalities get a size derived from their code
# (demo data only needs a spread of small and large places, see _population).
POPULATION = {
    "1715": 12_000, "1730": 8_500, "1737": 11_500, "1760": 4_000, "1761": 17_000, "1762": 3_600,
    "1763": 11_500, "1764": 9_000, "1765": 10_000, "1766": 13_000, "1780": 96_000, "1781": 24_000,
    "1782": 10_500, "1783": 11_500, "1784": 26_000, "1785": 15_000,
}


@dataclass(frozen=True)
class Spec:
    title: str
    unit: str  # procent | index | år | per_100000
    kpi_type: str  # K | L | A ("" for survey/regional)
    level: float  # county level in 2017
    trend: float  # per year
    spread: float  # sd of municipality offsets
    noise: float  # yearly noise sd for a municipality of 20 000
    gender_diff: float = 0.0  # women minus men; 0 with by_gender=False
    by_gender: bool = True
    first: int = 2010
    last: int = 2024
    bounds: tuple[float, float] = (0.0, 100.0)
    window: int = 1  # years in a moving mean (period label "2020–2022")
    group: bool = True  # Kolada has G33624 for this K-type KPI
    source: str = "kolada"
    definition: str = ""


SPECS: dict[str, Spec] = {
    "U01901": Spec("Tobaksrökning i hem där barn i 8 månaders ålder finns, andel (%)", "procent", "A",
                   7.0, -0.35, 2.0, 1.2, by_gender=False, last=2021),
    "N80401": Spec("Kariesfria 3-åringar, andel (%)", "procent", "L", 93.0, 0.15, 0, 0.4, 0.6),
    "BHV_overvikt4": Spec("Fyraåringar med övervikt eller fetma, andel (%)", "procent", "", 12.5, 0.1,
                          2.0, 1.5, 0.8, first=2012, source="regional"),
    "N15428": Spec("Elever i åk 9 som är behöriga till yrkesprogram, hemkommun, andel (%)", "procent", "A",
                   84.0, 0.1, 3.5, 2.5, 3.0),
    "N17461": Spec("Gymnasieelever med examen inom 4 år, hemkommun, andel (%)", "procent", "A",
                   76.0, 0.2, 4.0, 3.0, 5.0),
    "N33871": Spec("Avslutat treårigt gymnasium - placerade hela åk 9, 20 år, andel (%)", "procent", "K",
                   38.0, 0.8, 8.0, 9.0, by_gender=False, first=2019, group=False),
    "N02797": Spec("Invånare 16-24 år som varken arbetar eller studerar, andel (%)", "procent", "A",
                   9.0, -0.15, 2.0, 1.0, -1.0),
    "N61602": Spec("Självmord, 5-årsm, antal/100 000 inv, 15 år+", "per_100000", "L", 17.0, -0.1, 0, 0.6,
                   -12.0, last=2021, bounds=(0, 1000), window=5),
    "N61603": Spec("Självmord, 5-årsmedelvärde, antal/100 000 inv, 25 år+", "per_100000", "L", 18.5, -0.15,
                   0, 0.6, -13.0, first=2012, bounds=(0, 1000), window=5),
    "U01425": Spec("Invånare 16-84 år som är stillasittande mer än 7 timmar per dag, andel (%)", "procent",
                   "A", 31.0, 0.3, 3.0, 2.0, -2.0),
    "N00973": Spec("Lämnat etableringsuppdraget och börjat arbeta eller studera (status efter 90 dagar), andel",
                   "procent", "K", 38.0, 1.0, 8.0, 6.0, -10.0, first=2018),
    "N20402": Spec("Fallskador bland personer 80+, 3-årsm, antal slutenvårdstillfällen/100 000 inv",
                   "per_100000", "A", 6300.0, 20.0, 500.0, 300.0, 600.0, bounds=(0, 20000), window=3),
    "N15557": Spec("Elever i åk 5: Jag känner mig trygg i skolan, positiva svar, andel (%) (-2021)", "procent",
                   "K", 91.0, 0.1, 3.0, 2.5, 1.0, last=2021),
    "N15613": Spec("Elever i åk 5: Känner du dig trygg i skolan? Andel som svarat \"Helt och hållet\" eller \"Till stor del\", andel (%)",
                   "procent", "K", 84.0, 0.3, 3.0, 2.5, 1.0, first=2022),
    "N15553": Spec("Elever i åk 5: Mina lärare hjälper mig i skolarbetet när jag behöver det, positiva svar, andel (%)",
                   "procent", "K", 93.0, 0.0, 2.5, 2.0, 1.0, last=2021),
    "N15623": Spec("Elever i åk 5: Tycker du att du får den hjälp du behöver från skolan för att klara skolarbetet?, andel (%)",
                   "procent", "K", 86.0, 0.2, 3.0, 2.5, 1.0, first=2022),
    "N15551": Spec("Elever i åk 5: Skolarbetet gör mig så nyfiken att jag får lust att lära mig mer, positiva svar, andel (%)",
                   "procent", "K", 80.0, -0.4, 4.0, 3.0, 3.0, last=2021),
    "N15602": Spec("Elever i åk 5: Hur ofta får lärarna dig att bli intresserad av skolarbetet?, andel (%)",
                   "procent", "K", 70.0, 0.0, 4.0, 3.0, 3.0, first=2022),
    "U21454": Spec("Brukarbedömning hemtjänst äldreomsorg - bemötande, förtroende och trygghet, medelvärde",
                   "index", "K", 82.0, 0.2, 3.0, 2.0, -0.5, first=2016),
    "U23505": Spec("Brukarbedömning särskilt boende äldreomsorg - bemötande, förtroende och trygghet, medelvärde",
                   "index", "K", 78.0, 0.1, 4.0, 3.0, -0.5, first=2016),
    "U30453": Spec("Brukarbedömning individ- och familjeomsorg totalt - förbättrad situation, andel (%)",
                   "procent", "K", 72.0, 0.3, 8.0, 6.0, by_gender=False, first=2015),
    "U28532": Spec("Brukarbedömning daglig verksamhet LSS - Brukaren får bestämma om saker som är viktiga, andel (%)",
                   "procent", "K", 78.0, 0.2, 6.0, 5.0, 1.0, first=2015),
    "U71455": Spec("Patientupplevd kvalitet avseende kontinuitet och koordinering i primärvården, index (-2024)",
                   "index", "L", 75.0, -0.3, 0, 0.5, 1.0, last=2024),
    "N78113": Spec("Patientupplevd kvalitet avseende kontinuitet, hälso- och vårdcentral, medelvärde",
                   "index", "L", 70.0, 0.4, 0, 0.5, 1.0, first=2023),
    "U71454": Spec("Patientupplevd kvalitet avseende respekt och bemötande i primärvården, index (-2024)",
                   "index", "L", 88.0, -0.1, 0, 0.4, 0.5, last=2024),
    "N78112": Spec("Patientupplevd kvalitet avseende bemötande, hälso- och vårdcentral, medelvärde",
                   "index", "L", 85.0, 0.2, 0, 0.4, 0.5, first=2023),
    "U71452": Spec("Patientupplevd kvalitet avseende emotionellt stöd i primärvården, index (-2024)",
                   "index", "L", 80.0, -0.2, 0, 0.5, 0.5, last=2024),
    "N00923": Spec("Medellivslängd män, år", "år", "A", 80.2, 0.12, 0.9, 0.5, by_gender=False,
                   bounds=(60, 100)),
    "N00925": Spec("Medellivslängd kvinnor, år", "år", "A", 84.0, 0.08, 0.8, 0.5, by_gender=False,
                   bounds=(60, 100)),
    "N66077": Spec("Invånare, 0-19 år, med låg ekonomisk standard, andel (%)", "procent", "A",
                   17.0, 0.1, 4.0, 1.5, by_gender=False),
    "U01405": Spec("Invånare med bra självskattat hälsotillstånd, andel (%)", "procent", "A",
                   71.0, -0.1, 3.0, 2.5, -3.0),
    "U01413": Spec("Invånare 16-84 år med avsaknad av tillit till andra, andel (%)", "procent", "A",
                   27.0, 0.2, 3.0, 2.5, -2.0),
}

# Liv & Hälsa demo rounds (the example extract): indicator -> (title, definition, level 2017,
# change per year, women minus men, age profile by group relative to 18-84)
SURVEY_YEARS = (2017, 2022)
SURVEY_SPECS = {
    "U01405": ("Bra självskattat hälsotillstånd, andel (%)",
               "Andel som svarat mycket bra eller bra på frågan om hur de bedömer sitt allmänna hälsotillstånd.",
               70.0, -0.2, -3.0, {"18-29": 6.0, "30-44": 3.0, "45-64": -2.0, "65-84": -5.0}),
    "U01413": ("Avsaknad av tillit till andra, andel (%)",
               "Andel som instämmer i att man i allmänhet inte kan lita på de flesta människor.",
               27.0, 0.15, -2.0, {"18-29": 6.0, "30-44": 2.0, "45-64": -1.5, "65-84": -4.0}),
    "U01425": ("Stillasittande mer än 7 timmar per dag, andel (%)",
               "Andel som sitter ner sju timmar eller mer av den vakna tiden en vanlig dag.",
               40.0, 0.4, -2.0, {"18-29": 8.0, "30-44": 4.0, "45-64": 0.0, "65-84": -9.0}),
    "LH_rokning": ("Röker dagligen, andel (%)", "Andel som röker dagligen.",
                   9.0, -0.5, 1.0, {"18-29": -2.0, "30-44": -1.0, "45-64": 2.5, "65-84": -1.0}),
    "LH_alkohol": ("Riskabla alkoholvanor, andel (%)", "Andel med riskabla alkoholvanor enligt AUDIT-C.",
                   17.0, -0.2, -7.0, {"18-29": 9.0, "30-44": 0.0, "45-64": -1.0, "65-84": -6.0}),
    "LH_valbefinnande": ("Gott psykiskt välbefinnande, andel (%)",
                         "Andel med gott psykiskt välbefinnande enligt WEMWBS.",
                         62.0, -0.4, -4.0, {"18-29": -10.0, "30-44": -3.0, "45-64": 1.0, "65-84": 8.0}),
    "LH_ekonomisk_stress": ("Svårt att klara löpande utgifter, andel (%)",
                            "Andel som under de senaste 12 månaderna haft svårt att klara löpande utgifter.",
                            12.0, 0.3, 1.5, {"18-29": 5.0, "30-44": 3.0, "45-64": -1.0, "65-84": -5.0}),
}
AGE_SHARES = {"18-29": 0.14, "30-44": 0.20, "45-64": 0.36, "65-84": 0.30}


def _population(code: str) -> int:
    if code in POPULATION:
        return POPULATION[code]
    return 3_500 + (int(code) * 7919) % 40_000  # deterministic: the same demo every time


def _answers(code: str) -> int:
    """Total answers in a round: about 9 % of the population, at least 500 (hundreds in small
    municipalities, so that young men in Munkfors fall below the answer threshold)."""
    return max(500, int(_population(code) * 0.09))


def _clip(v, bounds):
    return np.clip(v, bounds[0], bounds[1])


def generate_observations(rng: np.random.Generator, region: Region) -> pd.DataFrame:
    rows: list[dict] = []
    munis = list(region.municipalities)
    weights = np.array([_population(c) for c in munis], dtype=float)
    for kpi, s in SPECS.items():
        years = [y for y in YEARS if s.first <= y <= s.last]
        genders = ("T", "K", "M") if s.by_gender else ("T",)
        offsets = rng.normal(0, s.spread, len(munis))
        slopes = rng.normal(s.trend, abs(s.trend) * 0.6 + 0.05 * s.noise, len(munis))

        def period(y: int) -> str:
            return str(y) if s.window == 1 else f"{y - s.window + 1}–{y}"

        def add(area, y, g, v):
            rows.append(dict(source=s.source, indicator_id=kpi, area_code=area, year=y, period=period(y),
                             gender=g, age_group=NO_AGE_GROUP, value=v, ci_low=np.nan, ci_high=np.nan,
                             n=np.nan, suppressed=False, series_id=kpi))

        for g in genders:
            gshift = {"T": 0.0, "K": s.gender_diff / 2, "M": -s.gender_diff / 2}[g]
            # a moving mean smooths the yearly noise
            smooth = 1 / np.sqrt(s.window)
            muni_vals = np.full((len(munis), len(years)), np.nan)
            for i, code in enumerate(munis):
                sd = s.noise * np.sqrt(20_000 / _population(code)) * smooth * (1.3 if g != "T" else 1.0)
                for j, y in enumerate(years):
                    muni_vals[i, j] = _clip(s.level + offsets[i] + slopes[i] * (y - 2017) + gshift
                                            + rng.normal(0, sd), s.bounds)
            # Missing values: Kolada returns null now and then (small municipalities more often).
            holes = rng.random(muni_vals.shape) < np.array(
                [0.06 if _population(c) < 6000 else 0.02 for c in munis])[:, None]
            muni_vals[holes] = np.nan
            county_vals = [s.level + s.trend * (y - 2017) + gshift + rng.normal(0, s.noise * 0.15 * smooth)
                           for y in years]
            country_vals = [s.level + 0.8 * s.spread * 0.3 + s.trend * 1.1 * (y - 2017) + gshift
                            + rng.normal(0, s.noise * 0.08 * smooth) for y in years]
            if s.kpi_type in ("K", "A", ""):
                for i, code in enumerate(munis):
                    for j, y in enumerate(years):
                        add(code, y, g, round(float(muni_vals[i, j]), 2) if not np.isnan(muni_vals[i, j]) else np.nan)
            if s.kpi_type in ("A", "L", ""):
                if s.kpi_type == "L":
                    vals = county_vals
                else:  # the county value follows the population-weighted municipalities
                    vals = []
                    for j in range(len(years)):
                        col = muni_vals[:, j]
                        ok = ~np.isnan(col)
                        vals.append(float(np.average(col[ok], weights=weights[ok])) if ok.any() else np.nan)
                for y, v in zip(years, vals):
                    add(region.county, y, g, round(float(_clip(v, s.bounds)), 2))
            if s.kpi_type in ("K", "A", "L"):
                for y, v in zip(years, country_vals):
                    add(region.country, y, g, round(float(_clip(v, s.bounds)), 2))
            if s.kpi_type == "K" and s.group and region.group:
                for j, y in enumerate(years):
                    col = muni_vals[:, j]
                    if (~np.isnan(col)).any():
                        add(region.group, y, g, round(float(np.nanmean(col)), 2))
    return pd.DataFrame(rows)


def example_extract(rng: np.random.Generator | None = None, region: Region | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shipped Liv & Hälsa example in the import format: (rows, indicator table).

    Invented numbers with realistic answer counts (hundreds in small municipalities), so that the
    import's suppression really happens. The 2017 round has no intervals (they are computed on
    import, as analysts often leave them out); 2022 has them.
    """
    rng = rng or np.random.default_rng(SEED + 1)
    region = region or configured_region()
    munis = list(region.municipalities)
    rows = []
    for kpi, (title, definition, level, trend, gdiff, ages) in SURVEY_SPECS.items():
        offsets = {c: rng.normal(0, 3.0) for c in munis}
        for code in munis + [region.county]:
            total = _answers(code) if code != region.county else sum(_answers(c) for c in munis)
            for y in SURVEY_YEARS:
                for g, gname in (("T", "Totalt"), ("K", "Kvinnor"), ("M", "Män")):
                    gshift = {"T": 0.0, "K": gdiff / 2, "M": -gdiff / 2}[g]
                    gshare = {"T": 1.0, "K": 0.54, "M": 0.46}[g]  # women answer more often
                    for age, share in list(AGE_SHARES.items()) + [("18-84", 1.0)]:
                        n = int(round(total * share * gshare * rng.uniform(0.9, 1.1)))
                        true = level + offsets.get(code, 0.0) + trend * (y - 2017) + gshift + ages.get(age, 0.0)
                        true = float(np.clip(true, 1, 99))
                        p = float(np.clip(true + rng.normal(0, np.sqrt(true * (100 - true) / max(n, 1))), 0.5, 99.5))
                        lo = hi = None
                        if y == 2022:
                            half = Z95 * np.sqrt(p * (100 - p) / max(n, 1))
                            lo, hi = max(0.0, round(p - half, 1)), min(100.0, round(p + half, 1))
                        p = round(p, 1)
                        if lo is not None:
                            lo, hi = min(lo, p), max(hi, p)
                        rows.append({"indikator": kpi, "omrade_kod": code, "ar": y, "kon": gname,
                                     "aldersgrupp": age, "andel": p, "ki_nedre": lo, "ki_ovre": hi, "antal_svar": n})
    indicators = pd.DataFrame([{"id": k, "titel": v[0], "definition": v[1], "enhet": "procent"}
                               for k, v in SURVEY_SPECS.items()])
    return pd.DataFrame(rows), indicators


EXAMPLE_NOTE = ("DEMODATA – påhittade värden i Liv & Hälsa-format, för att visa importen. "
                "Får inte användas som underlag.")


def write_example_files(folder: Path, region: Region | None = None) -> list[Path]:
    """data/examples/: the example as Swedish Excel (.xlsx) and as Swedish-Excel CSV (;, decimal
    comma, Windows-1252), each with its indicator table, both marked as demo data."""
    from openpyxl import Workbook

    rows, indicators = example_extract(region=region)
    folder.mkdir(parents=True, exist_ok=True)
    xlsx = folder / "livhalsa_exempel_DEMO.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append(list(rows.columns))
    for rec in rows.itertuples(index=False):
        ws.append([None if (isinstance(v, float) and np.isnan(v)) else v for v in rec])
    wi = wb.create_sheet("indikatorer")
    wi.append(list(indicators.columns))
    for rec in indicators.itertuples(index=False):
        wi.append(list(rec))
    wb.create_sheet("om").append([EXAMPLE_NOTE])
    wb.properties.created = wb.properties.modified = datetime(2025, 1, 1)
    wb.save(xlsx)
    csv_path = folder / "livhalsa_exempel_DEMO.csv"
    body = rows.to_csv(sep=";", decimal=",", index=False, float_format="%.1f")
    csv_path.write_bytes((f"# {EXAMPLE_NOTE}\n" + body).encode("cp1252"))
    ind_path = folder / "livhalsa_exempel_DEMO_indikatorer.csv"
    ind_path.write_bytes(indicators.to_csv(sep=";", index=False).encode("cp1252"))
    return [xlsx, csv_path, ind_path]


def generate_survey(min_n: int, region: Region) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The demo cache's survey rows: the example extract through the real import pipeline."""
    from nyap.ingest.livhalsa import Extract, extract_observations, validate_rows

    rows, indicators = example_extract(region=region)
    valid = validate_rows(rows.astype(object), list(range(2, len(rows) + 2)), "exempel", set(indicators["id"]),
                          region)
    extract = Extract("livhalsa_exempel_DEMO", valid, indicators.rename(
        columns={"titel": "title", "enhet": "unit"}), demo=True)
    return extract_observations(extract, min_n), extract.indicators


def generate_indicators(config: GoalsConfig | None = None) -> pd.DataFrame:
    rows = []
    for kpi, s in SPECS.items():
        rows.append(dict(
            id=kpi, title=s.title, definition=s.definition or f"Demodata som efterliknar {kpi}. {s.title}.",
            unit=s.unit, source=s.source, kpi_type=s.kpi_type, divided_by_gender=s.by_gender,
            has_age_groups=kpi in SURVEY_SPECS, publication_date="2025-06-01",
            ended="(-20" in s.title,
        ))
    if config is not None:
        for extra in config.extra_indicators:
            for row in rows:
                if row["id"] == extra.id:
                    row.update(title=extra.title, definition=extra.definition)
    return pd.DataFrame(rows)


def generate_areas(region: Region) -> pd.DataFrame:
    return pd.DataFrame(region.area_rows())


def build_demo_cache(config: GoalsConfig | None = None, min_n: int = 100) -> Cache:
    rng = np.random.default_rng(SEED)
    min_n = config.meta.min_n if config else min_n
    region = config.region if config else configured_region()
    survey, survey_ind = generate_survey(min_n, region)
    obs = pd.concat([generate_observations(rng, region), survey], ignore_index=True)
    indicators = generate_indicators(config)
    new = survey_ind[~survey_ind["id"].isin(indicators["id"])]
    indicators = pd.concat([indicators, pd.DataFrame({
        "id": new["id"], "title": new["title"], "definition": new["definition"], "unit": new["unit"],
        "source": "livhalsa", "kpi_type": "", "divided_by_gender": True, "has_age_groups": True,
        "publication_date": None, "ended": False})], ignore_index=True)
    return Cache(obs, indicators, generate_areas(region), {})


def write_demo_cache(cache_dir: Path, config: GoalsConfig | None = None) -> Cache:
    cache = build_demo_cache(config)
    extra = {
        "demo": True,
        "demo_sources": sorted(set(cache.observations["source"].astype(str))),
        "sources": [{
            "name": "demo",
            "description": "Påhittade demonstrationsvärden (python -m nyap demo-cache), inte riktiga data.",
            "seed": SEED,
        }],
        "warnings": ["Demodata: alla värden är påhittade och får inte användas som underlag."],
    }
    return write_cache(cache, cache_dir, extra)
