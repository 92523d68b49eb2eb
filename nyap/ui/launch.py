"""Start the app prepared: `python -m nyap.ui.launch [streamlit run flags]` (`make run`,
`nyap run`, `nyap serve`'s replicas and deploy/nyap@.service).

`streamlit run app.py` opens its port at once and imports and computes on the first visit: the
first visitor after a start (or a replica's restart) waited 9–10 s (28× a bare Streamlit page's
first visit, docs/BENCHMARKS.md). Here the same process first imports the pages, loads the data
version, evaluates every goal and the overview, draws the goal each challenge page opens on and the
shipped talk's first slides, and only
then lets Streamlit open its port: `/_stcore/health` answers when a visitor gets a prepared page
(nginx sends visitors to the other replicas meanwhile). The rest (each municipality's profile,
every challenge page's goals, the other slides) is prepared in the background while the server
serves, giving way to every page run (nyap/serving/background.py).

A data problem (a broken cache or goals file) does not stop the start: the pages show it in
Swedish, as they would after a refresh.
"""

from __future__ import annotations

import logging
import sys
import threading
import time

from nyap import PROJECT_ROOT
from nyap.present.formatting import fmt_number
from nyap.serving.background import GATE

# the shipped talk's first slides are drawn before the port opens (a seminar opens on slide 1)
TALK_STEPS_BEFORE_SERVING = 2
READY_TIMEOUT_S = 300.0
STARTUP_GRACE_S = 2.0


def prepare() -> float:
    """What a first visitor's page needs, in this process. Returns the seconds it took."""
    started = time.monotonic()
    log = logging.getLogger("nyap")
    # the pages and what they import (Streamlit, pandas, Altair): the first run compiles only its script
    import nyap.ui.pages  # noqa: F401
    from nyap.ui import loaders
    from nyap.ui.presentation import prepare_talk
    from nyap.present.export import draw_elsewhere
    from nyap.serving.drawing import HelperProcess
    from nyap.serving.page_content import prepare_goal_pages, prepare_overview
    from nyap.ui.scaffold import freeze_heap_once

    # slides and downloads are drawn by a helper process (nyap/serving/drawing.py)
    helper = HelperProcess()
    helper.start()
    draw_elsewhere(helper)
    try:
        store, _ = loaders.get_data()  # starts the background preparation of the rest
    except Exception as exc:  # noqa: BLE001 - the pages show the Swedish message for it
        log.error("dataversionen kunde inte läsas före start: %s", exc)
        return time.monotonic() - started
    store.overview_ready.wait(READY_TIMEOUT_S)  # every goal evaluated, and the overview
    try:
        prepare_overview(store)
        prepare_goal_pages(store, openings_only=True)  # what each challenge page opens on
        prepare_talk(store, TALK_STEPS_BEFORE_SERVING)
    except Exception:  # noqa: BLE001 - the page that needs it says what is wrong; the server starts
        log.warning("sidorna kunde inte förberedas före start", exc_info=True)
    freeze_heap_once()
    return time.monotonic() - started


def _release_when_serving(limit_s: float = 60.0) -> None:
    """The background preparation waits while Streamlit starts its server (it would take the
    interpreter from it: a 1 s start took 8 s), and goes on once the runtime runs; from then on it
    also gives way from the moment a visitor connects or clicks, before their page run begins (a
    first visit took 1,7 s against 0,35 s with the preparation paused)."""
    from streamlit.runtime import Runtime, RuntimeState

    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if Runtime.exists() and Runtime.instance().state != RuntimeState.INITIAL:
            _announce_arrivals(Runtime.instance())
            # the browsers that waited for this server (a replica's restart: Streamlit's page
            # reconnects by itself) arrive in its first seconds; they go first
            time.sleep(STARTUP_GRACE_S)
            break
        time.sleep(0.05)
    GATE.release()


def _announce_arrivals(runtime) -> None:
    # the two doors through which every visitor's work enters Streamlit's runtime (its websocket
    # handler calls them); wrapped on this instance only, and left alone if a version lacks them
    for name in ("connect_session", "handle_backmsg"):
        original = getattr(runtime, name, None)
        if original is None:
            continue

        def announced(*args, _original=original, **kwargs):
            GATE.arrived()
            return _original(*args, **kwargs)

        setattr(runtime, name, announced)


def main(argv: list[str] | None = None) -> int:
    took = prepare()
    GATE.hold()  # the background preparation waits while the server starts (see above)
    print(f"  Förberett på {fmt_number(took, 1)} s: data, översikten, sidornas första mål och presentationens början. "
          "Appen startar nu; resten förbereds i bakgrunden.", file=sys.stderr, flush=True)
    threading.Thread(target=_release_when_serving, name="nyap-release", daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(PROJECT_ROOT / "app.py"), *(sys.argv[1:] if argv is None else argv)]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
