"""The management point: the HTTP API agents talk to (register, inventory, scan states, policy,
deployment state messages; content downloads in content.py).

Every agent call carries its own bearer token and can only touch its own client; the token is checked
again against the client's row in the report's own transaction, so a token revoked elsewhere stops at
once. Database work goes through the group-commit writer; a request is answered after its report is
committed. Bodies are size- and time-limited and validated before anything is written, so a bad
request changes nothing. Every refusal and every error, down to unknown routes and internal errors,
has one shape: `{"error": "..."}`. An address that keeps presenting wrong credentials is slowed down.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager

from fastapi import FastAPI, Header, HTTPException, Path, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import func, select
from sqlmodel import Session

from sumtui import __version__
from sumtui.catalog.models import Update
from sumtui.fleet.enrollment import new_secret
from sumtui.fleet.inventory import InventoryError
from sumtui.fleet.inventory.agentjson import inventory_from_document, strict_json
from sumtui.fleet.models import Client
from sumtui.server.content import add_content_routes
from sumtui.server.credentials import Credentials, address, bearer
from sumtui.server.errors import install_error_handlers
from sumtui.server.guard import RequestGuard
from sumtui.server.limits import MAX_INT, Limits
from sumtui.server.schemas import (
    ErrorBody,
    Health,
    InventoryReport,
    Policy,
    RegisterRequest,
    RegisterResponse,
    RegistrationPending,
    ReportResponse,
    ScanReport,
    StateReport,
)
from sumtui.server.state_body import BadBody, read_state_report
from sumtui.server.throttle import FailureThrottle
from sumtui.server.writer import BatchContext, Writer
from sumtui.site import Site
from sumtui.workflows import agent_protocol as protocol
from sumtui.workflows import deployment_intake
from sumtui.workflows.agent_protocol import ProtocolError, ReportAnswer
from sumtui.workflows.policy import PolicyCache, PolicyRequest, policy_json
from sumtui.workflows.snapshots import take_snapshots

SNAPSHOT_EVERY = 300.0  # seconds
# The lists' snapshots cost about a second at 100k clients, inside the writer: hourly is enough for a daily trend.
LIST_SNAPSHOT_EVERY = 3600.0
ERRORS = {status: {"model": ErrorBody} for status in (400, 401, 403, 404, 408, 409, 413, 422, 500)}
CLIENT_ID = Path(ge=1, le=MAX_INT, description="the client id the registration answered")


def _answer(answer: ReportAnswer) -> Response:
    """The answer to a report, already valid by construction (no second pass through the response
    model); `ignored` only when a state message was."""
    body = ReportResponse(accepted=answer.accepted, serial=answer.serial, resend=answer.resend, duplicate=answer.duplicate,
                          required=answer.required, unknown_updates=answer.unknown_updates, ignored=answer.ignored)
    return Response(content=body.model_dump_json(exclude=None if answer.ignored else {"ignored"}),
                    media_type="application/json")



def create_app(site: Site, *, limits: Limits | None = None, throttle: FailureThrottle | None = None, sleep=asyncio.sleep):
    """The ASGI app of the management point. `throttle` and `sleep` are for tests (a fixed clock, a
    recording sleep); `limits` for the body cap and deadline."""
    limits = limits or Limits()
    throttle = throttle or FailureThrottle()
    catalog = protocol.CatalogCache()

    snapshot_due = [0.0, 0.0]  # when the next snapshot of the collections, of the lists, is due

    def prepare(session: Session, context: BatchContext) -> None:
        context.values["view"], context.values["lookup"] = catalog.get(session)
        if time.monotonic() >= snapshot_due[0]:
            # Today's compliance for the trend on Home, refreshed at most every few minutes.
            lists = time.monotonic() >= snapshot_due[1]
            take_snapshots(session, lists=lists)
            snapshot_due[0] = time.monotonic() + SNAPSHOT_EVERY
            if lists:
                snapshot_due[1] = time.monotonic() + LIST_SNAPSHOT_EVERY

    def inventories(session: Session, context: BatchContext, payloads: list) -> list:
        return protocol.inventories(session, payloads, view=context.values["view"])

    policy_cache = PolicyCache()

    def policies(session: Session, _context: BatchContext, payloads: list) -> list:
        return protocol.policies(session, payloads, cache=policy_cache)

    deployment_cache = deployment_intake.DeploymentCache()

    def states(session: Session, _context: BatchContext, payloads: list) -> list:
        return deployment_intake.state_reports(session, payloads, cache=deployment_cache)

    writer = Writer(site.engine, prepare=prepare, handlers={"inventory": inventories, "policy": policies, "state": states})

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        writer.start()
        try:
            yield
        finally:
            writer.stop()

    app = FastAPI(
        title="sumtui management point",
        version=__version__,
        description="The API sumtui agents use to register, report inventory and scan states, and fetch policy. "
                    'Every error answer is {"error": "..."}.',
        lifespan=lifespan,
    )
    app.state.writer = writer
    app.state.throttle = throttle

    def openapi() -> dict:
        # The inventory and state routes read their bodies themselves; their schemas are added here.
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in (InventoryReport, StateReport):
                found = model.model_json_schema(ref_template="#/components/schemas/{model}")
                schemas.update(found.pop("$defs", {}))
                schemas[model.__name__] = found
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi

    install_error_handlers(app)
    credentials = Credentials(site, throttle=throttle, sleep=sleep)
    authorize = credentials.authorize

    async def submit(job):
        """Run a job in the writer. The protocol refuses before it writes anything, so its refusal comes
        back as a value: raised, it would fail the whole batch and make the writer redo every other
        report of it one by one (a cost an attacker could impose at will)."""
        def refusing(session: Session, context: BatchContext):
            try:
                return job(session, context)
            except ProtocolError as exc:
                return exc

        result = await writer.submit(refusing)
        if isinstance(result, ProtocolError):
            raise result
        return result

    @app.get("/api/v1/health", response_model=Health, responses=ERRORS)
    def health() -> Health:
        with Session(site.engine) as session:
            updates = session.execute(select(func.count()).select_from(Update)).scalar_one()
            clients = session.execute(select(func.count()).select_from(Client)).scalar_one()
        return Health(status="ok", site=site.name, version=__version__, catalog_updates=updates, clients=clients,
                      batches=writer.batches, reports=writer.jobs)

    @app.post(
        "/api/v1/register", response_model=RegisterResponse, status_code=201,
        responses={202: {"model": RegistrationPending, "description": "Held for the site operator's approval: the name "
                                                                     "is already a client of the site"}, **ERRORS},
    )
    async def register(body: RegisterRequest, request: Request, authorization: str | None = Header(default=None)):
        where = address(request)
        await credentials.gate(where)
        described = None
        if body.inventory is not None:
            try:
                described = inventory_from_document(body.inventory, name="inventory").name
            except InventoryError as exc:
                raise HTTPException(422, str(exc)) from None
        token = new_secret()

        def job(session: Session, _context: BatchContext) -> protocol.Registration:
            return protocol.register(
                session, enrollment=body.enrollment_key, name=body.name, agent_version=body.agent_version, token=token,
                presented_token=bearer(authorization), request_secret=body.request_secret, inventory=body.inventory,
                inventory_name=described, address=where)

        result = await credentials.settled(request, None, submit(job))
        if result.pending:
            held = RegistrationPending(name=result.name, message=result.message, request_secret=result.request_secret)
            return JSONResponse(status_code=202, content=held.model_dump())
        credentials.remember(result.client_id, token)
        return RegisterResponse(client_id=result.client_id, token=token, serial=result.serial)

    @app.post(
        "/api/v1/clients/{client_id}/inventory", response_model=ReportResponse, responses=ERRORS,
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/InventoryReport"}}}}},
    )
    async def inventory(request: Request, client_id: int = CLIENT_ID, authorization: str | None = Header(default=None)) -> ReportResponse:
        given = await authorize(request, client_id, authorization, checked_again=True)
        # The body is decoded once, strictly (no duplicate keys, no NaN), and checked field by field:
        # the hot path of the management point, so no second pass through a generic model.
        try:
            doc = strict_json(await request.body(), name="body")
        except InventoryError as exc:
            raise HTTPException(422, str(exc)) from None
        serial = doc.get("serial") if isinstance(doc, dict) else None
        if not isinstance(doc, dict) or set(doc) != {"serial", "inventory"}:
            raise HTTPException(422, 'body: expected {"serial": N, "inventory": {...}}')
        if type(serial) is not int or not 1 <= serial <= MAX_INT:
            raise HTTPException(422, f"serial: expected a whole number from 1 to {MAX_INT}")
        try:
            parsed = inventory_from_document(doc["inventory"], name="inventory")
        except InventoryError as exc:
            raise HTTPException(422, str(exc)) from None
        report = protocol.InventoryReport(client_id=client_id, token_hash=given, serial=serial, inventory=parsed)
        answer = await credentials.settled(request, client_id, writer.submit_batched("inventory", report))
        return _answer(answer)

    @app.post("/api/v1/clients/{client_id}/scan", response_model=ReportResponse, responses=ERRORS)
    async def scan(body: ScanReport, request: Request, client_id: int = CLIENT_ID,
                   authorization: str | None = Header(default=None)) -> ReportResponse:
        given = await authorize(request, client_id, authorization, checked_again=True)
        items = [protocol.ScanItem(kb=i.kb, state=i.state, product_id=i.product_id, product=i.product) for i in body.states]

        def job(session: Session, context: BatchContext) -> Response:
            return _answer(protocol.scan(session, client_id=client_id, token_hash=given, serial=body.serial, full=body.full,
                                         items=items, view=context.values["view"], lookup=context.values["lookup"]))

        return await credentials.settled(request, client_id, submit(job))

    @app.get("/api/v1/clients/{client_id}/policy", response_model=Policy, responses=ERRORS)
    async def policy(request: Request, client_id: int = CLIENT_ID, authorization: str | None = Header(default=None)) -> Policy:
        given = await authorize(request, client_id, authorization, checked_again=True)
        answer = await credentials.settled(request, client_id, writer.submit_batched("policy", PolicyRequest(client_id, given)))
        # Built by the workflow in the documented shape: no second pass through the response model.
        return Response(content=policy_json(answer), media_type="application/json")

    @app.post(
        "/api/v1/clients/{client_id}/state", response_model=ReportResponse, responses=ERRORS,
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/StateReport"}}}}},
    )
    async def state(request: Request, client_id: int = CLIENT_ID, authorization: str | None = Header(default=None)):
        """Deployment state messages: per (deployment, KB), what the agent did and why."""
        given = await authorize(request, client_id, authorization, checked_again=True)
        try:
            serial, messages = read_state_report(strict_json(await request.body(), name="body"))
        except (InventoryError, BadBody) as exc:
            raise HTTPException(422, str(exc)) from None
        report = deployment_intake.StateReport(client_id=client_id, token_hash=given, serial=serial, messages=messages)
        answer = await credentials.settled(request, client_id, writer.submit_batched("state", report))
        return _answer(answer)

    add_content_routes(app, site, authorize=authorize, client_id_param=CLIENT_ID)

    guarded = RequestGuard(app, limits=limits)
    guarded.state = app.state  # tests and the serve command reach the writer and the throttle here
    return guarded
