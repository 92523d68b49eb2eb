"""The one font of every chart, shipped with the project (static/fonts): Source Sans Pro (SIL Open
Font License). The app serves the same files to the browser (Streamlit's static serving,
nyap/ui/style.py), and vl-convert gets them here, so an exported PNG or SVG is drawn with the same
letters as the screen, on any machine. Chart texts use no symbol outside the font (a missing glyph
would make the renderer fall back to whatever the machine has): tests/test_fonts.py checks."""

from __future__ import annotations

import functools

from nyap import PROJECT_ROOT

FONT_DIR = PROJECT_ROOT / "static" / "fonts"
# In the browser "Source Sans Pro" comes from static/fonts; "Source Sans" (the same typeface,
# Streamlit's own copy) covers the moment before it has loaded.
CHART_FONT = "Source Sans Pro, Source Sans, sans-serif"


@functools.cache
def register_for_export() -> None:
    """Make vl-convert know the shipped fonts (once per process)."""
    import vl_convert as vlc

    vlc.register_font_directory(str(FONT_DIR))
