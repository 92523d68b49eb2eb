"""A stand-in for a report, for the tests of the report queue (tests/test_report_jobs.py): what
they check is who waits, who is refused and how often a report is made, not the report itself
(made for real by the other tests there and in tests/test_report.py). It runs in a report worker
process, so it lives in a module of its own that the worker can import."""

from __future__ import annotations

import time

MOMENT_S = 1.5  # long enough for the presses that follow to find it still being made


def made_after_a_moment(key) -> bytes:
    time.sleep(MOMENT_S)
    return f"<!DOCTYPE html><title>{key.area} {key.kind}</title>".encode()
