"""The layers of nyap/ hold (.importlinter): a new import of a higher layer from a lower one, or of
Streamlit outside the pages and the ops tools, fails the suite and CI."""

from __future__ import annotations

from importlinter.cli import lint_imports

from nyap import PROJECT_ROOT


def test_no_layer_imports_one_above_it_and_only_pages_and_ops_speak_streamlit(monkeypatch):
    monkeypatch.chdir(PROJECT_ROOT)
    # no_cache: nothing written into the project (a fresh clone stays clean)
    assert lint_imports(config_filename=str(PROJECT_ROOT / ".importlinter"), no_cache=True, no_logo=True) == 0


def test_no_test_reaches_into_a_private_function_of_the_pages():
    """Tests use the pages' public functions or the core (nyap/serving/page_content.py holds what
    the pages show), not a private helper of a page module: a page can then be rewritten freely."""
    import re

    private = re.compile(r"from nyap\.ui[\w.]* import [^\n]*\b_[a-z]|nyap\.ui\.[\w.]+\._[a-z]")
    offenders = [p.name for p in (PROJECT_ROOT / "tests").glob("*.py")
                 if p.name != "test_layers.py" and private.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
