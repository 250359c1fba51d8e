"""The agent enforcing deployments (sumtui.agent.enforce), one cycle at a time on a fixed clock: the
deadline and windows, overlapping deployments, every installer outcome, a restart, an install cut
short by a reboot, content, the simulated installer saying so; and the agent's clock following the
management point's."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from sumtui.agent.client import AgentClient
from sumtui.agent.download import Downloader, DownloadError, WantedFile
from sumtui.agent.enforce import Enforcer
from sumtui.agent.installers import NativeInstaller, SimulatedInstaller, parse_failures
from sumtui.agent.main import Agent, run_agent
from sumtui.agent.state import AgentState, Installing, UpdateProgress
from sumtui.deploy.schedule import zone_of

T0 = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def deployment(did: int = 1, *kbs: str, deadline: datetime | str | None = None, local: bool = False, minutes: int = 20,
               files: list[dict] | None = None, **flags) -> dict:
    if isinstance(deadline, datetime):
        deadline = deadline.replace(tzinfo=None).isoformat() if local else deadline.isoformat()
    return {"id": did, "name": f"D{did}", "available": None, "deadline": deadline, "local_time": local,
            "override_windows": flags.get("override", True), "allow_restart_outside": flags.get("restart_outside", True),
            "suppress_restart": flags.get("suppress", False),
            "updates": [{"kb": kb, "max_run_minutes": minutes, "restart": True, "files": files or []} for kb in kbs or ("KB1",)]}


def policy(*deployments: dict, windows: list[dict] = ()) -> dict:
    return {"client_id": 1, "server_time": T0.isoformat(), "client_agent": {"reevaluation_days": 7},
            "windows": list(windows), "deployments": list(deployments)}


class Run:
    """An enforcer on a fixed clock, with what it reported."""

    def __init__(self, installer=None, *, zone: str = "UTC", downloader=None, state: AgentState | None = None,
                 boot: str | None = "boot-1") -> None:
        self.state = state or AgentState(client_id=1)
        self.installer = installer or SimulatedInstaller()
        self.enforcer = Enforcer(self.state, installer=self.installer, downloader=downloader, zone=zone_of(zone),
                                 zone_name=zone, boot=boot, say=lambda _text: None)
        self.messages: list = []

    def cycle(self, pol: dict, at: datetime):
        cycle = self.enforcer.run(pol, lambda: at)
        self.messages += cycle.messages
        return cycle

    def state_of(self, did: int = 1, kb: str = "KB1") -> UpdateProgress:
        return self.state.progress[f"{did}:{kb}"]


def test_installs_at_the_deadline_and_not_before(tmp_path):
    run = Run()
    pol = policy(deployment(1, deadline=T0 + timedelta(hours=2)))
    cycle = run.cycle(pol, T0)
    assert run.state_of().state == "downloaded"
    assert run.state_of().reason.startswith("downloaded, installs at the deadline 2026-12-03 14:00 UTC")
    assert cycle.next_due == T0 + timedelta(hours=2)
    run.cycle(pol, T0 + timedelta(hours=2))
    assert run.state_of().state == "installed" and run.installer.installed == ["KB1"]
    assert [m.state for m in run.messages] == ["downloaded", "downloaded", "installing", "installed"]
    assert all(m.simulated and "simulated" in m.reason for m in run.messages)
    assert "KB1" in run.state.installed


def test_without_a_deadline_nothing_is_enforced():
    run = Run()
    run.cycle(policy(deployment(1)), T0)
    assert run.state_of().state == "downloaded" and "not enforced: the deployment has no deadline" in run.state_of().reason
    assert run.installer.installed == []


def test_waits_for_a_window_that_fits_then_installs_in_it():
    window = {"id": 1, "recurrence": "daily", "start": "2026-12-01T02:00:00", "duration_minutes": 60, "utc": True}
    run = Run()
    pol = policy(deployment(1, deadline=T0 - timedelta(days=1), override=False, restart_outside=False), windows=[window])
    cycle = run.cycle(pol, T0)
    assert run.state_of().state == "waiting_window"
    assert run.state_of().reason.startswith("waiting: installs in the maintenance window Fri 2026-12-04 02:00–03:00 (UTC)")
    assert cycle.next_due == datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
    run.cycle(pol, datetime(2026, 12, 4, 2, 0, tzinfo=UTC))
    assert run.state_of().state == "installed"
    # An update longer than any window never installs, and says what would make it.
    run2 = Run()
    run2.cycle(policy(deployment(1, deadline=T0, minutes=90, override=False), windows=[window]), T0)
    assert run2.state_of().state == "waiting_window" and run2.state_of().reason.startswith("never installs")


def test_client_local_time_is_this_machines_zone():
    run = Run(zone="Europe/Berlin")
    pol = policy(deployment(1, deadline=datetime(2026, 12, 4, 2, 0), local=True))
    run.cycle(pol, datetime(2026, 12, 4, 0, 59, tzinfo=UTC))
    assert run.state_of().state == "downloaded" and "2026-12-04 02:00 client local time" in run.state_of().reason
    run.cycle(pol, datetime(2026, 12, 4, 1, 0, tzinfo=UTC))  # 02:00 in Berlin
    assert run.state_of().state == "installed"


def test_overlapping_deployments_install_once_at_the_earliest_deadline():
    run = Run()
    pol = policy(deployment(1, "KB1", deadline=T0 + timedelta(hours=5)), deployment(2, "KB1", deadline=T0 + timedelta(hours=1)))
    run.cycle(pol, T0)
    assert "deployment 'D2' has the earliest deadline" in run.state_of(1).reason
    run.cycle(pol, T0 + timedelta(hours=1))
    assert run.installer.installed == ["KB1"]
    assert run.state_of(1).state == run.state_of(2).state == "installed"


@pytest.mark.parametrize(("code", "state", "words"), [
    (0x80070643, "failed", "failed 0x80070643 (installation failure); the agent retries at the next chance after"),
    (0x80240017, "not_required", "not applicable here (0x80240017"),
    (0x00240006, "installed", "already installed (0x00240006"),
    (1618, "downloaded", "the installer is busy (1618 (0x00000652"),
])
def test_every_installer_outcome_has_its_state_and_sentence(code, state, words):
    run = Run(SimulatedInstaller({"KB1": code}))
    cycle = run.cycle(policy(deployment(1, deadline=T0)), T0)
    progress = run.state_of()
    assert progress.state == state and words in progress.reason and progress.code == code
    assert cycle.rescan


def test_a_failed_or_busy_install_is_tried_again_later():
    installer = SimulatedInstaller({"KB1": 1618})
    run = Run(installer)
    pol = policy(deployment(1, deadline=T0))
    run.cycle(pol, T0)
    installer.fail.clear()
    run.cycle(pol, T0 + timedelta(minutes=4))
    assert run.state_of().state == "downloaded" and installer.installed == ["KB1"]
    run.cycle(pol, T0 + timedelta(minutes=5))
    assert run.state_of().state == "installed" and installer.installed == ["KB1", "KB1"]


def test_a_restart_pending_is_done_at_its_time_and_a_suppressed_one_waits():
    run = Run(SimulatedInstaller({"KB1": 3010}))
    pol = policy(deployment(1, deadline=T0))
    run.cycle(pol, T0)
    progress = run.state_of()
    assert progress.state == "pending_restart" and "the agent restarts the machine at 2026-12-03 12:25 UTC" in progress.reason
    run.cycle(pol, T0 + timedelta(minutes=25))
    assert run.state_of().state == "installed" and "a simulated restart at 2026-12-03 12:25 UTC finished it" in run.state_of().reason
    suppressed = Run(SimulatedInstaller({"KB1": 3010}))
    suppressed.cycle(policy(deployment(1, deadline=T0, suppress=True)), T0)
    suppressed.cycle(policy(deployment(1, deadline=T0, suppress=True)), T0 + timedelta(days=1))
    assert suppressed.state_of().state == "pending_restart" and "suppressed for this kind of client" in suppressed.state_of().reason


def test_an_install_cut_short_by_a_reboot_is_said_and_tried_again():
    state = AgentState(client_id=1, boot="boot-1", installing=Installing(kb="KB1", started_at=T0.isoformat(), boot="boot-1"))
    state.progress["1:KB1"] = UpdateProgress(deployment_id=1, kb="KB1", state="installing", at=T0.isoformat())
    run = Run(state=state, boot="boot-2")
    started = run.enforcer.start(T0 + timedelta(minutes=10))
    assert started.rescan and state.installing is None
    assert started.messages[0].state == "downloaded" and "was interrupted (the machine restarted or the agent stopped" \
        in started.messages[0].reason
    run.cycle(policy(deployment(1, deadline=T0)), T0 + timedelta(minutes=10))
    assert run.state_of().state == "installed"


def test_a_restart_noticed_at_start_finishes_pending_restarts():
    state = AgentState(client_id=1, boot="boot-1")
    state.progress["1:KB1"] = UpdateProgress(deployment_id=1, kb="KB1", state="pending_restart", at=T0.isoformat())
    started = Run(state=state, boot="boot-2").enforcer.start(T0)
    assert [m.state for m in started.messages] == ["installed"] and state.boot == "boot-2"


def test_a_deployment_the_policy_no_longer_lists_is_dropped():
    run = Run()
    run.cycle(policy(deployment(1), deployment(2, "KB2")), T0)
    run.cycle(policy(deployment(2, "KB2")), T0)
    assert set(run.state.progress) == {"2:KB2"}


def test_the_native_installer_runs_only_on_windows_and_needs_content(tmp_path):
    linux = Run(NativeInstaller(platform="linux"))
    linux.cycle(policy(deployment(1, deadline=T0)), T0)
    assert linux.state_of().state == "download_failed" and "content missing on the management point" in linux.state_of().reason
    ran = []

    def fake_run(command, **_kw):
        ran.append(command)
        return SimpleNamespace(returncode=-2145124329)  # 0x80240017 as a signed exit status

    content = b"an update"
    sha1 = hashlib.sha1(content).hexdigest()
    downloader = FakeDownloader(tmp_path, {sha1: content})
    files = [{"sha1": sha1, "name": "windows10.0-kb1-x64.msu", "size": len(content), "sha256": None}]
    windows = Run(NativeInstaller(platform="win32", run=fake_run), downloader=downloader)
    windows.cycle(policy(deployment(1, deadline=T0, files=files)), T0)
    assert ran == [["wusa.exe", str(downloader.path_for(WantedFile(sha1, "windows10.0-kb1-x64.msu"))), "/quiet", "/norestart"]]
    assert windows.state_of().state == "not_required" and windows.state_of().code == 0x80240017
    assert not windows.installer.simulated and not any(m.simulated for m in windows.messages)
    elsewhere = Run(NativeInstaller(platform="linux"), downloader=downloader)
    elsewhere.cycle(policy(deployment(1, deadline=T0, files=files)), T0)
    assert elsewhere.state_of().state == "failed" and elsewhere.state_of().reason.startswith("no installer on this system (linux)")


class FakeDownloader:
    def __init__(self, folder: Path, files: dict[str, bytes]) -> None:
        self.folder, self.files = folder, files

    def path_for(self, file: WantedFile) -> Path:
        return self.folder / file.sha1 / file.name

    def has(self, file: WantedFile) -> bool:
        return self.path_for(file).exists()

    def get(self, file: WantedFile) -> Path:
        path = self.path_for(file)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.files[file.sha1])
        return path


def test_downloads_resume_check_their_hash_and_say_what_is_missing(tmp_path):
    data = b"0123456789" * 1000
    sha1 = hashlib.sha1(data).hexdigest()
    asked = []

    def serve(request: httpx.Request) -> httpx.Response:
        asked.append(request.headers.get("range"))
        if not request.url.path.endswith(sha1):
            return httpx.Response(404, json={"error": "no verified content"})
        start = int(request.headers["range"].split("=")[1].rstrip("-")) if "range" in request.headers else 0
        return httpx.Response(206 if start else 200, content=data[start:])

    client = AgentClient("http://mp.test/", token="t", transport=httpx.MockTransport(serve), retries=0)
    downloader = Downloader(client, cache=tmp_path / "cache", client_id=3)
    wanted = WantedFile(sha1, "kb1.msu", len(data))
    partial = downloader.path_for(wanted).with_name("kb1.msu.part")
    partial.parent.mkdir(parents=True)
    partial.write_bytes(data[:4000])  # a download cut short earlier
    assert downloader.get(wanted).read_bytes() == data and asked == ["bytes=4000-"]
    downloader.get(wanted)
    assert asked == ["bytes=4000-"]  # in the cache: not fetched again
    with pytest.raises(DownloadError, match="content missing on the management point"):
        downloader.get(WantedFile("0" * 40, "other.msu"))
    wrong = WantedFile(sha1, "kb1.msu", sha256="f" * 64)
    downloader.path_for(wrong).unlink()
    with pytest.raises(DownloadError, match="does not match its hash"):
        downloader.get(wrong)
    assert not downloader.path_for(wrong).exists() and not partial.exists()


def test_the_agent_schedules_on_the_management_points_clock(tmp_path):
    behind = T0 - timedelta(hours=1)  # this machine's clock is an hour late

    def serve(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=policy(deployment(1, deadline=T0 - timedelta(minutes=1))))

    said = []
    agent = Agent(server="http://mp.test/", state_dir=tmp_path, transport=httpx.MockTransport(serve), installer=SimulatedInstaller(),
                  clock=lambda: behind, say=said.append, boot="b")
    agent.state.client_id, agent.state.token, agent.state.server = 1, "t" * 20, "http://mp.test/"
    agent.poll_policy()
    assert agent.state.skew_seconds == 3600 and agent.now() == T0
    assert any("this machine's clock is 3600 s behind the management point's" in line for line in said)
    agent.deploy_cycle()
    assert agent.state.progress["1:KB1"].state == "installed"  # by the server's clock the deadline has passed
    assert [p.kind for p in agent.state.pending] == ["inventory", "state"]  # the rescan first, then the messages


def test_simulated_failures_are_named_as_kb_and_code():
    assert parse_failures("KB5048652=0x80070643, kb1=1618") == {"KB5048652": 0x80070643, "KB1": 1618}
    for bad in ("KB1", "KB1=nope", "abc=1"):
        with pytest.raises(ValueError):
            parse_failures(bad)


class _Stop(Exception):
    pass


def test_the_agent_loop_polls_every_poll_seconds_and_wakes_for_a_deadline(tmp_path):
    from tests.server.test_agent import REGISTERED
    from tests.server.test_end_to_end import SYSTEMINFO

    inventory = tmp_path / "ws.txt"
    inventory.write_bytes(SYSTEMINFO.format(cu="5009557").encode("ascii"))
    now = [T0]
    posted: list[dict] = []

    def serve(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/register":
            return httpx.Response(201, json=REGISTERED)
        if request.method == "POST":
            body = json.loads(request.content)
            posted.append({"kind": request.url.path.rsplit("/", 1)[1], **body})
            return httpx.Response(200, json={"accepted": True, "serial": body["serial"]})
        answer = policy(deployment(1, deadline=T0 + timedelta(seconds=90)))
        answer["server_time"] = now[0].isoformat()
        answer["client_agent"]["policy_polling_minutes"] = 60
        return httpx.Response(200, json=answer)

    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += timedelta(seconds=seconds)
        if len(waits) == 3:
            raise _Stop

    with pytest.raises(_Stop):
        run_agent(server="http://mp.test/", state_dir=tmp_path / "state", enroll_key="k" * 24, inventory_file=inventory,
                  name=None, once=False, say=lambda _t: None, sleep=sleep, backoff=0.0, transport=httpx.MockTransport(serve),
                  installer=SimulatedInstaller(), poll_seconds=60, clock=lambda: now[0], boot="b")
    # Every 60 s as asked, but the first wait ends at the deadline (90 s away), not at the 60 minute interval.
    assert waits[0] == 60 and waits[1] == pytest.approx(30)
    states = [m["state"] for p in posted if p["kind"] == "state" for m in p["messages"]]
    assert states == ["downloaded", "downloaded", "installing", "installed"]
    # The rescan after the install is sent before that cycle's messages (compliance follows it).
    last = next(i for i, p in enumerate(posted) if p["kind"] == "state" and p["messages"][-1]["state"] == "installed")
    assert posted[0]["kind"] == "inventory" and posted[last - 1]["kind"] == "inventory"
    assert "KB1" in posted[last - 1]["inventory"]["installed_kbs"]  # from a file: the agent adds what it installed
