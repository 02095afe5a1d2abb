"""The FastAPI app: the JSON API over the store (ingest, deployments, monitor, findings, keys).

Thin by design: each route authenticates, parses, calls one function of :mod:`hawthorne.store`
and shapes its answer. The ingest routes answer 2xx only after the store has committed; a full
ingest queue answers 429 with ``Retry-After``; bad input is a 4xx, never a 5xx.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from hawthorne._version import __version__
from hawthorne.monitor import DeploymentError, OtlpError, decode_traces
from hawthorne.review import ReviewPlan
from hawthorne.server._auth import require, require_role, require_scope_or_role
from hawthorne.server._json import AsciiJSONResponse
from hawthorne.server._otlp_reply import otlp_reply
from hawthorne.shadow import shadow_status
from hawthorne.store import (
    FINDING_STATUSES,
    ROLES,
    SCOPES,
    Identity,
    ItemResult,
    Refused,
    Registry,
    Store,
    StoreError,
    UnknownDeployment,
    create_account,
    create_key,
    create_plan,
    label_item,
    list_accounts,
    list_actions,
    list_findings,
    list_keys,
    list_plans,
    monitor_status,
    next_item,
    override_status,
    record,
    record_override,
    review_estimate,
    revoke_key,
)

__all__ = ["MAX_BATCH", "MAX_BODY", "create_app"]

MAX_BATCH = 10_000
"""The most decisions one ingest request may carry."""
MAX_BODY = 10 * 1024 * 1024
"""The largest ingest body, in bytes (OTLP bodies too, before decompression)."""
QUEUE_LIMIT = 50_000
"""Decisions being checked and committed at once; beyond it ingest answers 429."""
RETRY_AFTER = "1"
T = TypeVar("T")

Reader = Annotated[Identity, Depends(require("read"))]
Ingester = Annotated[Identity, Depends(require("ingest"))]
Admin = Annotated[Identity, Depends(require("admin"))]
Reviewer = Annotated[Identity, Depends(require_role("reviewer"))]
Overrider = Annotated[Identity, Depends(require_scope_or_role("ingest", "reviewer"))]


class KeyRequest(BaseModel):
    """A new API key's name and scopes."""

    name: str = Field(min_length=1, max_length=200)
    scopes: list[str] = Field(min_length=1)


class AccountRequest(BaseModel):
    """A new account: a username, a password (at least 12 characters) and roles."""

    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=12, max_length=1000)
    roles: list[str] = Field(min_length=1)


class OverrideRequest(BaseModel):
    """A human's final decision on a live decision.

    ``by`` names the person: an application recording overrides with an ingest key must give
    it; an account records its own overrides (``by`` is then its name, or left out).
    """

    deployment: str = Field(min_length=1, max_length=100)
    decision_id: str = Field(min_length=1, max_length=200)
    final_decision: str = Field(min_length=1, max_length=200)
    by: str | None = Field(default=None, min_length=1, max_length=140)
    reason: str = Field(min_length=1, max_length=100)
    note: str | None = Field(default=None, max_length=10_000)


class LabelRequest(BaseModel):
    """A reviewer's label of the item they hold, and a note."""

    label: str
    note: str | None = Field(default=None, max_length=10_000)


class KeyCreated(BaseModel):
    """A created key: the key itself is shown here once and never again."""

    id: str
    key: str
    scopes: list[str]


_BATCH_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["batch"],
                "properties": {
                    "batch": {
                        "type": "array",
                        "maxItems": MAX_BATCH,
                        "items": {"$ref": "#/components/schemas/DecisionIn"},
                    }
                },
            }
        }
    },
}
_DEPLOYMENT_BODY = {
    "required": True,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Deployment"}}},
}
_OTLP_BODY = {
    "required": True,
    "content": {
        "application/x-protobuf": {"schema": {"type": "string", "format": "binary"}},
        "application/json": {"schema": {"type": "object"}},
    },
}


async def _body(request: Request, limit: int = MAX_BODY) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"the body exceeds {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"the body exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except UnicodeDecodeError:
        raise HTTPException(400, "the body is not UTF-8") from None
    except ValueError as err:
        raise HTTPException(400, f"the body is not JSON: {err}") from None
    except RecursionError:
        raise HTTPException(400, "the body's JSON is nested too deeply") from None


class _Queue:
    """Counts the decisions in flight; refuses a batch that would overfill it."""

    def __init__(self, limit: int) -> None:
        self.limit, self.used = limit, 0

    async def run(
        self, n: int, work: Callable[[], Awaitable[list[ItemResult]]]
    ) -> list[ItemResult]:
        if self.used and self.used + n > self.limit:
            raise HTTPException(
                429, "the ingest queue is full; retry later", headers={"Retry-After": RETRY_AFTER}
            )
        self.used += n
        try:
            return await work()
        finally:
            self.used -= n


def create_app(store: Store, *, queue_limit: int = QUEUE_LIMIT) -> FastAPI:
    """The API over a migrated store.

    Args:
        store: The store (already upgraded to the newest migration).
        queue_limit: Decisions in flight before ingest answers 429.

    Returns:
        The app.
    """
    app = FastAPI(
        default_response_class=AsciiJSONResponse,
        title="Hawthorne",
        version=__version__,
        description="Live decisions of deployed models, checked against their audited baseline.",
    )
    registry = Registry(store)
    app.state.store, app.state.registry = store, registry
    queue = _Queue(queue_limit)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, err: StarletteHTTPException) -> Response:
        if err.status_code == 204 or err.status_code == 304:
            return Response(status_code=err.status_code, headers=err.headers)
        return AsciiJSONResponse(
            {"detail": err.detail}, status_code=err.status_code, headers=err.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, err: RequestValidationError) -> JSONResponse:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()]
        return AsciiJSONResponse({"detail": "; ".join(problems)}, status_code=400)

    @app.exception_handler(DataError)
    @app.exception_handler(UnicodeEncodeError)
    async def _unstorable(_request: Request, _err: Exception) -> JSONResponse:
        # A value the database cannot hold (PostgreSQL text refuses NUL; UTF-8 lone surrogates).
        return AsciiJSONResponse(
            {"detail": "the request holds text the store cannot keep (NUL or invalid Unicode)"},
            status_code=400,
        )

    @app.exception_handler(StoreError)
    @app.exception_handler(OperationalError)
    async def _unavailable(_request: Request, err: Exception) -> JSONResponse:
        return AsciiJSONResponse(
            {"detail": "the store is unavailable; retry later"},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    async def ingest(batch: Sequence[object], source: str) -> list[ItemResult]:
        async def work() -> list[ItemResult]:
            return await run_in_threadpool(record, registry, batch, source=source)

        return await queue.run(len(batch), work)

    @app.post(
        "/api/v1/decisions",
        status_code=207,
        openapi_extra={"requestBody": _BATCH_BODY},
        responses={207: {"description": "One result per item"}, 413: {}, 429: {}},
        tags=["ingest"],
    )
    async def post_decisions(request: Request, _who: Ingester) -> JSONResponse:
        """Record a batch of decisions: one result per item (201, 200, 400 or 404)."""
        data = _json(await _body(request))
        batch = data.get("batch") if isinstance(data, dict) else None
        if not isinstance(batch, list):
            raise HTTPException(400, 'the body must be {"batch": [decision, ...]}')
        if len(batch) > MAX_BATCH:
            raise HTTPException(413, f"a batch holds at most {MAX_BATCH} decisions")
        results = await ingest(batch, "api")
        return AsciiJSONResponse({"results": [r.to_json() for r in results]}, status_code=207)

    @app.post("/v1/traces", openapi_extra={"requestBody": _OTLP_BODY}, tags=["ingest"])
    async def post_traces(request: Request, _who: Ingester) -> Response:
        """OTLP/HTTP traces (protobuf or JSON, gzip allowed): spans become decisions.

        A span counts when it carries ``hawthorne.deployment``; the others are ignored.
        """
        content_type = request.headers.get("content-type", "")
        try:
            spans = decode_traces(
                await _body(request), content_type, request.headers.get("content-encoding")
            )
        except OtlpError as err:
            raise HTTPException(400, str(err)) from None
        results = await ingest(spans.decisions, "otlp") if spans.decisions else []
        return otlp_reply(content_type, results)

    @app.get("/api/v1/deployments", tags=["deployments"])
    async def get_deployments(_who: Reader) -> dict[str, list[str]]:
        """Every registered deployment's id."""
        return {"deployments": await run_in_threadpool(registry.ids)}

    @app.post(
        "/api/v1/deployments",
        openapi_extra={"requestBody": _DEPLOYMENT_BODY},
        tags=["deployments"],
        status_code=201,
    )
    async def post_deployment(request: Request, who: Admin) -> JSONResponse:
        """Register or update a deployment (paths in it are read by the server)."""
        data = _json(await _body(request))
        try:
            live, created = await run_in_threadpool(registry.register, data, who.name)
        except DeploymentError as err:
            raise HTTPException(400, str(err)) from None
        return AsciiJSONResponse(live.describe(), status_code=201 if created else 200)

    async def _answer(call: Callable[[], T]) -> T:
        """Run ``call`` in a thread; its refusals become 4xx answers."""
        try:
            return await run_in_threadpool(call)
        except Refused as err:
            raise HTTPException(err.status, str(err)) from None
        except UnknownDeployment as err:
            raise HTTPException(404, str(err)) from None
        except DeploymentError as err:
            raise HTTPException(409, str(err)) from None

    @app.get("/api/v1/deployments/{deployment_id}", tags=["deployments"])
    async def get_deployment(deployment_id: str, _who: Reader) -> dict[str, Any]:
        """A deployment, its baseline and its monitor plan."""
        return await _answer(lambda: registry.require(deployment_id).describe())

    @app.get("/api/v1/deployments/{deployment_id}/monitor", tags=["monitor"])
    async def get_monitor(deployment_id: str, _who: Reader) -> dict[str, Any]:
        """Every stream of a deployment: counts, live adherence, baseline, tests, findings."""
        return await _answer(lambda: monitor_status(registry, deployment_id))

    @app.post("/api/v1/overrides", status_code=201, tags=["oversight"])
    async def post_override(body: OverrideRequest, who: Overrider) -> dict[str, Any]:
        """Record an override: the decision that stands, who made it, a reason code, a note."""
        if who.roles and body.by not in (None, who.name):
            raise HTTPException(400, f"by: an account records its own overrides ({who.name})")
        by = body.by or (who.name if who.roles else None)
        if by is None:
            raise HTTPException(400, "by: name the person who overrode the decision")
        return await _answer(
            lambda: record_override(
                registry,
                body.deployment,
                body.decision_id,
                body.final_decision,
                by,
                body.reason,
                body.note,
                who.name,
            )
        )

    @app.get("/api/v1/deployments/{deployment_id}/shadow", tags=["oversight"])
    async def get_shadow(deployment_id: str, _who: Reader) -> dict[str, Any]:
        """Shadow pairs per cue: observed vs live adherence, the paired gap, the verdict."""
        return await _answer(lambda: shadow_status(registry, deployment_id))

    @app.get("/api/v1/deployments/{deployment_id}/overrides", tags=["oversight"])
    async def get_overrides(deployment_id: str, _who: Reader) -> dict[str, Any]:
        """Per stream: the override rate, its directions and its CUSUM."""
        return await _answer(lambda: override_status(registry, deployment_id))

    @app.post("/api/v1/reviews/plans", status_code=201, tags=["oversight"])
    async def post_plan(body: ReviewPlan, who: Admin) -> dict[str, Any]:
        """Create a sampling plan (its sample size is in the answer)."""
        return await _answer(lambda: create_plan(registry, body, who.name))

    @app.get("/api/v1/reviews/plans", tags=["oversight"])
    async def get_plans(_who: Reader, deployment: str | None = None) -> dict[str, Any]:
        """Every sampling plan, with each period drawn so far."""
        return {"plans": await run_in_threadpool(list_plans, registry, deployment)}

    @app.get("/api/v1/reviews/plans/{plan_id}/estimate", tags=["oversight"])
    async def get_estimate(plan_id: str, _who: Reader) -> dict[str, Any]:
        """Per period and stratum: the violation rate, the tolerable rate, agreement, baseline."""
        return await _answer(lambda: review_estimate(registry, plan_id))

    @app.get("/api/v1/reviews/next", tags=["oversight"])
    async def get_next(who: Reviewer, plan: str | None = None) -> dict[str, Any]:
        """Lock and return the reviewer's next item (``{"item": null}`` when none is waiting)."""

        def work() -> dict[str, Any] | None:
            plans = [plan] if plan else [p["id"] for p in list_plans(registry)]
            for plan_id in plans:
                item = next_item(registry, plan_id, who.name)
                if item is not None:
                    return item
            return None

        return {"item": await _answer(work)}

    @app.post("/api/v1/reviews/items/{item_id}/label", tags=["oversight"])
    async def post_label(item_id: int, body: LabelRequest, who: Reviewer) -> dict[str, Any]:
        """Label the item the reviewer holds."""
        return await _answer(lambda: label_item(registry, item_id, who.name, body.label, body.note))

    @app.get("/api/v1/actions", tags=["oversight"])
    async def get_actions(
        _who: Reader,
        resource: str | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict[str, Any]:
        """The newest recorded actions (who changed what), optionally by resource prefix."""
        return {"actions": await run_in_threadpool(list_actions, store, resource, limit)}

    @app.get("/api/v1/findings", tags=["findings"])
    async def get_findings(
        _who: Reader,
        deployment: str | None = None,
        status: Annotated[list[str] | None, Query()] = None,
    ) -> dict[str, Any]:
        """Findings, newest first."""
        unknown = sorted(set(status or ()) - set(FINDING_STATUSES))
        if unknown:
            raise HTTPException(400, f"status: unknown {unknown}; use {list(FINDING_STATUSES)}")
        found = await run_in_threadpool(list_findings, store, deployment, status)
        return {"findings": found}

    @app.post("/api/v1/keys", status_code=201, tags=["admin"])
    async def post_key(body: KeyRequest, who: Admin) -> KeyCreated:
        """Create an API key (shown once)."""
        unknown = sorted(set(body.scopes) - set(SCOPES))
        if unknown:
            raise HTTPException(400, f"scopes: unknown {unknown}; use {list(SCOPES)}")
        key_id, key = await run_in_threadpool(create_key, store, body.name, body.scopes, who.name)
        return KeyCreated(id=key_id, key=key, scopes=sorted(set(body.scopes)))

    @app.get("/api/v1/keys", tags=["admin"])
    async def get_keys(_who: Admin) -> dict[str, Any]:
        """Every API key (never a secret)."""
        return {"keys": await run_in_threadpool(list_keys, store)}

    @app.delete("/api/v1/keys/{key_id}", status_code=204, tags=["admin"])
    async def delete_key(key_id: str, who: Admin) -> Response:
        """Revoke an API key."""
        if not await run_in_threadpool(revoke_key, store, key_id, who.name):
            raise HTTPException(404, f"no key {key_id!r}")
        return Response(status_code=204)

    @app.post("/api/v1/accounts", status_code=201, tags=["admin"])
    async def post_account(body: AccountRequest, who: Admin) -> dict[str, Any]:
        """Create an account with roles."""
        unknown = sorted(set(body.roles) - set(ROLES))
        if unknown:
            raise HTTPException(400, f"roles: unknown {unknown}; use {list(ROLES)}")
        try:
            await run_in_threadpool(
                create_account, store, body.username, body.password, body.roles, who.name
            )
        except IntegrityError:
            raise HTTPException(409, f"account {body.username!r} exists") from None
        return {"username": body.username, "roles": sorted(set(body.roles))}

    @app.get("/api/v1/accounts", tags=["admin"])
    async def get_accounts(_who: Admin) -> dict[str, Any]:
        """Every account's name and roles (never a password hash)."""
        return {"accounts": await run_in_threadpool(list_accounts, store)}

    @app.get("/api/v1/whoami", tags=["admin"])
    async def whoami(who: Reader) -> dict[str, Any]:
        """The caller's identity, roles and scopes."""
        return {"name": who.name, "roles": list(who.roles), "scopes": list(who.scopes)}

    _document(app)
    return app


def _document(app: FastAPI) -> None:
    """Add the decision and deployment models to the OpenAPI schema.

    Their routes parse by hand, item by item, so FastAPI does not see them.
    """
    from hawthorne.monitor import DecisionIn, Deployment

    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (DecisionIn, Deployment):
            model_schema = model.model_json_schema(
                by_alias=True, ref_template="#/components/schemas/{model}"
            )
            components.update(model_schema.pop("$defs", {}))
            components[model.__name__] = model_schema
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
