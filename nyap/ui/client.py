"""A minimal client for Streamlit's own websocket protocol: what a browser tab sends and waits for.

Used by the load benchmark (scripts/load.py), the replica test, and to warm a freshly started
replica (`python -m nyap warm`) so that its first visitors don't pay for preparing the data.
Speaks to loopback addresses only in this project's tools.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from nyap.serving.page_registry import PAGE_ERROR

CLICK_TIMEOUT = 60.0
ERROR_TEXT = PAGE_ERROR  # the app's own Swedish error box says this

__all__ = ["CLICK_TIMEOUT", "Session", "Widget", "WidgetState", "connect", "warm_up"]


@dataclass
class Widget:
    id: str
    kind: str  # selectbox | radio
    options: list[str]
    value: str | None


@dataclass
class Session:
    """One browser tab: its websocket, the widgets drawn by the last run, the current link."""

    ws: object
    cookie: str = ""  # the browser's cookies (the proxy's route cookie)
    pages: dict[str, str] = field(default_factory=dict)  # page name -> script hash
    page_hash: str = ""
    query: str = ""
    widgets: dict[str, Widget] = field(default_factory=dict)  # user key -> widget
    buttons: dict[str, str] = field(default_factory=dict)  # label -> widget id (the last run's buttons)
    texts: list[str] = field(default_factory=list)  # the text elements of the last run
    bytes_received: int = 0

    async def run(self, *, page_hash: str = "", page_name: str = "", changed: WidgetState | None = None
                  ) -> tuple[float, str | None, int]:
        """Send one rerun request and wait for the run to finish: (seconds, error, bytes)."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_script_hash = page_hash or self.page_hash
        if page_name:
            state.page_name = page_name
        if changed is not None:
            # like the browser: every widget on the page, with the one the user changed
            for w in self.widgets.values():
                ws_ = state.widget_states.widgets.add()
                ws_.id = w.id
                if changed.id == w.id:
                    ws_.string_value = changed.string_value
                elif w.value is not None:
                    ws_.string_value = w.value
            if changed.id not in {w.id for w in self.widgets.values()}:  # a button press
                state.widget_states.widgets.add().CopyFrom(changed)
        if page_hash or page_name:
            self.widgets = {}
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        error, nbytes = None, 0
        new_widgets: dict[str, Widget] = {}
        buttons: dict[str, str] = {}
        texts: list[str] = []
        while True:
            try:
                raw = await asyncio.wait_for(self.ws.recv(), CLICK_TIMEOUT)
            except asyncio.TimeoutError:
                return time.perf_counter() - start, "timeout", nbytes
            nbytes += len(raw)
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                self.pages = {p.page_name: p.page_script_hash for p in fwd.new_session.app_pages}
                self.page_hash = fwd.new_session.page_script_hash
            elif kind == "navigation":  # multipage apps announce their pages here
                self.pages = {p.page_name: p.page_script_hash for p in fwd.navigation.app_pages}
                self.page_hash = fwd.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query = fwd.page_info_changed.query_string
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                etype = el.WhichOneof("type")
                if etype in ("markdown", "html", "alert", "heading"):
                    texts.append(getattr(el, etype).body)
                if etype == "exception":
                    error = error or f"exception: {el.exception.type}"
                elif etype == "alert" and ERROR_TEXT in el.alert.body:
                    error = error or "error box: " + el.alert.body[:80]
                elif etype == "button":
                    buttons[el.button.label] = el.button.id
                elif etype in ("selectbox", "radio"):
                    proto = getattr(el, etype)
                    key = proto.id.rsplit("-", 1)[-1]
                    if proto.HasField("raw_value") and proto.set_value:
                        value = proto.raw_value
                    elif proto.HasField("default") and 0 <= proto.default < len(proto.options):
                        value = proto.options[proto.default]
                    else:
                        value = None
                    new_widgets[key] = Widget(proto.id, etype, list(proto.options), value)
            elif kind == "script_finished":
                status = fwd.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # our own rerun superseded it; the next finish counts
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    error = error or "compile error"
                elapsed = time.perf_counter() - start
                self.widgets.update(new_widgets)
                self.buttons = buttons
                self.texts = texts
                self.bytes_received += nbytes
                return elapsed, error, nbytes


async def connect(base: str, cookie: str | None = None) -> Session:
    """A new browser tab: the page request, then the websocket to Streamlit's stream. A known
    cookie is a tab reconnecting in the same browser."""
    uri = base.replace("http://", "ws://") + "/_stcore/stream"
    if cookie is None:
        cookie = await asyncio.to_thread(_first_request, base)
    headers = {"Cookie": cookie} if cookie else None
    ws = await websockets.connect(uri, subprotocols=["streamlit"], max_size=64 * 2**20, additional_headers=headers,
                                  open_timeout=CLICK_TIMEOUT, close_timeout=2, ping_interval=None)
    return Session(ws, cookie=cookie or "")


def _first_request(base: str) -> str | None:
    """The page request a browser makes before its websocket: behind the replica proxy it
    hands out the route cookie that keeps the session on one replica."""
    try:
        with urllib.request.urlopen(base + "/", timeout=CLICK_TIMEOUT) as resp:
            cookies = [c.split(";", 1)[0] for c in resp.headers.get_all("Set-Cookie") or []]
    except OSError:
        return None
    return "; ".join(cookies) or None


async def warm_up(base: str, page_names: list[str] | None = None, errors: list[str] | None = None,
                  talk_steps: int = 0, talk_page: str = "Presentation") -> list[str]:
    """One visit to every page (the way the first workshop participant would), and to each of the
    talk's `talk_steps` slides: afterwards the shared results of the data version are prepared.
    Returns the page names the server announced; a page that shows an error is added to `errors`."""
    session = await connect(base)
    try:
        results = [await session.run()]
        names = list(session.pages) or list(page_names or [])
        for name in names:
            session.query = ""
            results.append(await session.run(page_hash=session.pages.get(name, ""), page_name=name))
        if talk_page in session.pages:
            for number in range(2, talk_steps + 1):  # step 1 was the page's own visit
                session.query = f"steg={number}"
                results.append(await session.run(page_hash=session.pages[talk_page], page_name=talk_page))
        if errors is not None:
            errors.extend(error for _, error, _ in results if error)
        return names
    finally:
        await session.ws.close()
