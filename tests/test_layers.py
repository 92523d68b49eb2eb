"""The layers of nyap/ hold (.importlinter): a new import of a higher layer from a lower one, or of
Streamlit outside the pages and the ops tools, fails the suite and CI."""

from __future__ import annotations

from importlinter.cli import lint_imports

from nyap import PROJECT_ROOT


def test_no_layer_imports_one_above_it_and_only_pages_and_ops_speak_streamlit(monkeypatch):
    monkeypatch.chdir(PROJECT_ROOT)
    # no_cache: nothing written into the project (a fresh clone stays clean)
    assert lint_imports(config_filename=str(PROJECT_ROOT / ".importlinter"), no_cache=True, no_logo=True) == 0
