"""Commands the tests start, and never leave behind: each runs in its own process group, and the
whole group (a report's worker processes included) is killed when the test ends — also when it
times out or fails. Timeouts are generous: a slow or loaded machine waits, it does not fail."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess

from nyap import PROJECT_ROOT

GENEROUS = 1800  # seconds; a hung command still ends the test, a slow machine doesn't


def kill_group(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    else:  # the leader ended; its workers may not have
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)


def run(cmd: list[str], timeout: float = GENEROUS, **kwargs) -> subprocess.CompletedProcess:
    """subprocess.run(cmd, capture_output=True, text=True), with the whole group killed on a timeout."""
    kwargs.setdefault("cwd", PROJECT_ROOT)
    kwargs.setdefault("text", True)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, **kwargs)
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        kill_group(proc)
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


@contextlib.contextmanager
def started(cmd: list[str], **kwargs):
    """Popen(cmd) in its own group for the duration of a with-block; killed afterwards if still running."""
    kwargs.setdefault("cwd", PROJECT_ROOT)
    proc = subprocess.Popen(cmd, start_new_session=True, **kwargs)
    try:
        yield proc
    finally:
        kill_group(proc)
