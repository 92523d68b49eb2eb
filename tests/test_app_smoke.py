"""The app starts on the shipped cache and says that the data is demo data."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from nyap import PROJECT_ROOT


def test_overview_starts_and_shows_demo_notice():
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown) + " ".join(w.value for w in at.warning)
    assert "Demodata" in text
    assert "mål rör sig åt rätt håll" in text
