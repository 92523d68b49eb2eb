"""A report's page with its charts left undrawn, for the tests that read its words (the numbers,
sentences, labels and escaping); the drawing of its charts is tested in tests/test_report.py
(the PDFs of `nyap report --all`) and tests/test_report_jobs.py. Drawing a report's charts is
most of its time."""

from __future__ import annotations

from nyap.present.report import report_page


def undrawn(specs: list) -> list[bytes]:
    return [b""] * len(specs)


def report_words(store, area: str, as_of: int | None = None) -> str:
    """The report's HTML as report_html makes it, but with references where its charts go."""
    return report_page(store, area, as_of, draw=undrawn).html
