"""A seller's read-only web view at /dashboard: the products table (SKU, stock per account,
competition with the rank history and price gap, status badges), filter by priority,
pagination, a Validate-transfer form, and the trend chart at /dashboard/chart.png.

Behind the API tokens: a bearer header, or a login cookie derived from a token (an HMAC
of it and its issue time, so the cookie never holds the token and expires; sessions.py).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from bot import engine
from bot.engine.models import PRIORITIES, PRIORITY_RANK, category_key
from bot.engine.numbers import whole_number
from bot.errors import StockbotError
from bot.formats import active_zone, language, moment_text
from bot.i18n import _, engine_text, ngettext
from bot.reports import lost_per_day
from bot.runtime import Runtime
from bot.watch_wording import competition_lines, has_competition_news
from bot.web.chart import trend_chart
from bot.web.sessions import COOKIE, LoginLimiter, session_value, valid_session
from bot.web.tokens import matches_any
from bot.wording import (
    cover_text,
    empty_catalogue,
    money_per_day,
    percent,
    priority_label,
    sales_text,
    snooze_text,
    transit_text,
)
from storage import queries
from storage.competition import competition_histories
from storage.counts import category_names

PAGE_SIZE = 50
MAX_PAGE = 1_000_000
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.globals.update(
    sales_text=sales_text,
    cover_text=cover_text,
    money_per_day=money_per_day,
    moment_text=moment_text,
    transit_text=transit_text,
    snooze_text=snooze_text,
    percent=percent,
    empty_catalogue=lambda: empty_catalogue().replace("`", ""),
    engine_text=engine_text,
    priority_label=priority_label,
    language=language,
    competition_lines=lambda analysis: competition_lines(analysis, active_zone()),
    has_competition_news=has_competition_news,
)
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(gettext=_, ngettext=ngettext, newstyle=True)  # type: ignore[attr-defined]


def _signed_in(request: Request) -> bool:
    settings = request.app.state.runtime.settings
    tokens = [t.get_secret_value() for t in settings.api_tokens]
    header = request.headers.get("authorization", "")
    bearer = header[7:] if header.lower().startswith("bearer ") else ""
    cookie = request.cookies.get(COOKIE, "")
    by_header = matches_any(bearer, tokens)
    by_cookie = valid_session(cookie, tokens, settings.session_hours * 3600, time.time())
    return by_header or by_cookie


def _secure_cookie(request: Request) -> bool:
    """Secure when asked to, or when the page came over HTTPS (uvicorn takes the scheme
    from X-Forwarded-Proto when the proxy is in FORWARDED_ALLOW_IPS)."""
    configured = request.app.state.runtime.settings.cookie_secure
    return configured if configured is not None else request.url.scheme == "https"


def _login_page(
    request: Request, error: str, status: int, headers: dict[str, str] | None = None
) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "login.html", {"error": error}, status_code=status, headers=headers
    )


def _rows(
    runtime: Runtime,
    priority: str | None,
    page: int,
    sort: str = "priority",
    category: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    service = runtime.service
    now = service.clock()
    with runtime.sessions() as session:
        found, total = queries.status_page(
            session,
            now,
            service.rules,
            PRIORITY_RANK.get(priority or ""),
            (page - 1) * PAGE_SIZE,
            PAGE_SIZE,
            sort,
            category,
        )
        ids = [row.product_id for row in found]
        snapshots = queries.snapshots_by_ids(session, ids, now)
        histories = competition_histories(session, ids, now)
    rows = []
    for row in found:
        snapshot = snapshots[row.product_id].model_copy(
            update={"competition_history": histories[row.product_id]}
        )
        analysis = engine.analyze(snapshot, now, service.rules)
        situation = analysis.current_situation
        transfer = next((r for r in analysis.recommendations if r.is_transfer), None)
        rows.append(
            {
                "analysis": analysis,
                "competition": {
                    "main": situation.competitors_main,
                    "fbe": situation.competitors_fbe,
                },
                "action_required": analysis.action_required,
                "needs_update": "needs_weekly_update" in analysis.issues,
                "transfer": transfer,
                "lost": lost_per_day(analysis),
            }
        )
    return rows, total


def _page(
    request: Request,
    priority: str | None,
    page: int,
    check: Any = None,
    error: str | None = None,
    status: int = 200,
    sort: str = "priority",
    category: str | None = None,
) -> HTMLResponse:
    runtime: Runtime = request.app.state.runtime
    if priority not in (None, "", *PRIORITIES):
        priority, error = (
            None,
            _("unknown priority {value}: showing all").format(value=repr(priority)),
        )
    if sort not in queries.SORTS:
        sort, error = (
            "priority",
            _("unknown order {value}: most urgent first").format(value=repr(sort)),
        )
    with runtime.sessions() as session:
        categories = category_names(session)
    if category and category_key(category) not in categories:
        category, error = (
            None,
            _("unknown category {value}: showing all").format(value=repr(category)),
        )
    key = category_key(category) if category else None
    rows, total = _rows(runtime, priority or None, page, sort, key)
    pages = max(1, -(-total // PAGE_SIZE))
    context = {
        "rows": rows,
        "total": total,
        "page": page,
        "pages": pages,
        "priority": priority or "",
        "priorities": PRIORITIES,
        "sort": sort,
        "category": categories.get(key, "") if key else "",
        "categories": sorted(categories.values()),
        "check": check,
        "error": error,
        "summary": runtime.service.summary(),
    }
    return templates.TemplateResponse(request, "dashboard.html", context, status_code=status)


def install_dashboard(web: FastAPI) -> None:
    """Mount /dashboard, its login, its validation form and its chart."""

    @web.get("/dashboard/login", include_in_schema=False, response_class=HTMLResponse)
    def login_form(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, "login.html", {"error": None})

    settings = web.state.runtime.settings
    limiter = LoginLimiter(settings.login_attempts_per_minute)

    @web.post("/dashboard/login", include_in_schema=False, response_model=None)
    def login(request: Request, token: str = Form("")) -> Response:
        address = request.client.host if request.client else "unknown"
        wait = limiter.wait_seconds(address)
        if wait:
            message = _("Too many sign-in attempts; try again in {seconds} s.").format(seconds=wait)
            return _login_page(request, message, 429, {"Retry-After": str(wait)})
        if not matches_any(token, (t.get_secret_value() for t in settings.api_tokens)):
            limiter.failed(address)
            return _login_page(request, _("That token is not valid."), 401)
        answer = RedirectResponse("/dashboard", status_code=303)
        answer.set_cookie(
            COOKIE,
            session_value(token, int(time.time())),
            max_age=settings.session_hours * 3600,
            httponly=True,
            samesite="strict",
            secure=_secure_cookie(request),
        )
        return answer

    @web.get("/dashboard", include_in_schema=False, response_model=None)
    def dashboard(
        request: Request,
        priority: str | None = None,
        page: str = "1",
        sort: str = "priority",
        category: str | None = None,
    ) -> Response:
        if not _signed_in(request):
            return RedirectResponse("/dashboard/login", status_code=303)
        number = min(max(whole_number(page) or 1, 1), MAX_PAGE)
        return _page(request, priority, number, sort=sort, category=category)

    @web.post("/dashboard/validate", include_in_schema=False, response_model=None)
    def validate(
        request: Request,
        sku: str = Form(""),
        from_account: str = Form(""),
        to_account: str = Form(""),
        amount: str = Form(""),
    ) -> Response:
        if not _signed_in(request):
            return RedirectResponse("/dashboard/login", status_code=303)
        try:
            check = request.app.state.runtime.service.validate_transfer(
                sku, from_account, to_account, amount
            )
        except StockbotError as exc:
            return _page(request, None, 1, error=str(exc), status=exc.http_status)
        return _page(request, None, 1, check=check)

    @web.get("/dashboard/chart.png", include_in_schema=False, response_model=None)
    def chart(request: Request, days: str = "30") -> Response:
        if not _signed_in(request):
            return Response("a valid token is required", status_code=401)
        runtime: Runtime = request.app.state.runtime
        try:
            png = trend_chart(runtime.sessions, runtime.service.clock(), days)
        except StockbotError as exc:
            return Response(str(exc), status_code=exc.http_status)
        return Response(png, media_type="image/png")
