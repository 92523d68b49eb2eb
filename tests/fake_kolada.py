"""A fake Kolada API v3 on 127.0.0.1 that replays the real data in tests/fixtures/kolada/.

Serves /kpi/{ids}, /municipality and /data/kpi/{k}/municipality/{m}/year/{y} in the v3 shape
(count, values, next_url, previous_url) with real pagination, and injects faults on request:
500s, 429 with Retry-After, slow answers, truncated JSON, a vanished KPI, deleted entries, a
next_url loop, comma lists over 25 ids rejected. Can run as a script for manual checks:

    python -m tests.fake_kolada --port 8765
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

SHARED = Path(__file__).resolve().parent / "fixtures" / "kolada"  # real Kolada figures (see its README)
# the whole public extract (31 KPIs, August 2024): what the server replays unless told otherwise
EXTRACT_FILE = "varmland_values_2024-08.csv"
EXTRACT_LABEL = "Kolada, uttag augusti 2024"  # how the app names figures that come from this extract


class KoladaData:
    def __init__(self, folder: Path = SHARED, values_file: str = EXTRACT_FILE):
        self.meta: dict[str, dict] = {}
        with open(folder / "kpi_metadata.csv", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                self.meta[r["id"]] = {
                    "id": r["id"], "title": r["title"], "description": r["description"],
                    "is_divided_by_gender": r["is_divided_by_gender"] == "True",
                    "municipality_type": r["municipality_type"], "operating_area": r["operating_area"],
                    "perspective": r["perspective"], "publication_date": r["publication_date"] or None,
                    "publ_period": r["publ_period"] or None, "in_latest": r["in_latest"] == "True",
                }
        with open(folder / "municipalities_v3.csv", encoding="utf-8") as fh:
            self.municipalities = [{"id": r["id"], "title": r["title"], "type": r["type"]} for r in csv.DictReader(fh)]
        values: dict[tuple[str, int, str], list[dict]] = defaultdict(list)
        with open(folder / values_file, encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                values[(r["kpi"], int(r["year"]), r["municipality_id"])].append({
                    "gender": r["gender"], "count": 1, "status": "",
                    "value": float(r["value"]) if r["value"] else None, "isdeleted": False,
                })
        self.items = [{"kpi": k, "period": y, "municipality": m, "values": v} for (k, y, m), v in sorted(values.items())]
        self.kpis = tuple(sorted({k for k, _, _ in values}))  # the KPIs the replayed file holds


class Faults:
    """What the server does wrong, and a log of what it was asked."""

    def __init__(self):
        self.lock = threading.Lock()
        self.fail_500 = 0  # the next N data requests answer 500
        self.rate_limit = 0  # the next N data requests answer 429
        self.retry_after = 1
        self.slow_seconds = 0.0  # every data answer waits this long
        self.truncate = 0  # the next N data answers are cut in the middle of the JSON
        self.cut_connection = 0  # the next N data answers promise more bytes than they send
        self.vanished: set[str] = set()  # KPIs missing from /kpi
        self.deleted: set[tuple[str, int, str]] = set()  # (kpi, year, area) entries marked isdeleted
        self.empty_years: set[int] = set()  # years with no items (not yet published)
        self.loop = False  # next_url points back to the first page
        self.page_size: int | None = None  # force small pages to exercise next_url
        self.down = False  # every request answers 503
        self.reject_groups = False  # group ids (G…) in the municipality list answer 400
        self.years_of: dict[str, tuple[int, int]] = {}  # KPI -> (first, last) year served: a series that started late or ended
        self.nulled: set[str] = set()  # KPIs served with entries but every value null (published without figures)
        # another county's codes answered with the replayed figures of these codes (served code ->
        # stored code): the plumbing of another county, with real numbers under other names
        self.remap: dict[str, str] = {}
        self.log: list[tuple[float, str, int]] = []

    def take(self, name: str) -> bool:
        with self.lock:
            n = getattr(self, name)
            if n > 0:
                setattr(self, name, n - 1)
                return True
            return False


def make_handler(data: KoladaData, faults: Faults):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def _send(self, status: int, body: bytes, headers: dict | None = None):
            faults.log.append((time.monotonic(), self.path, status))
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _json(self, payload, status: int = 200):
            self._send(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))

        def do_GET(self):  # noqa: N802
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            segs = [s for s in parts.path.split("/") if s]
            if segs[:1] != ["v3"]:
                return self._json({"error": "Gone"}, 410)
            segs = segs[1:]
            for seg in segs[1::2]:
                if seg.count(",") >= 25:
                    return self._json({"error": "Too many ids (max 25)"}, 400)
            if faults.down:
                return self._json({"error": "down"}, 503)
            if segs[:1] == ["kpi"] and len(segs) == 2:
                ids = segs[1].split(",")
                values = [{k: v for k, v in data.meta[i].items() if k != "in_latest"} for i in ids
                          if i in data.meta and data.meta[i]["in_latest"] and i not in faults.vanished]
                return self._json({"count": len(values), "values": values, "next_url": None, "previous_url": None})
            if segs == ["municipality"]:
                return self._json({"count": len(data.municipalities), "values": data.municipalities,
                                   "next_url": None, "previous_url": None})
            if segs[:1] == ["data"]:
                return self._data(segs, query)
            return self._json({"error": "not found"}, 404)

        def _data(self, segs, query):
            if faults.reject_groups and any(a.startswith("G") for a in dict(zip(segs[1::2], segs[2::2])).get("municipality", "").split(",")):
                return self._json({"error": "Unknown municipality id"}, 400)
            if faults.take("rate_limit"):
                return self._send(429, b'{"error": "Too Many Requests"}', {"Retry-After": str(faults.retry_after)})
            if faults.take("fail_500"):
                return self._send(500, b'{"error": "Internal Server Error"}')
            if faults.slow_seconds:
                time.sleep(faults.slow_seconds)
            args = dict(zip(segs[1::2], segs[2::2]))
            kpis = set(args.get("kpi", "").split(",")) - {""}
            areas = set(args.get("municipality", "").split(",")) - {""}
            if faults.remap:
                back = {stored: served for served, stored in faults.remap.items() if served in areas}
                areas = (areas - set(faults.remap)) | set(back)
            years = {int(y) for y in args.get("year", "").split(",") if y.isdigit()}
            items = [i for i in data.items
                     if (not kpis or i["kpi"] in kpis) and (not areas or i["municipality"] in areas)
                     and (not years or i["period"] in years) and i["period"] not in faults.empty_years]
            if faults.remap:
                items = [dict(i, municipality=back.get(i["municipality"], i["municipality"])) for i in items
                         if i["municipality"] in back or i["municipality"] not in faults.remap.values()]
            if faults.years_of:
                items = [i for i in items if i["kpi"] not in faults.years_of
                         or faults.years_of[i["kpi"]][0] <= i["period"] <= faults.years_of[i["kpi"]][1]]
            if faults.nulled:
                items = [dict(i, values=[dict(v, value=None) for v in i["values"]]) if i["kpi"] in faults.nulled else i
                         for i in items]
            if faults.deleted:
                items = [dict(i, values=[dict(v, isdeleted=True) if (i["kpi"], i["period"], i["municipality"]) in faults.deleted
                                         else v for v in i["values"]]) for i in items]
            per_page = faults.page_size or int(query.get("per_page", ["5000"])[0])
            page = int(query.get("page", ["1"])[0])
            chunk = items[(page - 1) * per_page: page * per_page]
            host = f"http://{self.headers.get('Host')}"
            base_path = "/" + "/".join(["v3"] + segs)
            next_url = None
            if page * per_page < len(items):
                next_url = f"{host}{base_path}?per_page={per_page}&page={page + 1}"
            if faults.loop and page >= 1 and len(items) > 0:
                next_url = f"{host}{base_path}?per_page={per_page}&page=1"
            body = json.dumps({"count": len(chunk), "values": chunk, "next_url": next_url,
                               "previous_url": None}, ensure_ascii=False).encode("utf-8")
            if faults.take("truncate"):
                body = body[: max(1, len(body) // 2)]
            if faults.take("cut_connection"):
                faults.log.append((time.monotonic(), self.path, 200))
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body) + 1000))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return None
            return self._send(200, body)

    return Handler


@contextlib.contextmanager
def fake_kolada(faults: Faults | None = None, port: int = 0):
    """Start the fake server on 127.0.0.1; yields (base_url, faults). Stops by itself."""
    faults = faults or Faults()
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(KoladaData(), faults))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v3", faults
    finally:
        server.shutdown()
        server.server_close()


# what the manifest of a cache built from the extract records (scripts/build_real_cache.py): the
# label every page, file and report names the figures by, and where and when they were taken
EXTRACT_MANIFEST = {
    "source_label": EXTRACT_LABEL,
    "extract": {
        "label": EXTRACT_LABEL,
        "date": "2024-08",
        "period": "augusti 2024",
        "file": f"tests/fixtures/kolada/{EXTRACT_FILE}",
        "origin": "Offentliga Kolada-värden (Källa: Kolada, RKA) ur en offentlig skrapning av Koladas API i "
                  "augusti 2024; nyckeltalens metadata ur en offentlig kopia av v3-katalogen (mars 2026). "
                  "Återspelat lokalt genom appens egen uppdatering (make real-cache).",
    },
}
# the years a cache built from the extract asks for (fixed, so the build does not depend on today)
EXTRACT_YEARS = (2010, 2024)
EXTRACT_MANIFEST.update(
    # not the replay server's passing port: where the figures really come from
    api_base=f"lokal återspelning av {EXTRACT_MANIFEST['extract']['file']}",
    sources=[{"name": "kolada", "description": "Kolada (RKA), uttag augusti 2024 (offentlig skrapning av API v3)",
              "extract": "2024-08", "file": EXTRACT_MANIFEST["extract"]["file"], "years": list(EXTRACT_YEARS)}],
)


def refresh_from_fake(config, target: Path, faults: Faults | None = None, start_from: Path | None = None,
                      manifest_extra: dict | None = None, progress_stream=None):
    """A cache at `target` refreshed from this fake server (the whole real extract, every KPI it
    holds: the goals' and the rest as extras) through the project's own refresh path, quietly.
    `start_from`: a cache copied to `target` first (the cache a user's refresh replaces).
    Returns (cache, report)."""
    import os
    import shutil

    from nyap.ingest.kolada import KoladaClient
    from nyap.ingest.refresh import refresh

    if start_from is not None:
        shutil.copytree(start_from, target)
    extra = tuple(k for k in KoladaData().kpis if k not in config.kolada_ids())
    with fake_kolada(faults) as (base, _), open(os.devnull, "w") as quiet:
        client = KoladaClient(base, timeout=3.0, max_per_second=100, retries=2, backoff=0.01)
        return refresh(config, target, client, *EXTRACT_YEARS, extra_kpis=extra,
                       progress_stream=progress_stream or quiet, manifest_extra=manifest_extra)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--slow", type=float, default=0.0)
    parser.add_argument("--page-size", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=600, help="stop by itself after this long")
    args = parser.parse_args()
    faults = Faults()
    faults.slow_seconds, faults.page_size = args.slow, args.page_size
    with fake_kolada(faults, args.port) as (base, _):
        print(f"Fake Kolada on {base} (stops after {args.seconds:g} s)", flush=True)
        time.sleep(args.seconds)


if __name__ == "__main__":
    main()
