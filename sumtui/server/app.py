"""The management point: the HTTP API agents talk to (register, inventory, scan states, policy).

Every agent call carries its own bearer token and can only touch its own client. Database work goes
through the group-commit writer; a request is answered after its report is committed. Bodies are
size-limited and validated before anything is written, so a bad request changes nothing.
"""

from __future__ import annotations

import threading
import time
from contextlib import asynccontextmanager

from fastapi import FastAPI, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import bindparam, func, select, update
from sqlmodel import Session

from sumtui import __version__
from sumtui.catalog.models import SyncRun, Update
from sumtui.compliance.intake import ScanReport as ScanInput
from sumtui.compliance.intake import ingest_agent_inventories, ingest_scan
from sumtui.compliance.queries import take_snapshot
from sumtui.compliance.view import load_view, product_key
from sumtui.fleet import agent_settings
from sumtui.fleet.clients import find_client, name_key
from sumtui.fleet.collections import refresh_membership
from sumtui.fleet.enrollment import enrollment_key, hash_token, key_matches, new_secret, token_matches
from sumtui.fleet.inventory import InventoryError
from sumtui.fleet.inventory.agentjson import inventory_from_document, strict_json
from sumtui.fleet.models import Client
from sumtui.server.limits import BodyLimit
from sumtui.server.schemas import (
    ErrorBody,
    Health,
    InventoryReport,
    Policy,
    RegisterRequest,
    RegisterResponse,
    ReportResponse,
    ScanReport,
)
from sumtui.server.writer import BatchContext, Writer
from sumtui.site import Site
from sumtui.timeutil import utcnow

SNAPSHOT_EVERY = 300.0  # seconds
STATE_CODES = {"required": 1, "installed": 2, "failed": 3, "not_required": 0}
ERRORS = {400: {"model": ErrorBody}, 401: {"model": ErrorBody}, 403: {"model": ErrorBody},
          404: {"model": ErrorBody}, 409: {"model": ErrorBody}, 413: {"model": ErrorBody}, 422: {"model": ErrorBody}}


class CatalogCache:
    """The catalog view for evaluations, reloaded only when a sync or import finished since."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._marker = None
        self._view = None
        self._lookup: dict[tuple[str, str], int] = {}

    def get(self, session: Session):
        marker = session.execute(select(func.max(SyncRun.id)).where(SyncRun.ended_at.is_not(None))).scalar()
        with self._lock:
            if self._view is None or marker != self._marker:
                self._view = load_view(session)
                self._lookup = {}
                for r in session.execute(select(Update.id, Update.kb, Update.product_id, Update.product)):
                    self._lookup[(r.kb, r.product_id)] = r.id
                    self._lookup[(r.kb, product_key(r.product))] = r.id
                self._marker = marker
            return self._view, self._lookup


def create_app(site: Site):
    catalog = CatalogCache()
    tokens: dict[int, str | None] = {}

    snapshot_due = [0.0]

    def prepare(session: Session, context: BatchContext) -> None:
        context.values["view"], context.values["lookup"] = catalog.get(session)
        if time.monotonic() >= snapshot_due[0]:
            # Today's compliance for the trend on Home, refreshed at most every few minutes.
            take_snapshot(session)
            snapshot_due[0] = time.monotonic() + SNAPSHOT_EVERY

    def inventories(session: Session, context: BatchContext, payloads: list) -> list:
        """All agent inventories of a batch: checked in arrival order, then applied and evaluated together."""
        C = Client.__table__
        known = {r.id: r for r in session.execute(
            select(C.c.id, C.c.name, C.c.name_key, C.c.report_serial).where(C.c.id.in_({cid for cid, _, _ in payloads})))}
        answers: list = []
        accepted: list[tuple[int, int]] = []  # (index in payloads, client id)
        serials = {cid: row.report_serial for cid, row in known.items()}
        for index, (client_id, serial, parsed) in enumerate(payloads):
            row = known.get(client_id)
            if row is None:
                answers.append(HTTPException(404, "no such client"))
            elif name_key(parsed.name) != row.name_key:
                answers.append(HTTPException(409, f"the inventory describes {parsed.name!r}, but this client is {row.name!r}"))
            elif serial <= serials[client_id]:
                answers.append(ReportResponse(accepted=False, serial=serials[client_id], duplicate=True))
            else:
                serials[client_id] = serial
                answers.append(None)
                accepted.append((index, client_id))
        if not accepted:
            return answers
        ingest_agent_inventories(session, [(cid, payloads[i][2]) for i, cid in accepted], view=context.values["view"])
        ids = sorted({cid for _, cid in accepted})
        # An inventory is always complete: any earlier gap is closed by it.
        session.execute(
            update(C).where(C.c.id == bindparam("b_id")).values(report_serial=bindparam("serial"), needs_full_resend=False),
            [dict(b_id=cid, serial=serials[cid]) for cid in ids],
        )
        required = {r.id: r.required_count for r in session.execute(select(C.c.id, C.c.required_count).where(C.c.id.in_(ids)))}
        for index, cid in accepted:
            answers[index] = ReportResponse(accepted=True, serial=payloads[index][1], required=required[cid])
        return answers

    writer = Writer(site.engine, prepare=prepare, handlers={"inventory": inventories})

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
        description="The API sumtui agents use to register, report inventory and scan states, and fetch policy.",
        lifespan=lifespan,
    )
    app.state.writer = writer

    def openapi() -> dict:
        # The inventory route reads its body itself; its schema is added here for the description.
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schema.setdefault("components", {}).setdefault("schemas", {})["InventoryReport"] = InventoryReport.model_json_schema(
                ref_template="#/components/schemas/{model}")
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return JSONResponse(status_code=422, content={"error": f"{where}: {first.get('msg')}" if where else first.get("msg")})

    @app.exception_handler(HTTPException)
    async def _http(_request: Request, exc: HTTPException):
        return JSONResponse(status_code=exc.status_code, content={"error": str(exc.detail)}, headers=exc.headers)

    def token_hash_of(client_id: int) -> str | None:
        if client_id not in tokens:
            with Session(site.engine) as session:
                tokens[client_id] = session.execute(select(Client.token_hash).where(Client.id == client_id)).scalar()
        return tokens[client_id]

    def authorize(client_id: int, authorization: str | None) -> None:
        if not authorization or not authorization.lower().startswith("bearer "):
            raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
        token = authorization[7:].strip()
        stored = token_hash_of(client_id)
        if stored is None or not token_matches(token, stored):
            # Same answer for an unknown client and a wrong token: nothing to learn by probing ids.
            raise HTTPException(403, "this token is not valid for this client")

    @app.get("/api/v1/health", response_model=Health)
    def health() -> Health:
        with Session(site.engine) as session:
            updates = session.execute(select(func.count()).select_from(Update)).scalar_one()
            clients = session.execute(select(func.count()).select_from(Client)).scalar_one()
        return Health(status="ok", site=site.name, version=__version__, catalog_updates=updates, clients=clients,
                      batches=writer.batches, reports=writer.jobs)

    @app.post("/api/v1/register", response_model=RegisterResponse, status_code=201, responses=ERRORS)
    async def register(body: RegisterRequest) -> RegisterResponse:
        token = new_secret()

        def job(session: Session, _context: BatchContext):
            if not key_matches(body.enrollment_key, enrollment_key(session)):
                raise HTTPException(403, "wrong enrollment key (see `sumtui enroll-key` on the site)")
            client = find_client(session, body.name)
            if client is None:
                client = Client(name=body.name, name_key=name_key(body.name), created_at=utcnow(), source="agent")
            client.source = "agent"
            client.token_hash = hash_token(token)
            client.agent_version = body.agent_version or client.agent_version
            client.report_serial = 0
            client.needs_full_resend = True
            client.last_contact = utcnow()
            session.add(client)
            session.flush()
            refresh_membership(session, client_ids=[client.id])
            return client.id

        client_id = await writer.submit(job)
        tokens.pop(client_id, None)
        return RegisterResponse(client_id=client_id, token=token, serial=0)

    @app.post(
        "/api/v1/clients/{client_id}/inventory", response_model=ReportResponse, responses=ERRORS,
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/InventoryReport"}}}}},
    )
    async def inventory(client_id: int, request: Request, authorization: str | None = Header(default=None)) -> ReportResponse:
        authorize(client_id, authorization)
        # The body is decoded once, strictly (no duplicate keys, no NaN), and checked field by field:
        # the hot path of the management point, so no second pass through a generic model.
        try:
            doc = strict_json(await request.body(), name="body")
        except InventoryError as exc:
            raise HTTPException(422, str(exc)) from None
        serial = doc.get("serial") if isinstance(doc, dict) else None
        if not isinstance(doc, dict) or set(doc) != {"serial", "inventory"}:
            raise HTTPException(422, 'body: expected {"serial": N, "inventory": {...}}')
        if type(serial) is not int or serial < 1:
            raise HTTPException(422, "serial: expected a whole number of at least 1")
        try:
            parsed = inventory_from_document(doc["inventory"], name="inventory")
        except InventoryError as exc:
            raise HTTPException(422, str(exc)) from None
        answer = await writer.submit_batched("inventory", (client_id, serial, parsed))
        # Already validated by construction: skip FastAPI's second pass over the response model.
        return Response(content=answer.model_dump_json(), media_type="application/json")

    @app.post("/api/v1/clients/{client_id}/scan", response_model=ReportResponse, responses=ERRORS)
    async def scan(client_id: int, body: ScanReport, authorization: str | None = Header(default=None)) -> ReportResponse:
        authorize(client_id, authorization)

        def job(session: Session, context: BatchContext) -> ReportResponse:
            client = session.get(Client, client_id)
            if client is None:
                raise HTTPException(404, "no such client")
            if body.serial <= client.report_serial:
                return ReportResponse(accepted=False, serial=client.report_serial, duplicate=True)
            if body.serial > client.report_serial + 1 and not body.full:
                # A report went missing: partial states on top of a gap would be wrong; ask for everything.
                client.needs_full_resend = True
                client.last_contact = utcnow()
                session.add(client)
                return ReportResponse(accepted=False, serial=client.report_serial, resend="full")
            lookup = context.values["lookup"]
            states, unknown = {}, 0
            for item in body.states:
                kb = item.kb.upper().removeprefix("KB")
                uid = lookup.get((kb, item.product_id or "")) or lookup.get((kb, product_key(item.product or "")))
                if uid is None:
                    unknown += 1
                    continue
                states[uid] = STATE_CODES[item.state]
            ingest_scan(session, client, ScanInput(states, full=body.full), view=context.values["view"])
            client.report_serial = body.serial
            client.needs_full_resend = client.needs_full_resend and not body.full
            client.last_contact = utcnow()
            session.add(client)
            return ReportResponse(accepted=True, serial=body.serial, required=client.required_count, unknown_updates=unknown)

        return await writer.submit(job)

    @app.get("/api/v1/clients/{client_id}/policy", response_model=Policy, responses=ERRORS)
    async def policy(client_id: int, authorization: str | None = Header(default=None)) -> Policy:
        authorize(client_id, authorization)

        def job(session: Session, _context: BatchContext) -> Policy:
            client = session.get(Client, client_id)
            if client is None:
                raise HTTPException(404, "no such client")
            client.last_contact = utcnow()
            session.add(client)
            settings, _ = agent_settings.load(session)
            return Policy(client_id=client_id, server_time=utcnow().isoformat(), client_agent=settings.model_dump())

        return await writer.submit(job)

    return BodyLimit(app)
