"""The cache in data/cache/: schema, loading with validation, and safe (atomic) replacement.

Four files: observations.parquet (one long table), indicators.parquet, areas.parquet and
manifest.json (what, when, from where, row counts, checksums, the demo flag). The app only reads
this cache; refresh and import commands build a new one next to it and swap it in.
"""

from __future__ import annotations

import errno
import hashlib
import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from nyap.problems import ProblemsError, json_where
from nyap.data.areas import AREA_KINDS, is_valid_area_code

SCHEMA_VERSION = 1
GENDERS = ("T", "K", "M")
KPI_TYPES = ("K", "L", "A", "")  # "" = not a Kolada KPI (survey or regional extract)
NO_AGE_GROUP = ""  # age_group value for indicators that are not split by age

# column -> (pandas dtype used in memory, nullable)
OBSERVATION_COLUMNS: dict[str, tuple[str, bool]] = {
    "source": ("category", False),  # kolada | livhalsa | regional
    "indicator_id": ("category", False),
    "area_code": ("category", False),
    "year": ("int16", False),  # the year the value belongs to (last year of a multi-year mean)
    "period": ("category", False),  # label, e.g. "2022" or "2020–2022"
    "gender": ("category", False),
    "age_group": ("category", False),
    "value": ("float64", True),  # NaN = missing, never 0
    "ci_low": ("float64", True),
    "ci_high": ("float64", True),
    "n": ("float64", True),  # number of answers (survey); NaN when not applicable
    "suppressed": ("bool", False),
    "series_id": ("category", False),  # a new series id marks a break: never joined
}

INDICATOR_COLUMNS: dict[str, tuple[str, bool]] = {
    "id": ("string", False),
    "title": ("string", False),
    "definition": ("string", True),
    "unit": ("string", False),
    "source": ("string", False),
    "kpi_type": ("string", False),
    "divided_by_gender": ("bool", False),
    "has_age_groups": ("bool", False),
    "publication_date": ("string", True),
    "ended": ("bool", False),  # the series has ended (e.g. title "(-2024)" or gone from Kolada)
}

AREA_COLUMNS: dict[str, tuple[str, bool]] = {
    "code": ("string", False),
    "name": ("string", False),
    "kind": ("string", False),
}

TABLES = {
    "observations": ("observations.parquet", OBSERVATION_COLUMNS),
    "indicators": ("indicators.parquet", INDICATOR_COLUMNS),
    "areas": ("areas.parquet", AREA_COLUMNS),
}
MANIFEST_FILE = "manifest.json"


class CacheError(ProblemsError):
    """A cache file is missing or broken. The message is Swedish and says what and where."""


@dataclass(frozen=True)
class Cache:
    observations: pd.DataFrame
    indicators: pd.DataFrame
    areas: pd.DataFrame
    manifest: dict = field(default_factory=dict)

    @property
    def is_demo(self) -> bool:
        return bool(self.manifest.get("demo", False))

    @property
    def source_label(self) -> str:
        """How the cache names its Kolada figures when they come from a recorded extract (the
        shipped cache: "Kolada, uttag augusti 2024"); "" for a live refresh or demo data."""
        label = self.manifest.get("source_label")
        return str(label).strip() if isinstance(label, str) and not self.is_demo else ""

    @property
    def data_date(self) -> str:
        """The day the cache was made (YYYY-MM-DD), the date a live refresh is labelled with."""
        return str(self.manifest.get("created", ""))[:10]

    @property
    def origin_text(self) -> str:
        """Where the figures come from, in one phrase for a page, a report or a file:
        "Kolada, uttag augusti 2024", "Kolada m.fl., hämtad 2026-11-23" or "demodata"."""
        if self.is_demo:
            return "demodata"
        if self.source_label:
            return self.source_label
        return "Kolada m.fl." + (f", hämtad {self.data_date}" if self.data_date else "")

    @property
    def data_version(self) -> str:
        """Small token that changes whenever the cache content changes (for UI caching)."""
        return str(self.manifest.get("data_version", ""))

    @property
    def demo_sources(self) -> set[str]:
        """Which sources' rows are demonstration data (e.g. a real Liv & Hälsa import into the
        demo cache leaves only Kolada as demo)."""
        if "demo_sources" in self.manifest:
            return set(self.manifest["demo_sources"])
        return set(self.observations["source"].astype(str)) if self.is_demo else set()

    def indicator(self, indicator_id: str) -> dict | None:
        rows = self.indicators[self.indicators["id"] == indicator_id]
        return None if rows.empty else rows.iloc[0].to_dict()


# --------------------------------------------------------------------------- normalising

def normalise_table(df: pd.DataFrame, columns: dict[str, tuple[str, bool]], table: str) -> pd.DataFrame:
    """Return df with exactly the schema's columns and dtypes, or raise CacheError."""
    problems = []
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise CacheError(f"Tabellen '{table}' saknar kolumnerna: {', '.join(missing)}.")
    out = {}
    for col, (dtype, nullable) in columns.items():
        s = df[col]
        try:
            if dtype == "category":
                s = s.astype("string").astype("category")
            elif dtype == "bool":
                if s.isna().any():
                    raise ValueError("tomma värden")
                s = s.astype("bool")
            elif dtype.startswith("int"):
                if s.isna().any():
                    raise ValueError("tomma värden")
                s = pd.to_numeric(s, errors="raise").astype(dtype)
            elif dtype == "float64":
                s = pd.to_numeric(s, errors="raise").astype("float64")
            else:
                s = s.astype(dtype)
        except (ValueError, TypeError):
            problems.append(f"Tabellen '{table}', kolumn '{col}': fel datatyp ({_bad_value(df[col], dtype)}).")
            continue
        if not nullable and s.isna().any():
            problems.append(
                f"Tabellen '{table}', kolumn '{col}': {int(s.isna().sum())} tomma värden där värde krävs."
            )
        out[col] = s
    if problems:
        raise CacheError(problems)
    return pd.DataFrame(out).reset_index(drop=True)


def _bad_value(values: pd.Series, dtype: str) -> str:
    """What is wrong with a column, in Swedish: the first value that is not of its type."""
    if values.isna().any() and (dtype == "bool" or dtype.startswith("int")):
        return "tomma värden"
    if dtype in ("float64",) or dtype.startswith("int"):
        numbers = pd.to_numeric(values, errors="coerce")
        bad = values[numbers.isna() & values.notna()]
        if not bad.empty:
            return f"värdet {str(bad.iloc[0])[:40]!r} är inte ett tal"
        if dtype.startswith("int"):
            return "värden som inte är heltal"
    return f"värdena kan inte läsas som {dtype}"


def validate(cache: Cache) -> list[str]:
    """Content rules beyond dtypes. Returns a list of Swedish problem descriptions."""
    problems: list[str] = []
    obs, ind, areas = cache.observations, cache.indicators, cache.areas

    bad_kinds = sorted(set(areas["kind"]) - set(AREA_KINDS))
    if bad_kinds:
        problems.append(f"Tabellen 'areas': okänd områdestyp {bad_kinds}.")
    bad_codes = [c for c in areas["code"] if not is_valid_area_code(str(c))]
    if bad_codes:
        problems.append(f"Tabellen 'areas': ogiltiga områdeskoder {bad_codes[:5]} (4 siffror eller G+siffror).")
    if ind["id"].duplicated().any():
        problems.append(f"Tabellen 'indicators': dubbla id {sorted(ind.loc[ind['id'].duplicated(), 'id'])}.")
    bad_types = sorted(set(ind["kpi_type"]) - set(KPI_TYPES))
    if bad_types:
        problems.append(f"Tabellen 'indicators': okänd KPI-typ {bad_types} (K, L, A eller tom).")

    if obs.empty:
        return problems
    bad_gender = sorted(set(obs["gender"].astype(str)) - set(GENDERS))
    if bad_gender:
        problems.append(f"Tabellen 'observations': okänt kön {bad_gender} (T, K eller M).")
    unknown_ind = sorted(set(obs["indicator_id"].astype(str)) - set(ind["id"]))
    if unknown_ind:
        problems.append(f"Tabellen 'observations': indikatorer saknas i 'indicators': {unknown_ind[:10]}.")
    unknown_area = sorted(set(obs["area_code"].astype(str)) - set(areas["code"]))
    if unknown_area:
        problems.append(f"Tabellen 'observations': områdeskoder saknas i 'areas': {unknown_area[:10]}.")
    leaked = obs["suppressed"] & (obs["value"].notna() | obs["ci_low"].notna() | obs["ci_high"].notna())
    if leaked.any():
        problems.append(
            f"Tabellen 'observations': {int(leaked.sum())} undertryckta grupper har värden kvar "
            "(undertryckta värden får aldrig sparas)."
        )
    has_ci = obs["value"].notna() & obs["ci_low"].notna() & obs["ci_high"].notna()
    outside = has_ci & ((obs["ci_low"] > obs["value"] + 1e-9) | (obs["ci_high"] < obs["value"] - 1e-9))
    if outside.any():
        problems.append(f"Tabellen 'observations': {int(outside.sum())} rader där konfidensintervallet inte omsluter värdet.")
    key = ["source", "indicator_id", "area_code", "year", "gender", "age_group"]
    dup = obs.duplicated(subset=key)
    if dup.any():
        first = obs.loc[dup, key].iloc[0].to_dict()
        problems.append(f"Tabellen 'observations': {int(dup.sum())} dubbletter, t.ex. {first}.")
    return problems


# --------------------------------------------------------------------------- reading

def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_manifest(cache_dir: Path) -> dict:
    path = Path(cache_dir) / MANIFEST_FILE
    if not path.exists():
        raise CacheError(f"Cachen saknar {MANIFEST_FILE} i {cache_dir}. Bygg om den med 'python -m nyap demo-cache' eller en uppdatering från Kolada.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CacheError(f"{path}: filen är inte giltig JSON ({json_where(exc)}).") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("tables"), dict):
        raise CacheError(f"{path}: manifestet saknar avsnittet 'tables' (eller det är inte en tabell).")
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise CacheError(
            f"{path}: schemaversion {manifest.get('schema_version')!r}, appen kräver {SCHEMA_VERSION}."
        )
    return manifest


def load_cache(cache_dir: Path | str, verify_checksums: bool = True) -> Cache:
    """Read and validate the cache. Raises CacheError with Swedish messages naming the file."""
    cache_dir = Path(cache_dir)
    if not cache_dir.is_dir():
        raise CacheError(f"Cachekatalogen {cache_dir} finns inte.")
    try:
        return _load_cache(cache_dir, verify_checksums)
    except CacheError:
        raise
    except Exception as exc:  # permissions, a file vanishing mid-read, …: still "cannot be read"
        raise CacheError(f"{cache_dir}: cachen kan inte läsas ({type(exc).__name__}: {exc}).") from exc


def _load_cache(cache_dir: Path, verify_checksums: bool) -> Cache:
    manifest = read_manifest(cache_dir)
    frames = {}
    for name, (filename, columns) in TABLES.items():
        path = cache_dir / filename
        if not path.exists():
            raise CacheError(f"Cachen saknar filen {path}.")
        entry = manifest["tables"].get(name, {})
        entry = entry if isinstance(entry, dict) else {}
        if verify_checksums and entry.get("sha256") and entry["sha256"] != _sha256(path):
            raise CacheError(
                f"{path}: filen stämmer inte med manifestets kontrollsumma (ändrad eller trasig)."
            )
        try:
            df = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many types for a broken file
            raise CacheError(f"{path}: kan inte läsas som Parquet ({type(exc).__name__}: {exc}).") from exc
        try:
            frames[name] = normalise_table(df, columns, name)
        except CacheError as exc:
            raise CacheError([f"{path}: {p}" for p in exc.problems]) from exc
        if "rows" in entry and entry["rows"] != len(df):
            raise CacheError(f"{path}: {len(df)} rader, manifestet säger {entry['rows']}.")
    cache = Cache(frames["observations"], frames["indicators"], frames["areas"], manifest)
    problems = validate(cache)
    if not cache.observations["value"].notna().any():
        # a cache without a single value would show nothing anywhere: use the backup instead
        problems.append("Tabellen 'observations': inga värden alls (tom eller bara saknade värden).")
    if problems:
        raise CacheError([f"{cache_dir}: {p}" for p in problems])
    return cache


def load_cache_or_backup(cache_dir: Path | str) -> tuple[Cache, str | None]:
    """Load the cache; if it is missing or broken and a backup exists, load the backup.

    Returns (cache, notice). The notice (Swedish) says that the backup is in use and why.
    A refresh interrupted between its two renames leaves only the backup: the app still runs.
    """
    cache_dir = Path(cache_dir)
    try:
        return load_cache(cache_dir), None
    except CacheError as exc:
        for backup in backup_candidates(cache_dir):
            try:
                cache = load_cache(backup)
            except CacheError:
                continue
            return cache, (
                f"Den ordinarie cachen kunde inte läsas ({exc.problems[0]}). "
                f"Appen visar säkerhetskopian från {cache.manifest.get('created', 'okänd tid')}."
            )
        raise


def backup_candidates(cache_dir: Path) -> list[Path]:
    """The backup, then what an interrupted swap may have left (newest first)."""
    old = sorted(cache_dir.parent.glob(cache_dir.name + ".backup.old-*"),
                 key=lambda p: p.stat().st_mtime if p.exists() else 0, reverse=True)
    return [p for p in [backup_dir_for(cache_dir), *old] if p.is_dir()]


def version_token(cache_dir: Path | str) -> str:
    """What the app keys its loaded cache by: the current data version, or, when the cache
    cannot be read, which backup would be served — so a backup that vanished is noticed
    instead of being served from memory."""
    cache_dir = Path(cache_dir)
    try:
        return str(read_manifest(cache_dir).get("data_version", ""))
    except Exception:  # noqa: BLE001 - broken or missing: key by the backups on disk
        parts = []
        for backup in backup_candidates(cache_dir):
            try:
                parts.append(f"{backup.name}:{read_manifest(backup).get('data_version', '')}")
            except Exception:  # noqa: BLE001
                parts.append(f"{backup.name}:broken")
        return "broken|" + "|".join(parts)


# --------------------------------------------------------------------------- writing

def backup_dir_for(cache_dir: Path) -> Path:
    return cache_dir.with_name(cache_dir.name + ".backup")


def _jsonable(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def build_manifest(cache: Cache, file_hashes: dict[str, str], extra: dict) -> dict:
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "demo": False,
        "sources": [],
        "warnings": [],
    }
    manifest.update({k: _jsonable(v) for k, v in extra.items()})
    manifest["tables"] = {
        name: {
            "file": TABLES[name][0],
            "rows": int(len(getattr(cache, name))),
            "sha256": file_hashes[name],
        }
        for name in TABLES
    }
    manifest["data_version"] = hashlib.sha256(
        "".join(file_hashes[n] for n in sorted(file_hashes)).encode()
    ).hexdigest()[:16]
    return manifest


def write_cache(cache: Cache, cache_dir: Path | str, manifest_extra: dict | None = None) -> Cache:
    """Validate, write into a temporary directory, re-read it, then swap it in atomically.

    The previous cache is kept as `<cache_dir>.backup`. If anything fails before the swap, the
    existing cache is untouched. Returns the cache as loaded from its new home.
    """
    cache_dir = Path(cache_dir)
    observations = normalise_table(cache.observations, OBSERVATION_COLUMNS, "observations")
    indicators = normalise_table(cache.indicators, INDICATOR_COLUMNS, "indicators")
    areas = normalise_table(cache.areas, AREA_COLUMNS, "areas")
    sort_key = ["indicator_id", "source", "area_code", "gender", "age_group", "year"]
    observations = observations.sort_values(sort_key, kind="stable").reset_index(drop=True)
    clean = Cache(observations, indicators, areas, {})
    problems = validate(clean)
    if problems:
        raise CacheError(problems)

    cache_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(cache_dir)
    tmp = Path(tempfile.mkdtemp(prefix=cache_dir.name + ".tmp-", dir=cache_dir.parent))
    # mkdtemp makes the directory private (0700); the cache must be readable by the app's user
    tmp.chmod(0o777 & ~_umask())
    try:
        hashes = {}
        for name, (filename, _) in TABLES.items():
            path = tmp / filename
            getattr(clean, name).to_parquet(path, index=False, compression="zstd")
            hashes[name] = _sha256(path)
        manifest = build_manifest(clean, hashes, manifest_extra or {})
        (tmp / MANIFEST_FILE).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        _fsync_dir(tmp)
        load_cache(tmp)  # the new cache must read back cleanly before it replaces anything
        swap_in(tmp, cache_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return load_cache(cache_dir)


def check_writable(cache_dir: Path | str) -> None:
    """Before a refresh or import spends time fetching: can the new cache be written beside the
    old one? Raises CacheError with a Swedish message otherwise."""
    parent = Path(cache_dir).parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=parent, prefix=".nyap-write-check-"):
            pass
    except OSError as exc:
        raise CacheError(f"Kan inte skriva cachen i katalogen {parent} ({os_reason(exc)}). "
                         "Välj en annan plats med --cache eller NYAP_CACHE_DIR, eller ändra behörigheterna.") from exc


_OS_REASONS = {
    errno.EACCES: "saknar behörighet", errno.EPERM: "saknar behörighet", errno.EROFS: "skrivskyddat filsystem",
    errno.ENOENT: "katalogen finns inte och kan inte skapas", errno.ENOSPC: "disken är full",
    errno.ENOTDIR: "en fil ligger där katalogen skulle vara", errno.EDQUOT: "diskkvoten är slut",
}


def os_reason(exc: OSError) -> str:
    """The operating system's reason, in Swedish."""
    return _OS_REASONS.get(exc.errno, f"systemfel {exc.errno}" if exc.errno else "okänt fel")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


STALE_AFTER_S = 3600


def remove_stale_temporaries(cache_dir: Path, older_than_s: float = STALE_AFTER_S) -> list[Path]:
    """Remove what killed refreshes left behind (`cache.tmp-*`, `cache.backup.old-*`) once it is
    older than an hour: a running refresh's own directory is younger."""
    now = datetime.now().timestamp()
    removed = []
    for pattern in (cache_dir.name + ".tmp-*", cache_dir.name + ".backup.old-*"):
        for path in cache_dir.parent.glob(pattern):
            try:
                if now - path.stat().st_mtime > older_than_s:
                    shutil.rmtree(path)
                    removed.append(path)
            except OSError:
                pass
    return removed


def _fsync_dir(path: Path) -> None:
    for child in path.iterdir():
        with open(child, "rb") as fh:
            os.fsync(fh.fileno())


def swap_in(new_dir: Path, cache_dir: Path) -> None:
    """Replace cache_dir by new_dir; the old one becomes the backup.

    Two renames on one filesystem. If the process dies between them, only the backup exists and
    load_cache_or_backup() serves it, so the app keeps running on the old data.
    """
    backup = backup_dir_for(cache_dir)
    if cache_dir.exists():
        # the previous backup is moved aside (a rename), not deleted, until the new cache is in
        # place: a kill at any point leaves the current cache or a backup to fall back on
        old = None
        if backup.exists():
            old = backup.with_name(f"{backup.name}.old-{os.getpid()}")
            os.replace(backup, old)
        os.replace(cache_dir, backup)
        os.replace(new_dir, cache_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new_dir, cache_dir)
