"""Who may call the management point: an agent's bearer token for its own client, checked before any
work; and slowing down the addresses that present wrong credentials (`throttle.py`).

Token hashes of clients that presented a valid one are cached, but only as a first check for calls
whose token the writer checks again against the client's row in the report's own transaction: a
token revoked by another process (a registration reset) stops working at once all the same. Every
other caller (content downloads) is checked against the row. An unknown client and a wrong token get
the same answer: nothing to learn by probing ids.
"""

from __future__ import annotations

import asyncio
import math

from fastapi import HTTPException, Request
from sqlmodel import Session

from sumtui.fleet.enrollment import hash_token
from sumtui.server.throttle import FailureThrottle
from sumtui.site import Site
from sumtui.workflows import agent_protocol as protocol
from sumtui.workflows.agent_protocol import ProtocolError

MAX_CACHED_TOKENS = 250_000  # about 100 bytes each


def bearer(authorization: str | None) -> str | None:
    if authorization and authorization[:7].lower() == "bearer ":
        return authorization[7:].strip() or None
    return None


def address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class Credentials:
    def __init__(self, site: Site, *, throttle: FailureThrottle, sleep=asyncio.sleep) -> None:
        self.site = site
        self.throttle = throttle
        self.sleep = sleep
        self._tokens: dict[int, str] = {}

    async def gate(self, where: str) -> None:
        """Wait here while the address is throttled for earlier wrong credentials."""
        wait = self.throttle.admit(where)
        if wait > 0:
            await self.sleep(wait)

    def refused(self, where: str, status: int, message: str, headers: dict[str, str] | None = None) -> HTTPException:
        """A refusal for a wrong credential: counted against the address, which is told how long to wait."""
        delay = self.throttle.failed(where)
        return HTTPException(status, message, headers={**(headers or {}), "Retry-After": str(math.ceil(delay))})

    def _stored(self, client_id: int) -> str | None:
        with Session(self.site.engine) as session:
            return protocol.token_hash(session, client_id)

    async def authorize(self, request: Request, client_id: int, authorization: str | None, *,
                        checked_again: bool = False) -> str:
        """The hash of the request's token when it is this client's; 401/403 otherwise. `checked_again`:
        the writer checks the token in the report's transaction, so the cache may answer here."""
        where = address(request)
        await self.gate(where)
        token = bearer(authorization)
        if token is None:
            raise self.refused(where, 401, "missing bearer token", {"WWW-Authenticate": "Bearer"})
        given = hash_token(token)
        if not checked_again or self._tokens.get(client_id) != given:
            if self._stored(client_id) != given:
                raise self.refused(where, 403, protocol.BAD_TOKEN)
            if len(self._tokens) >= MAX_CACHED_TOKENS:
                self._tokens.clear()
            self._tokens[client_id] = given
        return given

    def remember(self, client_id: int, token: str) -> None:
        """The token a registration just issued (committed): the client's first report is then checked
        against it here, without a read (the writer checks it again in the report's transaction)."""
        if len(self._tokens) >= MAX_CACHED_TOKENS:
            self._tokens.clear()
        self._tokens[client_id] = hash_token(token)

    def forget(self, client_id: int) -> None:
        """The client's token changed (a registration)."""
        self._tokens.pop(client_id, None)

    async def settled(self, request: Request, client_id: int | None, work):
        """A writer's result; a credential the protocol refused (a token revoked since it was cached, a
        wrong enrollment key) is counted against the address like any other."""
        try:
            return await work
        except ProtocolError as exc:
            if not exc.credential:
                raise
            if client_id is not None:
                self.forget(client_id)
            raise self.refused(address(request), exc.status, str(exc)) from None
