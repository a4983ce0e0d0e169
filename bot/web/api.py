"""The source's REST API under /api/v1/stock-sync: analyze, alerts, transfer/suggest,
dashboard/summary, bulk-analyze, and the weekly plan (issue 16). Bearer tokens from
STOCKBOT_API_TOKENS.

Success answers are `{"status": "success", "data": ...}`; errors are
`{"status": "error", "error": {"code", "message", "field"?, "available"?, "requested"?}}`
with 400 (insufficient stock), 401, 404 (unknown SKU) or 422 (a malformed field).
"""

from __future__ import annotations

from typing import Annotated, Generic, Literal, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, BeforeValidator, Field
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection

from bot.category_views import summary_by_category
from bot.database_errors import database_trouble
from bot.engine.models import Analysis, TransferCheck
from bot.engine.plan import Plan
from bot.errors import InsufficientStock, InvalidInput, NotFound, StockbotError
from bot.kpis import KpiReport, kpis
from bot.plan_service import build as build_plan
from bot.reports import AlertsReport, BulkReport, CategorySummary, Summary
from bot.runtime import Runtime
from bot.service import MAX_ALERTS, MAX_BULK
from bot.web.edge import ASGIApp, Receive, Scope, Send
from bot.web.tokens import matches_any

PREFIX = "/api/v1/stock-sync"
Data = TypeVar("Data")


class ErrorBody(BaseModel):
    code: Literal[
        "unauthorized",
        "not_found",
        "invalid_input",
        "insufficient_stock",
        "busy",
        "unavailable",
        "error",
    ]
    message: str
    field: str | None = None
    available: int | None = None
    requested: int | None = None


class ErrorAnswer(BaseModel):
    status: Literal["error"] = "error"
    error: ErrorBody


class Success(BaseModel, Generic[Data]):
    """A success answer: `{"status": "success", "data": ...}`."""

    status: Literal["success"] = "success"
    data: Data


class DashboardData(BaseModel):
    summary: Summary
    kpis: KpiReport
    categories: list[CategorySummary]


def _account_any_case(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


# engine.md: accounts are matched case-insensitively on every surface ("FBE", "Main").
AccountName = Annotated[Literal["main", "fbe"], BeforeValidator(_account_any_case)]


class TransferRequest(BaseModel):
    sku: str = Field(min_length=1, max_length=128)
    from_account: AccountName
    to_account: AccountName
    amount: int = Field(ge=1, le=65535, strict=True)  # true is not 1 unit


class BulkRequest(BaseModel):
    # Items are checked one by one (bot.engine.limits): a bad SKU is refused in its own
    # result, never the whole batch.
    skus: list[str] = Field(min_length=1, max_length=MAX_BULK)


class ApiError(Exception):
    def __init__(self, status: int, body: ErrorBody) -> None:
        self.status, self.body = status, body


def error_response(
    status: int, body: ErrorBody, headers: dict[str, str] | None = None
) -> JSONResponse:
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    content = ErrorAnswer(error=body).model_dump(exclude_none=True)
    return JSONResponse(content, status_code=status, headers=headers)


def _from_stockbot_error(exc: StockbotError) -> tuple[int, ErrorBody]:
    if isinstance(exc, NotFound):
        return 404, ErrorBody(code="not_found", message=str(exc), field="sku")
    if isinstance(exc, InsufficientStock):
        body = ErrorBody(
            code="insufficient_stock",
            message=str(exc),
            field="amount",
            available=exc.available,
            requested=exc.requested,
        )
        return 400, body
    if isinstance(exc, InvalidInput):
        return 422, ErrorBody(code="invalid_input", message=str(exc), field=exc.field)
    return exc.http_status, ErrorBody(code="error", message=str(exc))


_bearer = HTTPBearer(auto_error=False, description="one of STOCKBOT_API_TOKENS")


def require_token(
    request: HTTPConnection, credentials: HTTPAuthorizationCredentials | None
) -> None:
    """Any configured token, compared in constant time; none configured: no API."""
    tokens = request.app.state.runtime.settings.api_tokens
    given = credentials.credentials if credentials else ""
    if not matches_any(given, (token.get_secret_value() for token in tokens)):
        message = (
            "a valid bearer token is required"
            if tokens
            else "the API is off: no STOCKBOT_API_TOKENS configured"
        )
        raise ApiError(401, ErrorBody(code="unauthorized", message=message))


ERRORS = {
    status: {"model": ErrorAnswer, "description": text}
    for status, text in (
        (400, "insufficient stock"),
        (401, "missing or wrong bearer token"),
        (404, "unknown SKU"),
        (422, "a malformed field"),
        (503, "the database is busy or unavailable: try again in a moment"),
    )
}


class TokenGate:
    """Checks the bearer token of /api/v1/stock-sync/ requests before routing and body
    parsing: no token, no word about the request itself.

    Pure ASGI, and it looks at the path before anything else: every other request (Slack's
    /slack/events above all) goes straight through, with no task, stream or Request made
    for it (an @app.middleware("http") wrapped them all, ~27% of a burst's time)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PREFIX + "/"):
            connection = HTTPConnection(scope)
            try:
                require_token(connection, await _bearer(connection))
            except ApiError as exc:
                await error_response(exc.status, exc.body)(scope, receive, send)
                return
        await self.app(scope, receive, send)


# The token is checked by TokenGate, before the body is read; the
# dependency here only declares the bearer scheme in the OpenAPI document.
router = APIRouter(prefix=PREFIX, dependencies=[Depends(_bearer)], responses=ERRORS)


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


@router.get("/analyze/{sku}", response_model=Success[Analysis])
def analyze(sku: str, request: Request) -> Success[Analysis]:
    """One product by SKU, PNK or EAN."""
    return Success[Analysis](data=_runtime(request).service.analyze(sku))


@router.get("/alerts", response_model=Success[AlertsReport])
def alerts(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_ALERTS)] = 50,
    category: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
) -> Success[AlertsReport]:
    """The most urgent products, and the counts per priority over the whole catalogue
    (or over one category, by name, with its products alone)."""
    return Success[AlertsReport](data=_runtime(request).service.alerts(limit, category))


@router.post("/transfer/suggest", response_model=Success[TransferCheck])
def transfer_suggest(proposal: TransferRequest, request: Request) -> Success[TransferCheck]:
    """Validate a transfer against the current snapshot; changes nothing."""
    check = _runtime(request).service.validate_transfer(
        proposal.sku, proposal.from_account, proposal.to_account, proposal.amount
    )
    return Success[TransferCheck](data=check)


@router.get("/dashboard/summary", response_model=Success[DashboardData])
def dashboard_summary(
    request: Request, days: Annotated[int, Query(ge=1, le=365)] = 30
) -> Success[DashboardData]:
    """The dashboard numbers and the KPIs over `days` days with their trends."""
    runtime = _runtime(request)
    data = DashboardData(
        summary=runtime.service.summary(),
        kpis=kpis(runtime.sessions, runtime.service.clock(), days),
        categories=summary_by_category(runtime.service),
    )
    return Success[DashboardData](data=data)


@router.post("/bulk-analyze", response_model=Success[BulkReport])
def bulk_analyze(body: BulkRequest, request: Request) -> Success[BulkReport]:
    """Up to 1000 SKUs, one result each in input order; unknown ones reported per item."""
    return Success[BulkReport](data=_runtime(request).service.bulk(body.skus))


@router.get("/plan", response_model=Success[Plan])
def plan(request: Request, limit: Annotated[int, Query(ge=1, le=100_000)] = 1000) -> Success[Plan]:
    """The weekly plan: inbound to FBE, withdrawal from FBE and purchase, each with its
    totals over all its lines and at most `limit` lines, the most worth first."""
    runtime = _runtime(request)
    return Success[Plan](data=build_plan(runtime.service, runtime.settings.plan_min_units, limit))


def install_api(web: FastAPI) -> None:
    """Mount the API and its JSON error answers on the web app."""
    web.include_router(router)
    web.add_middleware(TokenGate)

    @web.exception_handler(ApiError)
    def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.body)

    @web.exception_handler(StockbotError)
    def stockbot_error(request: Request, exc: StockbotError) -> JSONResponse:
        return error_response(*_from_stockbot_error(exc))

    @web.exception_handler(SQLAlchemyError)
    def database_error(request: Request, exc: SQLAlchemyError) -> JSONResponse:
        trouble = database_trouble(exc)
        if trouble is None:
            raise exc  # a bug, not the database's state: the server's own 500
        code, message = trouble
        body = ErrorBody(code=code, message=message)
        return error_response(503, body, {"Retry-After": "5" if code == "busy" else "30"})

    @web.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # FastAPI's own refusals (an unparsable body, an unknown path) in the same shape.
        code = {401: "unauthorized", 404: "not_found"}.get(exc.status_code, "invalid_input")
        if exc.status_code >= 500:
            code = "error"
        body = ErrorBody(code=code, message=str(exc.detail))
        return error_response(exc.status_code, body, exc.headers)

    @web.exception_handler(RequestValidationError)
    def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = [
            str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")
        ]
        field = ".".join(where) or None
        message = f"{field or 'request'}: {first.get('msg', 'invalid')}"
        return error_response(422, ErrorBody(code="invalid_input", message=message, field=field))
