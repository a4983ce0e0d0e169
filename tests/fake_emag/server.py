"""A fake eMAG Marketplace API: a real HTTP server on 127.0.0.1 in a background thread.

Two seller logins (MAIN, FBE) with their own Basic-auth credentials, offers, orders and
rate-limit budgets; switches for the failures seen in the wild (5xx runs, slow pages,
refused credentials or IP, campaign-locked stock, 429s); and a thread-safe record of
every request for assertions.

    with FakeEmag(rate_limits=True) as fake:
        fake.populate(250)
        client = EmagClient("main", fake.url, *fake.credentials("main"))
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import random
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fake_emag import routes
from tests.fake_emag.data import (
    complete_offer,
    money,
    order_line,
    product_fields,
    random_orders,
)
from tests.fake_emag.routes import AccountState, Reply

ACCOUNTS = ("main", "fbe")
BASE_PATH = "/api-3"
ORDER_TYPES = {"main": 3, "fbe": 2}
# eMAG's published budgets per family: (limit, seconds) windows.
DEFAULT_LIMITS: dict[str, tuple[tuple[int, float], ...]] = {
    "offers": ((3, 1.0), (180, 60.0)),
    "orders": ((12, 1.0), (720, 60.0)),
    "find_by_eans": ((5, 1.0), (200, 60.0)),
}
NOT_ALLOWED = "You are not allowed to use this API."


@dataclass
class RecordedRequest:
    """One request as the fake saw it; `status` is what it answered."""

    account: str | None
    method: str
    path: str  # relative to the base URL, e.g. "product_offer/read"
    query: dict[str, list[str]]
    body: Any
    at: float
    status: int = 0


@dataclass
class _Fault:
    status: int | None
    delay: float
    remaining: int | None  # None: until cleared
    path: str | None  # substring of the relative path; None: every path
    body: Any  # JSON to answer with; None: an HTML error page


@dataclass
class _Login:
    username: str
    password: str
    state: AccountState
    invalid_ip: bool = False
    faults: list[_Fault] = field(default_factory=list)
    hits: dict[str, deque[float]] = field(default_factory=dict)
    throttled: int = 0
    arrivals: int = 0  # orders that arrive after the next order/read page 1


def family_of(path: str) -> str:
    if path.startswith("order/"):
        return "orders"
    if path.startswith("documentation/find_by_eans"):
        return "find_by_eans"
    return "offers"


class FakeEmag:
    """See the module docstring. Every public method is safe to call from any thread."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        main_credentials: tuple[str, str] = ("main-user", "main-pass"),
        fbe_credentials: tuple[str, str] = ("fbe-user", "fbe-pass"),
        rate_limits: bool = False,
        limits: dict[str, tuple[tuple[int, float], ...]] | None = None,
        auth_failure_status: int = 403,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate_limits = rate_limits
        self.limits = {**DEFAULT_LIMITS, **(limits or {})}
        self.auth_failure_status = auth_failure_status
        self._longest_window = max(s for windows in self.limits.values() for _, s in windows)
        self._clock = clock
        self._lock = threading.RLock()
        self._logins = {
            "main": _Login(*main_credentials, AccountState("main")),
            "fbe": _Login(*fbe_credentials, AccountState("fbe")),
        }
        self._requests: list[RecordedRequest] = []
        self._ids = itertools.count(100_001)
        self._taken_ids: set[int] = set()  # offer ids, unique across both accounts
        self._rng = random.Random(0)
        self._server = _QuietServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{BASE_PATH}"

    def start(self) -> FakeEmag:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.02},  # stop() waits for one poll
                name="fake-emag",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> FakeEmag:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- data -------------------------------------------------------------------------

    def credentials(self, account: str) -> tuple[str, str]:
        login = self._login(account)
        return login.username, login.password

    def set_credentials(self, account: str, username: str, password: str) -> None:
        """Change what the fake accepts, e.g. to make the client's credentials wrong."""
        with self._lock:
            login = self._login(account)
            login.username, login.password = username, password

    def add_offer(self, account: str, **fields: Any) -> dict:
        """Add one offer; unspecified fields get plausible values. Returns a copy."""
        with self._lock:
            state = self._login(account).state
            offer_id = fields.get("id") or self._new_offer_id()
            if offer_id in self._taken_ids:
                raise ValueError(f"offer id {offer_id} already exists")
            self._taken_ids.add(offer_id)
            offer = complete_offer(fields, self._rng, offer_id)
            state.offers[offer_id] = offer
            return json.loads(json.dumps(offer))

    def populate(self, n_products: int, seed: int = 0) -> None:
        """n products on both accounts (same SKU, PNK, EAN; different ids), EMG331 included."""
        with self._lock:
            self._rng = random.Random(seed)
            for shared, main, fbe in product_fields(n_products, seed):
                self.add_offer("main", **shared, **main)
                self.add_offer("fbe", **shared, **fbe)

    def offer(self, account: str, offer_id: int) -> dict | None:
        with self._lock:
            offer = self._login(account).state.offers.get(offer_id)
            return json.loads(json.dumps(offer)) if offer else None

    def set_stock(self, account: str, offer_id: int, stock: int) -> None:
        """Change an offer's stock as something outside stockbot would (orders, the
        seller's own edit in the eMAG portal)."""
        with self._lock:
            offer = self._login(account).state.offers[offer_id]
            offer["stock"] = [{"warehouse_id": 1, "value": stock}]
            offer["general_stock"] = offer["estimated_stock"] = stock

    def set_competition(self, account: str, offer_id: int, **fields: Any) -> None:
        """Change what eMAG says of the race for the offer's buy button between two
        reads, as other sellers move (emag-api.md, Reading offers): `buy_button_rank`
        (int, or None when not competing), `number_of_offers` (int: sellers with active
        offers on the PNK, ours included) and `best_offer_sale_price` (a string with 4
        decimals; None when eMAG gives none)."""
        allowed = {"buy_button_rank", "number_of_offers", "best_offer_sale_price"}
        if not set(fields) <= allowed:
            raise ValueError(f"only {sorted(allowed)} change here, not {sorted(fields)}")
        with self._lock:
            offer = self._login(account).state.offers[offer_id]
            offer.update(fields)
            if fields.get("best_offer_sale_price") is not None:
                offer["best_offer_sale_price"] = money(fields["best_offer_sale_price"])

    def order_totals(self, account: str) -> tuple[int, int]:
        """(orders, order lines) the account holds."""
        with self._lock:
            orders = self._login(account).state.orders
            return len(orders), sum(len(order["products"]) for order in orders)

    def offers_by_id(self, account: str) -> dict[int, dict]:
        """The account's live offers by id, to change as eMAG would between reads."""
        return self._login(account).state.offers

    def offers(self, account: str) -> list[dict]:
        with self._lock:
            return json.loads(json.dumps(list(self._login(account).state.offers.values())))

    def last_saved(self, account: str, offer_id: int) -> datetime | None:
        """When `offer/save` last touched the offer (the weekly re-send rule)."""
        with self._lock:
            return self._login(account).state.saved_at.get(offer_id)

    def save_count(self, account: str, offer_id: int) -> int:
        with self._lock:
            return self._login(account).state.save_count.get(offer_id, 0)

    def add_order(
        self,
        account: str,
        *,
        date: datetime | str,
        products: list[dict],
        status: int = 4,
        order_id: int | None = None,
    ) -> dict:
        """One order of `account` (type 3 on MAIN, 2 on FBE). Each line gives `quantity`
        and either `product_id` (the seller's offer id) or `part_number` of one of the
        account's offers; the rest is filled in as eMAG sends it (emag-api.md, Orders):
        `ext_part_number` our SKU, `part_number` the documentation owner's (pass
        `part_number` AND `product_id` to make a line attached to another seller's
        documentation), `storno_qty` 0, line `status` 1."""
        with self._lock:
            state = self._login(account).state
            order = {
                "id": order_id or next(self._ids),
                "type": ORDER_TYPES[account],
                "date": date if isinstance(date, str) else date.strftime("%Y-%m-%d %H:%M:%S"),
                "status": status,
                "products": [order_line(state.offers, line) for line in products],
            }
            state.orders.append(order)
            return json.loads(json.dumps(order))

    def populate_orders(
        self, *, days: int = 30, per_day: float = 5, seed: int = 0, now: datetime | None = None
    ) -> None:
        """Orders over the last `days` days on both accounts, from the offers present."""
        now = now or datetime.now()
        rng = random.Random(seed)
        with self._lock:
            for account in ACCOUNTS:
                state = self._login(account).state
                offers = list(state.offers.values())
                kind = ORDER_TYPES[account]
                for order in random_orders(rng, offers, kind, now, days, per_day):
                    state.orders.append({"id": next(self._ids), **order})

    # -- switches ---------------------------------------------------------------------

    def fail(
        self,
        account: str,
        status: int = 502,
        *,
        count: int | None = None,
        path: str | None = None,
        body: Any = None,
    ) -> None:
        """Answer `status` to the next `count` requests (all, if None) whose path contains
        `path` (every path, if None): an HTML error page, or `body` as JSON if given."""
        with self._lock:
            self._login(account).faults.append(_Fault(status, 0.0, count, path, body))

    def slow(
        self, account: str, seconds: float, *, count: int | None = None, path: str | None = None
    ) -> None:
        """Delay the answer to the next `count` matching requests by `seconds`."""
        with self._lock:
            self._login(account).faults.append(_Fault(None, seconds, count, path, None))

    def clear_faults(self, account: str | None = None) -> None:
        with self._lock:
            for name in [account] if account else ACCOUNTS:
                self._login(name).faults.clear()

    def block_ip(self, account: str, blocked: bool = True) -> None:
        """Answer every request of `account` with "Invalid vendor ip [the caller's IP]"
        (emag-api.md, Endpoints and auth: eMAG whitelists the caller's IP per account)."""
        with self._lock:
            self._login(account).invalid_ip = blocked

    def lock_for_campaign(self, account: str, offer_id: int, locked: bool = True) -> None:
        """Make `PATCH offer_stock/{offer_id}` answer the active-campaign validation error."""
        with self._lock:
            locked_ids = self._login(account).state.campaign_locked
            (locked_ids.add if locked else locked_ids.discard)(offer_id)

    def refuse_save(self, account: str, offer_id: int, message: str | None) -> None:
        """Make `offer/save` refuse this one offer (inside an accepted batch) with
        `message`; None lifts it."""
        with self._lock:
            refused = self._login(account).state.refused_saves
            if message is None:
                refused.pop(offer_id, None)
            else:
                refused[offer_id] = message

    def short_page(self, account: str, page: int, missing: int) -> None:
        """The next read of `page` of `product_offer/read` leaves `missing` offers out
        (emag-api.md, Reading offers: a page can come back short in the middle)."""
        with self._lock:
            self._login(account).state.short_pages[page] = missing

    def orders_arrive_during_read(self, account: str, count: int) -> None:
        """Right after the next `order/read` page 1, `count` new orders arrive (newest
        first, so page 2 repeats the last `count` orders of page 1: emag-api.md, Orders,
        "an order can appear on two pages while new orders arrive")."""
        with self._lock:
            self._login(account).arrivals = count

    def consume_budget(self, account: str, family: str = "offers", n: int | None = None) -> None:
        """Spend `n` calls of the account's budget now, as a second client using the same
        login would (default: the whole per-second allowance)."""
        with self._lock:
            hits = self._login(account).hits.setdefault(family, deque())
            now = self._clock()
            hits.extend([now] * (n if n is not None else self.limits[family][0][0]))

    def throttled(self, account: str) -> int:
        """How many 429s the fake has served to `account`."""
        with self._lock:
            return self._login(account).throttled

    # -- the request record -----------------------------------------------------------

    def requests(
        self, account: str | None = None, path: str | None = None
    ) -> list[RecordedRequest]:
        """Requests so far, oldest first; filtered by account and by path substring."""
        with self._lock:
            return [
                r
                for r in self._requests
                if (account is None or r.account == account) and (path is None or path in r.path)
            ]

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def wait_for(
        self, predicate: Callable[[list[RecordedRequest]], bool], timeout: float = 2.0
    ) -> list[RecordedRequest]:
        """Poll the record until `predicate(requests)` holds; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            snapshot = self.requests()
            if predicate(snapshot):
                return snapshot
            if time.monotonic() > deadline:
                raise AssertionError(f"fake eMAG: condition not met after {timeout}s")
            time.sleep(0.01)

    # -- serving ----------------------------------------------------------------------

    def _login(self, account: str) -> _Login:
        try:
            return self._logins[account]
        except KeyError:
            raise ValueError(f"account must be 'main' or 'fbe', not {account!r}") from None

    def _new_offer_id(self) -> int:
        while True:
            candidate = self._rng.randint(100_000, 16_777_215)
            if candidate not in self._taken_ids:
                return candidate

    def handle(
        self,
        method: str,
        target: str,
        headers: Any,
        raw: bytes,
        client_ip: str = "127.0.0.1",
        arrived: float | None = None,
    ) -> Reply:
        """Answer one HTTP request (called by the handler thread). `arrived` is when its
        request line came in: eMAG's gateway counts a call on arrival, before any work on
        it, so waiting here for another account's answer must not move it later."""
        arrived = self._clock() if arrived is None else arrived
        split = urlsplit(target)
        path = split.path.removeprefix(BASE_PATH).strip("/")
        query = parse_qs(split.query, keep_blank_values=True)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        user, password = _basic_auth(headers.get("Authorization"))
        with self._lock:
            now = arrived
            name = next((n for n, lg in self._logins.items() if lg.username == user), None)
            record = RecordedRequest(name, method, path, query, body, now)
            self._requests.append(record)
            login = self._logins[name] if name else None
            reply = self._gatekeep(login, path, now) if login else None
            delay = self._take_delay(login, path) if login and reply is None else 0.0
        if delay:
            time.sleep(delay)  # outside the lock: other clients keep being served
        with self._lock:
            if reply is None:
                reply = self._route(login, password, method, path, query, body, client_ip)
                if login and path == "order/read" and reply.status == 200:
                    self._orders_arrive(login, body)
            if login and reply.status != 429:
                reply.headers.update(self._rate_headers(login, family_of(path), now))
            record.status = reply.status
            if reply.body is not None and not isinstance(reply.body, bytes):
                reply.body = json.dumps(reply.body).encode()
            return reply

    def _gatekeep(self, login: _Login, path: str, now: float) -> Reply | None:
        """Rate limit, then injected 5xx; both before auth, as a gateway would."""
        family = family_of(path)
        hits = login.hits.setdefault(family, deque())
        while hits and hits[0] <= now - self._longest_window:
            hits.popleft()
        if self.rate_limits:
            for limit, seconds in self.limits[family]:
                if sum(1 for t in hits if t > now - seconds) >= limit:
                    login.throttled += 1
                    return Reply(
                        429,
                        {"message": "API rate limit exceeded"},
                        self._rate_headers(login, family, now),
                    )
        hits.append(now)  # invalid requests count too
        for fault in login.faults:
            if fault.status and (fault.path is None or fault.path in path):
                self._use(login, fault)
                if fault.body is not None:
                    return Reply(fault.status, fault.body)
                page = f"<html><body><h1>{fault.status} {_phrase(fault.status)}</h1></body></html>"
                return Reply(fault.status, page.encode(), {"Content-Type": "text/html"})
        return None

    def _take_delay(self, login: _Login, path: str) -> float:
        for fault in login.faults:
            if fault.delay and (fault.path is None or fault.path in path):
                self._use(login, fault)
                return fault.delay
        return 0.0

    @staticmethod
    def _use(login: _Login, fault: _Fault) -> None:
        if fault.remaining is not None:
            fault.remaining -= 1
            if fault.remaining <= 0:
                login.faults.remove(fault)

    def _rate_headers(self, login: _Login, family: str, now: float) -> dict[str, str]:
        per_3s = self.limits[family][0][0] * 3
        used = sum(1 for t in login.hits.get(family, ()) if t > now - 3.0)
        return {
            "X-RateLimit-Limit-3second": str(per_3s),
            "X-RateLimit-Remaining-3second": str(max(0, per_3s - used)),
        }

    def _route(
        self,
        login: _Login | None,
        password: str | None,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: Any,
        client_ip: str,
    ) -> Reply:
        if login is None or password != login.password:
            return routes.error(NOT_ALLOWED, status=self.auth_failure_status)
        if login.invalid_ip:
            # emag-api.md: "A non-whitelisted IP gets a 200 envelope, isError: true, with a
            # message containing 'Invalid vendor ip [x.x.x.x]'".
            return routes.error(f"Invalid vendor ip [{client_ip}]")
        state = login.state
        if method == "POST" and path == "product_offer/read":
            return routes.read_offers(state, body)
        if method == "POST" and path == "product_offer/count":
            return routes.count_offers(state, body)
        if method == "POST" and path == "offer/save":
            return routes.save_offers(state, body)
        if method == "PATCH" and path.startswith("offer_stock/"):
            return routes.patch_stock(state, path.removeprefix("offer_stock/"), body)
        if method == "POST" and path == "category/read":
            return routes.read_categories(body)
        if method == "POST" and path == "order/read":
            return routes.read_orders(state, body)
        if method == "GET" and path == "documentation/find_by_eans":
            eans = query.get("eans[]", []) + query.get("eans", [])
            catalogue = [o for lg in self._logins.values() for o in lg.state.offers.values()]
            return routes.find_by_eans(state, catalogue, eans)
        return routes.error(f"Unknown resource: {method} {path}", status=404)

    def _orders_arrive(self, login: _Login, body: Any) -> None:
        if not login.arrivals or not isinstance(body, dict) or body.get("currentPage", 1) != 1:
            return
        count, login.arrivals = login.arrivals, 0
        newest = max((order["date"] for order in login.state.orders), default="2000-01-01")
        for _ in range(count):
            template = login.state.orders[0] if login.state.orders else None
            if template is None:
                return
            login.state.orders.append({**template, "id": next(self._ids), "date": newest})


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out and hung up is part of the tests, not a server error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _basic_auth(header: str | None) -> tuple[str | None, str | None]:
    if not header or not header.lower().startswith("basic "):
        return None, None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    user, _, password = decoded.partition(":")
    return user, password


def _handler_for(fake: FakeEmag) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects from eMAG
        timeout = 30

        def _serve(self) -> None:
            arrived = fake._clock()
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            reply = fake.handle(
                self.command, self.path, self.headers, raw, self.client_address[0], arrived
            )
            self.send_response(reply.status)
            headers = {"Content-Type": "application/json", **reply.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            if reply.status != 204:
                self.send_header("Content-Length", str(len(reply.body or b"")))
            self.end_headers()
            if reply.body and reply.status != 204:
                self.wfile.write(reply.body)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the request record replaces the access log

    return Handler
