"""A small client for the Kolada API v3 (https://api.kolada.se/v3).

Path form of the data endpoint, at most 25 ids in any comma list, per_page 5000, following
`next_url` until it is null. Polite and resilient: timeouts, retries with backoff on 5xx and
timeouts, Retry-After honoured on 429 (urllib3's Retry), at most ~5 requests per second.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

DEFAULT_BASE_URL = "https://api.kolada.se/v3"
MAX_IDS = 25  # Kolada rejects longer comma lists
PER_PAGE = 5000
MAX_PAGES = 200  # a guard: no real answer of ours needs more


class KoladaError(Exception):
    """Kolada could not be reached or answered something unusable. The message is Swedish."""


def base_url_from_env() -> str:
    return os.environ.get("NYAP_KOLADA_BASE_URL", DEFAULT_BASE_URL).rstrip("/")


def chunks(ids: Iterable[str], size: int = MAX_IDS) -> Iterator[list[str]]:
    items = list(ids)
    for i in range(0, len(items), size):
        yield items[i:i + size]


class KoladaClient:
    def __init__(self, base_url: str | None = None, timeout: float = 30.0, max_per_second: float = 5.0,
                 retries: int = 5, backoff: float = 0.5, on_request: Callable[[str], None] | None = None):
        self.base_url = (base_url or base_url_from_env()).rstrip("/")
        self.timeout = timeout
        self.min_interval = 1.0 / max_per_second if max_per_second > 0 else 0.0
        self.on_request = on_request
        self.requests_made = 0
        self._last = 0.0
        self._lock = threading.Lock()
        # the politeness clock (a test gives a fake one: the rule, not the machine's speed, is tested)
        self.clock: Callable[[], float] = time.monotonic
        self.sleep: Callable[[float], None] = time.sleep
        retry = Retry(
            total=retries, connect=retries, read=retries, status=retries, backoff_factor=backoff,
            status_forcelist=(429, 500, 502, 503, 504), allowed_methods=frozenset({"GET"}),
            respect_retry_after_header=True, raise_on_status=False, backoff_max=30,
            retry_after_max=120,  # a server asking for an hour's pause is treated as down
        )
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"
        self.session.headers["User-Agent"] = "nya-perspektiv-dashboard (Region Värmland)"
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    # ------------------------------------------------------------------ transport

    def _throttle(self) -> None:
        with self._lock:
            wait = self._last + self.min_interval - self.clock()
            if wait > 0:
                self.sleep(wait)
            self._last = self.clock()

    def _same_host(self, url: str) -> str:
        """Kolada's next_url names its own host; a mirror or test server is asked instead."""
        url = urljoin(self.base_url + "/", url)
        base, target = urlsplit(self.base_url), urlsplit(url)
        if (target.scheme, target.netloc) != (base.scheme, base.netloc):
            path = target.path
            # https://api.kolada.se/v3/data/… on a mirror at http://host/kolada/v3 → /kolada/v3/data/…
            if "/v3/" in path and not path.startswith(base.path.rstrip("/") + "/"):
                path = base.path.rstrip("/") + path[path.index("/v3/") + 3:]
            url = urlunsplit((base.scheme, base.netloc, path, target.query, target.fragment))
        return url

    def get_json(self, url: str, attempts: int = 3) -> dict:
        """GET and parse JSON. Transport retries live in urllib3; a truncated body is retried here."""
        url = self._same_host(url)
        last_problem = ""
        for attempt in range(attempts):
            self._throttle()
            if self.on_request:
                self.on_request(url)
            self.requests_made += 1
            try:
                response = self.session.get(url, timeout=self.timeout)
            except requests.exceptions.RetryError as exc:
                raise KoladaError(f"Kolada svarar inte (gav upp efter upprepade försök): {url}") from exc
            except requests.exceptions.Timeout as exc:
                raise KoladaError(f"Kolada svarade inte inom {self.timeout:g} s, inte ens efter nya försök: {url}") from exc
            except requests.exceptions.ConnectionError as exc:
                reason = getattr(exc.args[0] if exc.args else None, "reason", None)
                if isinstance(reason, ReadTimeoutError):
                    raise KoladaError(f"Kolada svarade inte inom {self.timeout:g} s, inte ens efter nya försök: {url}") from exc
                raise KoladaError(f"Kan inte nå Kolada ({self.base_url}). Finns det internet? ({exc.__class__.__name__})") from exc
            except requests.exceptions.RequestException as exc:
                # e.g. the connection closed in the middle of the body: try the page again
                last_problem = f"svaret avbröts ({exc.__class__.__name__})"
                time.sleep(0.2 * (attempt + 1))
                continue
            if response.status_code == 404:
                raise KoladaError(f"Kolada känner inte till adressen (404): {url}")
            if response.status_code == 410:
                raise KoladaError(f"Kolada svarar 410 Gone – API-versionen finns inte längre: {url}")
            if response.status_code >= 400:
                raise KoladaError(f"Kolada svarade {response.status_code} även efter nya försök: {url}")
            try:
                body = response.json()
            except (ValueError, json.JSONDecodeError) as exc:
                last_problem = f"ogiltig JSON ({exc})"
                time.sleep(0.2 * (attempt + 1))
                continue
            if not isinstance(body, dict):
                last_problem = "svaret är inte ett JSON-objekt"
                continue
            return body
        raise KoladaError(f"Kolada gav ett trasigt svar {attempts} gånger: {last_problem}: {url}")

    def paged(self, url: str) -> Iterator[dict]:
        """Every item over all pages, following next_url (v3; v2 called it next_page)."""
        seen: set[str] = set()
        pages = 0
        while url:
            full = self._same_host(url)
            if full in seen:
                raise KoladaError(f"Kolada pekar tillbaka på en sida som redan hämtats (next_url-slinga): {full}")
            seen.add(full)
            pages += 1
            if pages > MAX_PAGES:
                raise KoladaError(f"Fler än {MAX_PAGES} sidor – avbryter: {full}")
            body = self.get_json(full)
            values = body.get("values")
            if not isinstance(values, list):
                raise KoladaError(f"Svaret saknar 'values': {full}")
            yield from values
            url = body.get("next_url")

    # ------------------------------------------------------------------ endpoints

    def kpis(self, ids: Iterable[str]) -> list[dict]:
        out: list[dict] = []
        for part in chunks(ids):
            out.extend(self.paged(f"{self.base_url}/kpi/{','.join(part)}?per_page={PER_PAGE}"))
        return out

    def municipalities(self) -> list[dict]:
        return list(self.paged(f"{self.base_url}/municipality?per_page={PER_PAGE}"))

    def data(self, kpis: Iterable[str], areas: Iterable[str], years: Iterable[int]) -> Iterator[dict]:
        """Data items for every combination; each comma list has at most 25 ids."""
        areas, years = list(areas), [str(y) for y in years]
        for kpi_part in chunks(kpis):
            for area_part in chunks(areas):
                for year_part in chunks(years):
                    url = (f"{self.base_url}/data/kpi/{','.join(kpi_part)}/municipality/{','.join(area_part)}"
                           f"/year/{','.join(year_part)}?per_page={PER_PAGE}")
                    yield from self.paged(url)
