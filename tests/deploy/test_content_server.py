"""The management point as distribution point, over real HTTP: an agent with its token downloads
verified package content, resumes with Range, and never gets a quarantined or unknown file."""

from __future__ import annotations

import httpx
import pytest

from sumtui.deploy.content.store import ContentStore
from sumtui.deploy.package_download import FolderSource, WantedUpdate, download_package
from sumtui.deploy.packages import create_package
from tests.deploy.mucatalog import CU_X64, CU_X86
from tests.server.conftest import RunningServer


@pytest.fixture
def served(sqlite_site, tmp_path):
    """A site with one package holding CU_X64 (downloaded) and CU_X86 (quarantined), and two agents."""
    from sumtui.fleet.enrollment import rotate_enrollment_key

    folder = tmp_path / "wsus"
    folder.mkdir()
    (folder / CU_X64.file_name).write_bytes(CU_X64.data)
    (folder / CU_X86.file_name).write_bytes(b"not the x86 update")
    with sqlite_site.session() as session:
        create_package(session, name="P")
        key = rotate_enrollment_key(session)
        session.commit()
        download_package(session, store=ContentStore(sqlite_site.content_dir), name="P",
                         wanted=[WantedUpdate("4592440")], source=FolderSource(folder))
    with RunningServer(sqlite_site) as mp, httpx.Client(base_url=mp.url, timeout=10) as http:
        agents = []
        for name in ("WS-1", "WS-2"):
            answer = http.post("api/v1/register", json={"enrollment_key": key, "name": name})
            assert answer.status_code == 201, answer.text
            body = answer.json()
            agents.append((body["client_id"], {"Authorization": f"Bearer {body['token']}"}))
        yield http, agents


def test_an_agent_downloads_verified_content_and_resumes_with_range(served):
    http, [(cid, auth), _] = served
    whole = http.get(f"api/v1/clients/{cid}/content/{CU_X64.sha1}", headers=auth)
    assert whole.status_code == 200 and whole.content == CU_X64.data
    assert whole.headers["content-type"] == "application/octet-stream"
    rest = http.get(f"api/v1/clients/{cid}/content/{CU_X64.sha1.upper()}", headers={**auth, "Range": "bytes=1000-"})
    assert rest.status_code == 206 and rest.content == CU_X64.data[1000:]
    assert rest.headers["content-range"] == f"bytes 1000-{len(CU_X64.data) - 1}/{len(CU_X64.data)}"
    head = http.head(f"api/v1/clients/{cid}/content/{CU_X64.sha1}", headers=auth)
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(CU_X64.data)


def test_the_agents_own_token_is_required(served):
    http, [(cid, _auth), (_other, other_auth)] = served
    url = f"api/v1/clients/{cid}/content/{CU_X64.sha1}"
    assert http.get(url).status_code == 401
    assert http.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert http.get(url, headers=other_auth).status_code == 403


def test_quarantined_unknown_and_malformed_content_is_never_served(served):
    http, [(cid, auth), _] = served
    quarantined = http.get(f"api/v1/clients/{cid}/content/{CU_X86.sha1}", headers=auth)
    assert quarantined.status_code == 404 and quarantined.json()["error"] == f"no verified content with SHA-1 {CU_X86.sha1}"
    assert http.get(f"api/v1/clients/{cid}/content/{'0' * 40}", headers=auth).status_code == 404
    assert http.get(f"api/v1/clients/{cid}/content/..%2F..%2Fsite.db", headers=auth).status_code == 404
