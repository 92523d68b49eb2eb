"""Import of Liv & Hälsa (and other regional survey) extracts into the cache.

Reads what Swedish analysts actually produce: CSV in UTF-8 or Windows-1252 with ',' or ';'
separators and decimal commas, or Excel .xlsx; Swedish column names; genders as T/K/M or
Totalt/Kvinnor/Män. Every row is validated and problems are reported by row and column in Swedish;
a file with errors changes nothing. A valid file is merged into the cache atomically.

Format (DATA.md): indikator, omrade_kod, ar, kon, aldersgrupp, andel, ki_nedre, ki_ovre, antal_svar
plus an indicator table (id, titel, definition, enhet): an .xlsx sheet named "indikatorer", or a CSV
file next to the extract named <extract>_indikatorer.csv (or given with --indikatorer).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from nyap.data.formulas import looks_like_formula
from nyap.data.cache import Cache, load_cache, write_cache
from nyap.data.region import Region
from nyap.rules.goals import GoalsConfig, configured_region
from nyap.data.suppression import apply_suppression, normal_ci

REQUIRED = ("indikator", "omrade_kod", "ar", "kon", "aldersgrupp", "andel", "antal_svar")
OPTIONAL = ("ki_nedre", "ki_ovre")
INDICATOR_COLUMNS = ("id", "titel", "definition", "enhet")
GENDERS = {"t": "T", "totalt": "T", "total": "T", "alla": "T", "k": "K", "kvinnor": "K", "kvinna": "K",
           "m": "M", "män": "M", "man": "M"}
SUPPRESSED_TEXT = {"..", "…", "x"}
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
AGE = re.compile(r"^(\d{1,3})\s*[-–—]\s*(\d{1,3})(\s*år)?$|^(\d{1,3})\s*\+(\s*år)?$")
MAX_PROBLEMS = 50


class ExtractError(Exception):
    """The extract cannot be imported. `problems` are Swedish, by row and column."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Extract:
    name: str
    rows: pd.DataFrame  # validated, normalised (observations-like, before suppression)
    indicators: pd.DataFrame  # id, title, definition, unit
    demo: bool = False
    sha256: str = ""
    notes: list[str] = field(default_factory=list)


def _norm(name) -> str:
    text = unicodedata.normalize("NFC", str(name)).strip().lower().replace("\ufeff", "")
    text = text.replace("å", "a").replace("ä", "a").replace("ö", "o")
    return re.sub(r"[\s\-]+", "_", text)


# --------------------------------------------------------------------------- reading

def _decode(raw: bytes, name: str) -> str:
    if b"\x00" in raw[:4096]:
        raise ExtractError([f"{name}: filen är inte text i UTF-8 eller Windows-1252 (den ser ut som UTF-16 "
                            "eller en binärfil). Spara den som CSV UTF-8 eller som .xlsx."])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ExtractError([f"{name}: teckenkodningen känns inte igen (varken UTF-8 eller Windows-1252): "
                            f"byte {exc.start}."]) from exc


def _read_csv_text(text: str, name: str) -> tuple[pd.DataFrame, list[str], list[int]]:
    """Returns the table as strings, the comment lines, and each data row's line number."""
    lines = text.splitlines()
    comments = [ln for ln in lines if ln.lstrip().startswith("#")]
    numbered = [(i + 1, ln) for i, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith("#")]
    if not numbered:
        raise ExtractError([f"{name}: filen är tom (inga rader med data)."])
    header_line = numbered[0][1]
    counts = {sep: header_line.count(sep) for sep in (";", ",", "\t")}
    sep = max(counts, key=counts.get)
    if counts[sep] == 0:
        raise ExtractError([f"{name}, rad {numbered[0][0]}: rubrikraden har inga kolumnavgränsare (; eller ,)."])
    problems = []
    for lineno, line in numbered[1:]:
        for field_text in line.split(sep):
            cell = field_text.strip().strip('"')
            if looks_like_formula(cell):
                problems.append(f"{name}, rad {lineno}: cellen {cell[:30]!r} ser ut som en formel – bara värden får importeras.")
                break
        if len(problems) >= 10:
            break
    if problems:
        raise ExtractError(problems)
    reader = csv.reader(io.StringIO("\n".join(ln for _, ln in numbered)), delimiter=sep)
    records = list(reader)
    header = records[0]
    width = len(header)
    for (lineno, _), rec in zip(numbered[1:], records[1:]):
        if len(rec) != width:
            problems.append(f"{name}, rad {lineno}: {len(rec)} fält men rubriken har {width} "
                            f"(blandade avgränsare eller ett skiljetecken i ett värde?).")
            if len(problems) >= 10:
                break
    if problems:
        raise ExtractError(problems)
    df = pd.DataFrame(records[1:], columns=header, dtype=object)
    return df, comments, [ln for ln, _ in numbered[1:]]


def _xlsx_sheets(path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet as a frame of cell values. Formula cells are refused: their cached values can
    be stale or missing, and a formula is no place for a number we publish."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ExtractError([f"{path.name}: Excel-filen kan inte läsas ({type(exc).__name__}). "
                            "Spara om den som .xlsx eller CSV."]) from exc
    sheets, problems = {}, []
    try:
        for ws in wb.worksheets:
            rows = []
            for r, row in enumerate(ws.iter_rows(), 1):
                values = []
                for cell in row:
                    if cell.data_type == "f" or looks_like_formula(cell.value):
                        col = getattr(cell, "column_letter", "?")
                        problems.append(f"{path.name}, blad '{ws.title}', rad {r}, cell {col}{r}: cellen är en formel "
                                        f"({str(cell.value)[:30]!r}) – bara värden får importeras.")
                    values.append(cell.value)
                rows.append(values)
            sheets[ws.title] = pd.DataFrame(rows, dtype=object)
    finally:
        wb.close()
    if problems:
        raise ExtractError(problems[:MAX_PROBLEMS])
    return sheets


def _read_xlsx(path: Path) -> tuple[pd.DataFrame, pd.DataFrame | None, list[str], list[int]]:
    sheets = _xlsx_sheets(path)
    names = {_norm(k): k for k in sheets}
    data_key = next((names[k] for k in names if k not in ("indikatorer", "om", "info", "las_mig")), None)
    if data_key is None:
        raise ExtractError([f"{path.name}: arbetsboken saknar ett blad med data."])
    comments = []
    for key in ("om", "info", "las_mig"):
        if key in names:
            comments += [str(v) for v in sheets[names[key]].to_numpy().ravel() if isinstance(v, str)]
    data = sheets[data_key].dropna(how="all")
    if data.empty:
        raise ExtractError([f"{path.name}: bladet '{data_key}' är tomt."])
    header = [str(h) for h in data.iloc[0]]
    rows = data.iloc[1:]
    df = pd.DataFrame(rows.to_numpy(), columns=header, dtype=object)
    linenos = [int(i) + 1 for i in rows.index]
    ind = None
    if "indikatorer" in names:
        sheet = sheets[names["indikatorer"]].dropna(how="all")
        if not sheet.empty:
            ind = pd.DataFrame(sheet.iloc[1:].to_numpy(), columns=[str(h) for h in sheet.iloc[0]], dtype=object)
    return df, ind, comments, linenos


def read_indicator_table(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    if path.suffix.lower() == ".xlsx":
        sheet = next(iter(_xlsx_sheets(path).values())).dropna(how="all")
        return pd.DataFrame(sheet.iloc[1:].to_numpy(), columns=[str(h) for h in sheet.iloc[0]], dtype=object)
    df, _, _ = _read_csv_text(_decode(raw, path.name), path.name)
    return df


# --------------------------------------------------------------------------- validation

def _number(text, allow_empty: bool = True):
    """'12,5' / '12.5' / 12.5 -> 12.5; '' -> None; otherwise raises ValueError."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        if allow_empty:
            return None
        raise ValueError("tomt")
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    s = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if s == "":
        if allow_empty:
            return None
        raise ValueError("tomt")
    if s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
    return float(s)


def validate_rows(df: pd.DataFrame, linenos: list[int], name: str, known_indicators: set[str],
                  region: Region) -> pd.DataFrame:
    cols = {_norm(c): c for c in df.columns}
    aliases = {"omradeskod": "omrade_kod", "kommunkod": "omrade_kod", "omrade": "omrade_kod", "aldersgrupp_ar": "aldersgrupp",
               "kon_t_k_m": "kon", "antal": "antal_svar", "n": "antal_svar", "ki_undre": "ki_nedre"}
    for alias, target in aliases.items():
        if alias in cols and target not in cols:
            cols[target] = cols.pop(alias)
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise ExtractError([f"{name}: kolumner saknas: {', '.join(missing)}. Rubrikraden ska ha "
                            f"{', '.join(REQUIRED[:5])}, andel, ki_nedre, ki_ovre, antal_svar "
                            f"(hittade: {', '.join(str(c) for c in df.columns)})."])
    if len(df) > MAX_ROWS:
        raise ExtractError([f"{name}: {len(df)} rader – mer än {MAX_ROWS} går inte att importera på en gång."])
    problems: list[str] = []
    out = []

    def bad(lineno, col, msg):
        if len(problems) < MAX_PROBLEMS:
            problems.append(f"{name}, rad {lineno}, kolumn '{col}': {msg}")

    seen: dict[tuple, int] = {}
    for lineno, rec in zip(linenos, df.to_dict("records")):
        get = {c: rec.get(cols[c]) if c in cols else None for c in REQUIRED + OPTIONAL}
        row_ok = True
        for col, val in get.items():
            if looks_like_formula(val):
                bad(lineno, col, f"cellen ser ut som en formel ({val[:30]!r}) – bara värden får importeras.")
                row_ok = False
        if not row_ok:
            continue
        ind = str(get["indikator"] or "").strip()
        if not ind:
            bad(lineno, "indikator", "tomt id.")
            row_ok = False
        elif ind not in known_indicators:
            bad(lineno, "indikator", f"okänd indikator {ind!r} (saknas i indikatortabellen).")
            row_ok = False
        area_raw = get["omrade_kod"]
        area = str(int(area_raw)) if isinstance(area_raw, float) and area_raw.is_integer() else str(area_raw or "").strip()
        if area.isdigit():
            area = area.zfill(4)  # Excel drops leading zeros: 17 -> 0017
        if not (region.is_municipality(area) or area == region.county):
            bad(lineno, "omrade_kod", f"okänd områdeskod {str(area_raw)!r} (en av länets {region.size} kommuner, t.ex. "
                f"{next(iter(region.municipalities))}, eller länet {region.county}).")
            row_ok = False
        try:
            year = int(_number(get["ar"], allow_empty=False))
            if not 1990 <= year <= 2100 or float(_number(get["ar"])) != year:
                raise ValueError
        except (ValueError, TypeError):
            bad(lineno, "ar", f"ogiltigt år {get['ar']!r}.")
            row_ok = False
            year = None
        gender = GENDERS.get(str(get["kon"] or "").strip().lower())
        if gender is None:
            bad(lineno, "kon", f"okänt kön {get['kon']!r} (T, K, M eller Totalt, Kvinnor, Män).")
            row_ok = False
        age_raw = str(get["aldersgrupp"] or "").strip()
        m = AGE.match(age_raw)
        if not m:
            bad(lineno, "aldersgrupp", f"okänd åldersgrupp {age_raw!r} (t.ex. 18-29 eller 65+).")
            row_ok = False
            age = ""
        else:
            age = f"{m.group(1)}-{m.group(2)}" if m.group(1) else f"{m.group(4)}+"
        share_raw = get["andel"]
        suppressed_mark = isinstance(share_raw, str) and share_raw.strip() in SUPPRESSED_TEXT
        try:
            share = None if suppressed_mark else _number(share_raw)
            if share is not None and not 0 <= share <= 100:
                bad(lineno, "andel", f"andelen {share_raw!r} ligger utanför 0–100.")
                row_ok = False
        except ValueError:
            bad(lineno, "andel", f"{share_raw!r} är inte ett tal (använd t.ex. 72,4, eller .. för undertryckt).")
            row_ok = False
            share = None
        try:
            n = _number(get["antal_svar"], allow_empty=False)
            if n < 0 or not float(n).is_integer():
                bad(lineno, "antal_svar", f"antal svar måste vara ett heltal ≥ 0, inte {get['antal_svar']!r}.")
                row_ok = False
        except (ValueError, TypeError):
            bad(lineno, "antal_svar", f"{get['antal_svar']!r} är inte ett antal (antal svar krävs för att kunna undertrycka små grupper).")
            row_ok = False
            n = None
        ci = []
        for col in OPTIONAL:
            raw = get[col]
            if isinstance(raw, str) and raw.strip() in SUPPRESSED_TEXT:
                ci.append(None)
                continue
            try:
                v = _number(raw)
                if v is not None and not 0 <= v <= 100:
                    bad(lineno, col, f"{raw!r} ligger utanför 0–100.")
                    row_ok = False
                ci.append(v)
            except ValueError:
                bad(lineno, col, f"{raw!r} är inte ett tal.")
                row_ok = False
                ci.append(None)
        lo, hi = ci
        if row_ok and (lo is None) != (hi is None):
            bad(lineno, "ki_nedre" if lo is None else "ki_ovre", "bara en av intervallgränserna är ifylld.")
            row_ok = False
        if row_ok and share is not None and lo is not None and not (lo <= share <= hi):
            bad(lineno, "ki_nedre", f"konfidensintervallet {lo:g}–{hi:g} omsluter inte andelen {share:g}.")
            row_ok = False
        if row_ok and share is None and not suppressed_mark:
            bad(lineno, "andel", "andelen saknas (skriv .. för en undertryckt grupp).")
            row_ok = False
        key = (ind, area, year, gender, age)
        if row_ok and key in seen:
            bad(lineno, "indikator", f"dubblett av rad {seen[key]} (samma indikator, område, år, kön och åldersgrupp).")
            row_ok = False
        if row_ok:
            seen[key] = lineno
            out.append(dict(indicator_id=ind, area_code=area, year=year, gender=gender, age_group=age, value=share,
                            ci_low=lo, ci_high=hi, n=float(n), suppressed=bool(suppressed_mark)))
    if problems:
        more = "" if len(problems) < MAX_PROBLEMS else f" (visar de första {MAX_PROBLEMS})"
        raise ExtractError([f"{name}: filen har fel och importerades inte{more}:"] + problems)
    return pd.DataFrame(out)


def _indicator_frame(raw: pd.DataFrame | None, name: str) -> pd.DataFrame:
    if raw is None:
        return pd.DataFrame(columns=["id", "title", "definition", "unit"])
    cols = {_norm(c): c for c in raw.columns}
    missing = [c for c in ("id", "titel") if c not in cols]
    if missing:
        raise ExtractError([f"{name}: indikatortabellen saknar kolumnerna {', '.join(missing)} (id, titel, definition, enhet)."])
    out = pd.DataFrame({
        "id": raw[cols["id"]].astype(str).str.strip(),
        "title": raw[cols["titel"]].astype(str).str.strip(),
        "definition": raw[cols["definition"]].fillna("").astype(str) if "definition" in cols else "",
        "unit": raw[cols["enhet"]].fillna("procent").astype(str) if "enhet" in cols else "procent",
    })
    for column in ("id", "title", "definition", "unit"):
        for value in out[column] if column in out else ():
            if looks_like_formula(value):
                raise ExtractError([f"{name}: indikatortabellen har en cell som ser ut som en formel ({value[:30]!r})."])
    return out[out["id"] != ""]


def read_extract(path: Path | str, indicator_path: Path | str | None = None,
                 known: set[str] | None = None, region: Region | None = None) -> Extract:
    """Read and validate an extract. Raises ExtractError with every problem found."""
    path = Path(path)
    name = path.name
    if not path.exists():
        raise ExtractError([f"{path}: filen finns inte."])
    size = path.stat().st_size
    if size == 0:
        raise ExtractError([f"{name}: filen är tom."])
    if size > MAX_BYTES:
        raise ExtractError([f"{name}: filen är {size / 1e6:.0f} MB – större än {MAX_BYTES // 1_000_000} MB "
                            "går inte att importera. Dela upp den per år eller indikator."])
    raw = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ExtractError([f"{name}: det gamla Excel-formatet .xls stöds inte. Spara som .xlsx eller CSV."])
    if suffix == ".xlsx" or raw[:4] == b"PK\x03\x04":
        df, ind_raw, comments, linenos = _read_xlsx(path)
    else:
        df, comments, linenos = _read_csv_text(_decode(raw, name), name)
        ind_raw = None
    if indicator_path is None:
        sibling = path.with_name(path.stem + "_indikatorer.csv")
        indicator_path = sibling if sibling.exists() else None
    if indicator_path is not None:
        ind_raw = read_indicator_table(Path(indicator_path))
    indicators = _indicator_frame(ind_raw, name)
    known_ids = set(indicators["id"]) | (known or set())
    # the configured county's areas (goals.toml); the project's goals.toml when none is given
    region = region or configured_region()
    rows = validate_rows(df, linenos, name, known_ids, region)
    if rows.empty:
        raise ExtractError([f"{name}: filen har inga datarader."])
    demo = any("DEMO" in c.upper() for c in comments) or "DEMO" in name.upper()
    return Extract(name, rows, indicators, demo, hashlib.sha256(raw).hexdigest())


# --------------------------------------------------------------------------- to the cache

def extract_observations(extract: Extract, min_n: int) -> pd.DataFrame:
    """Observations (source livhalsa) with missing 95 % intervals computed and small groups suppressed."""
    r = extract.rows.copy()
    need = r["value"].notna() & r["ci_low"].isna() & (r["n"] > 0)
    if need.any():
        lo, hi = normal_ci(r.loc[need, "value"].astype(float), r.loc[need, "n"].astype(float))
        r.loc[need, "ci_low"], r.loc[need, "ci_high"] = lo.round(2), hi.round(2)
    obs = pd.DataFrame({
        "source": "livhalsa", "indicator_id": r["indicator_id"], "area_code": r["area_code"],
        "year": r["year"].astype(int), "period": r["year"].astype(int).astype(str), "gender": r["gender"],
        "age_group": r["age_group"], "value": r["value"].astype(float), "ci_low": r["ci_low"].astype(float),
        "ci_high": r["ci_high"].astype(float), "n": r["n"].astype(float), "suppressed": r["suppressed"].astype(bool),
        "series_id": r["indicator_id"] + "-LH",
    })
    return apply_suppression(obs, min_n)


@dataclass
class ImportReport:
    rows: int
    suppressed: int
    computed_ci: int
    indicators: list[str]
    years: list[int]
    demo: bool
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [f"{self.rows} rader importerade för {', '.join(self.indicators)} ({', '.join(map(str, self.years))}).",
                 f"{self.suppressed} grupper undertrycktes (för få svar, eller det andra könet i samma grupp).",
                 f"{self.computed_ci} konfidensintervall beräknades (95 %, normalapproximation)."]
        lines += self.notes
        if self.demo:
            lines.append("Filen är märkt som DEMODATA: cachen märks som demodata.")
        return lines


def import_extract(path: Path | str, cache_dir: Path, config: GoalsConfig,
                   indicator_path: Path | str | None = None) -> tuple[Cache, ImportReport]:
    old = load_cache(cache_dir)
    extract = read_extract(path, indicator_path, known_indicator_ids(config, old), config.region)
    new_obs = extract_observations(extract, config.meta.min_n)
    before_ci = extract.rows["value"].notna() & extract.rows["ci_low"].isna()
    o = old.observations
    demo_sources = set(old.demo_sources)
    notes = []
    if not extract.demo and "livhalsa" in demo_sources:
        # a real extract replaces every demo survey row: real and invented numbers never mix
        replaced = o["source"] == "livhalsa"
        demo_sources.discard("livhalsa")
        notes.append(f"{int(replaced.sum())} rader demodata från Liv & Hälsa togs bort.")
    else:
        # the file replaces what it covers: the same indicator, area and year
        keys = set(zip(new_obs["indicator_id"], new_obs["area_code"], new_obs["year"]))
        replaced = (o["source"] == "livhalsa") & pd.Series(
            [k in keys for k in zip(o["indicator_id"].astype(str), o["area_code"].astype(str), o["year"].astype(int))],
            index=o.index)
        if replaced.any():
            notes.append(f"{int(replaced.sum())} tidigare rader för samma indikator, område och år ersattes.")
    if extract.demo:
        demo_sources.add("livhalsa")
    obs = pd.concat([o[~replaced].astype({c: str for c in ("source", "indicator_id", "area_code", "period", "gender",
                                                            "age_group", "series_id")}), new_obs], ignore_index=True)
    indicators = _merge_indicators(old.indicators, extract, set(new_obs["indicator_id"]), config)
    imported = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    sources = [s for s in old.manifest.get("sources", [])
               if not (s.get("name") == "livhalsa" and (s.get("file") == extract.name or not extract.demo and s.get("demo")))]
    sources.append({"name": "livhalsa", "description": f"Liv & Hälsa-uttag {extract.name}", "file": extract.name,
                    "sha256": extract.sha256, "rows": int(len(new_obs)), "imported": imported, "demo": extract.demo})
    manifest = {k: v for k, v in old.manifest.items() if k not in ("tables", "data_version", "created", "schema_version")}
    manifest.update(sources=sources, demo=bool(demo_sources), demo_sources=sorted(demo_sources))
    cache = write_cache(Cache(obs, indicators, old.areas, {}), cache_dir, manifest)
    computed = int((before_ci.to_numpy() & ~new_obs["suppressed"].to_numpy()).sum())
    report = ImportReport(int(len(new_obs)), int(new_obs["suppressed"].sum()), computed,
                          sorted(set(new_obs["indicator_id"])), sorted(set(int(y) for y in new_obs["year"])),
                          extract.demo, notes)
    return cache, report


def _merge_indicators(old: pd.DataFrame, extract: Extract, used: set[str], config: GoalsConfig) -> pd.DataFrame:
    out = old.copy()
    out.loc[out["id"].isin(used), "has_age_groups"] = True
    extra = {e.id: e for e in config.extra_indicators}
    rows = []
    for iid in sorted(used - set(out["id"])):
        meta = extract.indicators[extract.indicators["id"] == iid]
        if not meta.empty:
            m = meta.iloc[0]
            rows.append(dict(id=iid, title=m["title"], definition=m["definition"], unit=m["unit"] or "procent"))
        elif iid in extra:
            e = extra[iid]
            rows.append(dict(id=iid, title=e.title, definition=e.definition, unit=e.unit))
        else:
            rows.append(dict(id=iid, title=iid, definition="", unit="procent"))
    if rows:
        add = pd.DataFrame(rows).assign(source="livhalsa", kpi_type="", divided_by_gender=True, has_age_groups=True,
                                        publication_date=None, ended=False)
        out = pd.concat([out, add], ignore_index=True)
    return out


def known_indicator_ids(config: GoalsConfig, cache: Cache) -> set[str]:
    """Ids an extract may use without declaring them: the cache's, goals.toml's."""
    return set(cache.indicators["id"]) | {e.id for e in config.extra_indicators} | set(config.indicator_ids())
