"""The management point as distribution point: agents download package content from it.

`GET /api/v1/clients/{client_id}/content/{sha1}` (and HEAD) serves one verified file of the content
store by its SHA-1, with HTTP Range so an agent resumes a cut download. The agent's own bearer token
is required, like every agent call. Only a file the store's index marks stored and that some
package holds as downloaded is served: a quarantined, missing or unknown file is a 404, never bytes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Header, HTTPException, Request
from fastapi.responses import FileResponse
from sqlalchemy import select
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from sumtui.deploy.content.names import is_sha1
from sumtui.deploy.content.store import ContentStore
from sumtui.deploy.models import DOWNLOADED, STORED, ContentFile, PackageFile
from sumtui.site import Site

CONTENT_PATH = "/api/v1/clients/{client_id}/content/{sha1}"


def servable(session: Session, sha1: str) -> bool:
    """Whether the store's index and a package both vouch for this file."""
    content = session.get(ContentFile, sha1)
    if content is None or content.state != STORED:
        return False
    held = session.execute(select(PackageFile.id).where(PackageFile.sha1 == sha1, PackageFile.state == DOWNLOADED).limit(1))
    return held.first() is not None


def add_content_routes(app: FastAPI, site: Site, *, authorize: Callable[..., Awaitable[str]], client_id_param) -> None:
    """Add the content route to the management point's app. `authorize(request, client_id,
    authorization)` is the app's own token check (401 without a token, 403 for a wrong one, with its
    throttling of wrong credentials); `client_id_param` its path parameter for client ids."""
    store = ContentStore(site.content_dir)

    def check(sha1: str) -> bool:
        with Session(site.engine) as session:
            return servable(session, sha1) and store.path_for(sha1).is_file()

    async def content(request: Request, sha1: str, client_id: int = client_id_param,
                      authorization: str | None = Header(default=None)):
        await authorize(request, client_id, authorization)
        sha1 = sha1.lower()
        if not is_sha1(sha1):
            raise HTTPException(404, "content is addressed by its SHA-1 (40 hex digits)")
        if not await run_in_threadpool(check, sha1):
            raise HTTPException(404, f"no verified content with SHA-1 {sha1}")
        return FileResponse(store.path_for(sha1), media_type="application/octet-stream",
                            headers={"Cache-Control": "private, max-age=0"})

    responses = {200: {"content": {"application/octet-stream": {}}, "description": "the file (206 for a Range)"},
                 404: {"description": "no verified content with this SHA-1"}}
    app.get(CONTENT_PATH, response_class=FileResponse, responses=responses, operation_id="get_content")(content)
    app.head(CONTENT_PATH, response_class=FileResponse, include_in_schema=False)(content)
