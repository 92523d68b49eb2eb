"""Nya Perspektiv dashboard: the plain Python core (no Streamlit outside nyap.ui)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE_DIR = PROJECT_ROOT / "data" / "cache"
DEFAULT_GOALS_FILE = PROJECT_ROOT / "goals.toml"
