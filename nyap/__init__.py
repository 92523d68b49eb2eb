"""Nya Perspektiv dashboard: the plain Python core (no Streamlit outside nyap.ui)."""

import os
from pathlib import Path

import pandas as pd

# pandas 3 keeps text columns in Arrow arrays by default. Our frames are small and are filtered
# and reordered many times per click: Arrow's `take` behind each of those was about a fifth of
# the server's busy time under a workshop's load (py-spy, docs/BENCHMARKS.md). The same "str"
# dtype backed by Python objects reorders as plain NumPy does; values and missing values behave
# the same (the whole suite runs with it).
pd.options.mode.string_storage = "python"

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE_DIR = PROJECT_ROOT / "data" / "cache"
DEFAULT_GOALS_FILE = PROJECT_ROOT / "goals.toml"


def cache_dir() -> Path:
    """The cache the app reads: NYAP_CACHE_DIR if set (tests, a second copy), else data/cache."""
    return Path(os.environ.get("NYAP_CACHE_DIR") or DEFAULT_CACHE_DIR)


def goals_file() -> Path:
    """The goals the app reads: NYAP_GOALS_FILE if set, else goals.toml in the project."""
    return Path(os.environ.get("NYAP_GOALS_FILE") or DEFAULT_GOALS_FILE)


def comments_dir() -> Path:
    """The municipalities' own commentary files (kommentarer/<kod>.toml, README "Kommunens
    kommentar"): NYAP_COMMENTS_DIR if set, else kommentarer/ beside the goals file."""
    return Path(os.environ.get("NYAP_COMMENTS_DIR") or goals_file().parent / "kommentarer")
