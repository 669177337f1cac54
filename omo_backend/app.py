"""``create_app(settings)``: wires the routers, the error envelope, logging and background work."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from anyio import to_thread
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend_client import schemas
from omo_backend import __version__, migrate, openapi
from omo_backend.bindings.router import router as bindings_router
from omo_backend.body_limit import BodyLimit
from omo_backend.customers.router import router as customers_router
from omo_backend.db import Database
from omo_backend.deps import check_role_first
from omo_backend.dev.router import router as dev_router
from omo_backend.devices.router import router as devices_router
from omo_backend.directory.router import router as directory_router
from omo_backend.errors import DomainError, NotReady
from omo_backend.housekeeping import purge_expired
from omo_backend.imports import router as import_router
from omo_backend.integrations.router import router as integrations_router
from omo_backend.invitations.router import router as invitations_router
from omo_backend.logs import access_target, redact, request_id_var, route_words
from omo_backend.longpoll import ChangeWatcher
from omo_backend.members.router import router as members_router
from omo_backend.merges.router import router as merges_router
from omo_backend.messaging.router import router as sms_receipts_router
from omo_backend.orders.router import router as orders_router
from omo_backend.pages import i18n as page_i18n
from omo_backend.pages import line_pages, reset_pages
from omo_backend.pages import rendering as page_rendering
from omo_backend.pages import router as pages
from omo_backend.reports.router import router as reports_router
from omo_backend.settings import Settings
from omo_backend.staff.router import router as staff_router
from omo_backend.staff.session_cache import SessionCache
from omo_backend.webhooks.router import router as webhooks_router
from omo_backend.webhooks.sender import sending_webhooks

log = logging.getLogger("omo_backend")
# A caller's own request id is kept only if it is an id (a UUID, or ours: 32 hex digits), so
# it can't carry a link token or anything else into the logs.
_REQUEST_ID = re.compile(
    r"[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
access_log = logging.getLogger("omo_backend.access")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


def envelope(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = schemas.ErrorEnvelope(
        error=schemas.ErrorBody(code=code, message=message, details=details or {})
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def error_reply(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """An error as its caller reads it: a page for a customer's browser, else the envelope."""
    if page_rendering.is_page(request):
        return page_rendering.status_page(request, status, headers)
    return envelope(status, code, message, details, headers)


def _field_message(err: Mapping[str, Any]) -> str:
    """pydantic's words, except where they would quote a regular expression at a person."""
    if (err.get("ctx") or {}).get("pattern") == schemas.ONE_LINE_PATTERN:
        return "Must be one line of text, without control characters or line breaks."
    return str(err.get("msg", ""))


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        if page_rendering.is_page(request):
            return page_rendering.error_page(request, exc)
        return envelope(exc.status, exc.code, exc.message, exc.details, exc.headers)

    async def role_first(request: Request) -> Response | None:
        # "The role is checked before anything else", also before a body that is not JSON.
        try:
            await check_role_first(request)
        except DomainError as exc:
            return await domain_error(request, exc)
        return None

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if (refused := await role_first(request)) is not None:
            return refused
        problems = [
            {
                "field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"),
                "message": _field_message(err),
                "type": err.get("type", ""),
            }
            for err in exc.errors()
        ]
        return error_reply(
            request, 422, "validation_error", "Some fields are not right.", {"fields": problems}
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400 and (refused := await role_first(request)) is not None:
            return refused
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        headers = dict(exc.headers) if exc.headers else None
        if exc.status_code == 405:
            # Starlette names only the first route of the path; GET and PUT /levels are two.
            allowed = _allowed_methods(app, request.url.path)
            if allowed:
                headers = {**(headers or {}), "Allow": allowed}
        return error_reply(request, exc.status_code, code, str(exc.detail), headers=headers)

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def database_down(request: Request, exc: Exception) -> Response:
        cause = getattr(exc, "orig", None) or exc
        log.error("database unavailable: %s", type(cause).__name__)
        return error_reply(
            request,
            503,
            "service_unavailable",
            "The database is not reachable; try again shortly.",
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # Reached only if the request-log middleware itself failed; it handles the rest.
        log.exception("unhandled error outside a request")
        return unexpected_error(request)


def _readiness(db: Database) -> schemas.Readiness:
    try:
        at = migrate.revisions(db.engine)
    except (OperationalError, PoolTimeout) as exc:
        log.warning("not ready: database unreachable (%s)", type(exc).__name__)
        raise NotReady(
            "The database is not reachable; try again shortly.", code="database_unreachable"
        ) from None
    # Revisions are numbered 0001, 0002, …: a later one is a newer build's expand step, which
    # this build still runs on (deploy/README.md, "Migrations"); an earlier one is not enough.
    if len(at) != 1 or at[0] < migrate.HEAD:
        raise NotReady(
            f"The database schema is at {', '.join(at) or 'nothing'}, "
            f"this build needs {migrate.HEAD}.",
            code="schema_not_current",
        )
    return schemas.Readiness(status="ready", version=__version__, schema_revision=at[0])


def _allowed_methods(app: FastAPI, path: str) -> str:
    # The routes of the path the address matched first (as Starlette picks it), all of them:
    # GET and PUT /levels are two routes of one path. Pages' paths too.
    # Flattened: FastAPI keeps an included router's routes behind one entry of app.routes.
    routes = list(openapi.api_routes(app.routes))
    first = next((route for route in routes if route.path_regex.match(path)), None)
    if first is None:
        return ""
    methods = {
        method for route in routes if route.path == first.path for method in route.methods or ()
    }
    return ", ".join(sorted(methods))


def unexpected_error(request: Request) -> Response:
    return error_reply(
        request,
        500,
        "internal_error",
        "Something went wrong on the server.",
        {"request_id": getattr(request.state, "request_id", "-")},
    )


def _install_body_limit(app: FastAPI, settings: Settings) -> None:
    async def refuse(request: Request, exc: StarletteHTTPException) -> Response:
        # Answered as any HTTP error: a page on customer paths, the envelope elsewhere.
        answer = app.exception_handlers[StarletteHTTPException](request, exc)
        return answer if isinstance(answer, Response) else await answer

    # Per-route caps (CSV uploads) go in ``route_max_bytes``, keyed by path.
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        refuse=refuse,
        route_max_bytes=import_router.route_max_bytes(),
    )


def _route_paths(routes: Iterable[Any]) -> Iterator[str]:
    """Every route's path template, inside included routers (FastAPI keeps those whole, each
    route with its router's prefix, as ``original_router``) and mounts."""
    for route in routes:
        path = getattr(route, "path", None)
        if isinstance(path, str):
            yield path
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _route_paths(included.routes)
        yield from _route_paths(getattr(route, "routes", None) or ())


# Query names pages read from the raw query rather than declare: LINE's callback (its
# redirect's parameters), the pages' language and the notices they carry over.
HAND_READ_QUERY_NAMES = frozenset(
    {"code", "state", "error", "error_description", "friendship_status_changed"}
    | {"lang", "line", "reset", "store"}
)


def _query_names(app: FastAPI) -> frozenset[str]:
    """Every query parameter name a route declares (its dependencies' too) or reads by hand."""
    names: set[str] = set(HAND_READ_QUERY_NAMES)

    def collect(dependant: Any) -> None:
        names.update(param.alias for param in dependant.query_params)
        for sub in dependant.dependencies:
            collect(sub)

    for route in openapi.api_routes(app.routes):
        collect(route.dependant)
    return frozenset(names)


def _install_request_log(app: FastAPI) -> None:
    # The app's own route words, read again when its route list grows (tests add some late).
    known: dict[int, frozenset[str]] = {}

    def words() -> frozenset[str]:
        count = len(app.router.routes)
        if count not in known:
            known.clear()
            known[count] = route_words(_route_paths(app.router.routes)) | _query_names(app)
        return known[count]

    @app.middleware("http")
    async def request_id_and_log(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        rid = request.headers.get("x-request-id", "")
        if not _REQUEST_ID.fullmatch(rid):
            rid = uuid.uuid4().hex
        token = request_id_var.set(rid)
        request.state.request_id = rid
        started = time.perf_counter()
        status = 500
        try:
            try:
                response = await call_next(request)
            except Exception:
                # Here, not in an exception handler: the log line and the reply keep the id.
                log.exception("unhandled error")
                response = unexpected_error(request)
            status = response.status_code
            response.headers["X-Request-Id"] = rid
            _no_store_for_api(request, response)
            return response
        finally:
            target = redact(access_target(request.url.path, request.url.query, words()))
            # A method is any token to the HTTP parser; only the standard ones are words.
            method = request.method if request.method in _METHODS else "[redacted]"
            access_log.info(
                "%s %s %s",
                method,
                target,
                status,
                extra={
                    "event": "http_request",
                    "method": method,
                    "path": target,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            request_id_var.reset(token)


def _no_store_for_api(request: Request, response: Response) -> None:
    """No API reply is cached anywhere: they carry tokens, customers and live links.

    A reply that chose its own caching keeps it (the pages already send ``no-store``).
    """
    if request.url.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")


async def _housekeep(db: Database, settings: Settings) -> None:
    while True:
        await asyncio.sleep(settings.housekeeping_interval_seconds)
        try:
            await to_thread.run_sync(purge_expired, db)
        except Exception:
            log.exception("housekeeping failed; trying again at the next interval")


def create_app(
    settings: Settings, database: Database | None = None, *, run_dispatcher: bool = False
) -> FastAPI:
    # The pages' compiled translations, checked here: a missing or stale catalog stops the
    # start with what to run, rather than serving English to Chinese phones.
    page_i18n.check_catalogs()
    db = database or Database(settings.effective_database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        watcher = ChangeWatcher(db, settings.longpoll_check_seconds)
        watcher.start()
        app.state.watcher = watcher
        cleaner = asyncio.get_running_loop().create_task(_housekeep(db, settings))
        stop = threading.Event()
        thread = None
        webhooks = contextlib.ExitStack()
        if run_dispatcher:
            from omo_backend.messaging.dispatcher import Dispatcher

            dispatcher = Dispatcher(db, settings)
            thread = threading.Thread(
                target=dispatcher.run_forever, args=(stop,), name="dispatcher", daemon=True
            )
            thread.start()
            webhooks.enter_context(sending_webhooks(settings, db))
        try:
            yield
        finally:
            webhooks.close()
            stop.set()
            cleaner.cancel()
            await watcher.stop()
            if thread is not None:
                thread.join(timeout=10)

    app = FastAPI(
        title="OMO Counter backend",
        version=__version__,
        lifespan=lifespan,
        # The docs pages load their script from a CDN, and stores are often offline: only in
        # dev mode. /openapi.json is always served, for integrators and fuzzers.
        docs_url="/docs" if settings.dev_mode else None,
        redoc_url="/redoc" if settings.dev_mode else None,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.session_cache = SessionCache(settings.auth_cache_seconds)
    _install_error_handlers(app)
    # Before the request log, which then wraps it: refusals are logged and carry the id.
    _install_body_limit(app, settings)
    _install_request_log(app)

    @app.get("/api/v1/health", response_model=schemas.Health, tags=["operations"])
    def health() -> schemas.Health:
        return schemas.Health(status="ok", version=__version__)

    @app.get(
        "/api/v1/ready",
        response_model=schemas.Readiness,
        tags=["operations"],
        responses=openapi.errors(database_unreachable=503, schema_not_current=503),
    )
    def ready() -> schemas.Readiness:
        """Ready for traffic: the database answers and its schema is at this build's head.

        A later revision also counts (a newer build's expand step, during a rolling upgrade);
        `schema_revision` is the database's. Otherwise 503 with `Retry-After`, the code saying
        why: `database_unreachable`, or `schema_not_current` (the database is older than this
        build: not migrated yet). `/api/v1/health` only says the process is up.
        """
        return _readiness(db)

    for router in (
        devices_router,
        staff_router,
        customers_router,
        orders_router,
        invitations_router,
        # Before any other /members/{id}…: its /members/overview and /members/export.csv.
        directory_router,
        import_router.router,
        members_router,
        merges_router,
        integrations_router,
        sms_receipts_router,
        webhooks_router,
        reports_router,
        bindings_router,
        # Before the pages' own: their /b/{token} would swallow /b/line and /b/forgot.
        line_pages.router,
        reset_pages.router,
        pages.router,
    ):
        app.include_router(router)
    if settings.dev_mode:
        app.include_router(dev_router)
    openapi.install(app)  # last: it documents the routes included above
    return app
