"""The site enrollment key at rest: only its hash is stored, it is shown once, and `sumtui enroll-key`
says so instead of printing it again; registrations held for approval from the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import text

from sumtui.fleet import enrollment, registrations
from sumtui.fleet.clients import find_client


def test_only_a_hash_of_the_key_is_stored(sqlite_site):
    with sqlite_site.session() as session:
        assert not enrollment.has_enrollment_key(session)
        key = enrollment.create_enrollment_key(session)
        assert key and enrollment.create_enrollment_key(session) is None  # never shown again
        assert enrollment.enrollment_key_matches(session, key)
        assert not enrollment.enrollment_key_matches(session, key[:-1] + ("A" if key[-1] != "A" else "B"))
        assert not enrollment.enrollment_key_matches(session, None) and not enrollment.enrollment_key_matches(session, "")
    # A copy of the database holds no key: not in the settings, not anywhere in the file.
    with sqlite_site.engine.connect() as conn:
        stored = conn.execute(text("SELECT value FROM site_setting WHERE key = 'enrollment'")).scalar()
    assert key not in stored and json.loads(stored)["key_hash"] == enrollment.hash_token(key)
    sqlite_site.engine.dispose()
    with open(sqlite_site.engine.url.database, "rb") as database:
        assert key.encode() not in database.read()


def test_rotation_replaces_the_key(sqlite_site):
    with sqlite_site.session() as session:
        first = enrollment.create_enrollment_key(session)
        second = enrollment.rotate_enrollment_key(session)
        assert second != first
        assert enrollment.enrollment_key_matches(session, second) and not enrollment.enrollment_key_matches(session, first)


@pytest.fixture
def run(sqlite_site, tmp_path):
    env = {**os.environ, "SUMTUI_DB": sqlite_site.url, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "c"),
           "XDG_DATA_HOME": str(tmp_path / "d"), "XDG_STATE_HOME": str(tmp_path / "s")}

    def sumtui(*args):
        return subprocess.run([sys.executable, "-m", "sumtui", *map(str, args)], env=env, capture_output=True, text=True,
                              timeout=120)

    return sumtui


def last_word(output: str) -> str:
    """How scripts read the key: `sumtui enroll-key | tail -1 | awk '{print $NF}'`."""
    return output.splitlines()[-1].split()[-1]


def test_enroll_key_prints_a_new_key_once_then_only_on_rotation(run, sqlite_site):
    made = run("enroll-key")
    assert made.returncode == 0, made.stderr
    key = last_word(made.stdout)
    assert "shown only now" in made.stdout and f"--enroll-key {key}" in made.stdout
    again = run("enroll-key")
    assert again.returncode == 1 and again.stdout == ""
    assert "cannot be shown again" in again.stderr and "--rotate" in again.stderr and key not in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    rotated = run("enroll-key", "--rotate")
    assert rotated.returncode == 0
    new = last_word(rotated.stdout)
    assert new != key
    with sqlite_site.session() as session:
        assert enrollment.enrollment_key_matches(session, new) and not enrollment.enrollment_key_matches(session, key)


def hold(site, name: str, secret: str = "s" * 20, **facts) -> None:
    with site.session() as session:
        registrations.hold(session, name=name, secret_hash=enrollment.hash_token(secret), agent_version="0.1.0",
                           address="10.1.2.3", inventory={"format": "sumtui-inventory/1", "name": name,
                                                          "os_name": "Microsoft Windows 11 Pro", "build": "10.0.22631",
                                                          "installed_kbs": ["KB1", "KB2"], **facts})
        session.commit()


def add_client(site, name: str) -> None:
    from sumtui.fleet.models import Client
    from sumtui.timeutil import utcnow

    with site.session() as session:
        session.add(Client(name=name, name_key=name.upper(), created_at=utcnow(), source="agent", token_hash="x" * 64,
                           os_name="Microsoft Windows Server 2019 Datacenter", build="10.0.17763", installed_kbs="5005030"))
        session.commit()


def test_clients_pending_lists_both_sides_and_approve_reject_reset(run, sqlite_site):
    add_client(sqlite_site, "SRV-7")
    add_client(sqlite_site, "SRV-8")
    hold(sqlite_site, "srv-7", domain="evil.example")
    hold(sqlite_site, "SRV-8")
    listed = run("clients", "--pending", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    rows = {r["name"]: r for r in json.loads(listed.stdout)}
    assert set(rows) == {"srv-7", "SRV-8"}
    seven = rows["srv-7"]
    assert (seven["state"], seven["address"], seven["attempts"]) == ("pending", "10.1.2.3", 1)
    assert seven["client"]["os"] == "Microsoft Windows Server 2019 Datacenter" and seven["client"]["installed_kbs"] == 1
    assert seven["request"]["os"] == "Microsoft Windows 11 Pro" and seven["request"]["domain"] == "evil.example"
    table = run("clients", "--pending")
    assert "srv-7" in table.stdout and "Windows 11 Pro" in table.stdout and "Server 2019" in table.stdout
    csv = run("clients", "--pending", "--format", "csv")
    assert csv.stdout.splitlines()[0] == "name,state,requested,last_attempt,attempts,address,client,request"

    assert run("clients", "approve", "SRV-7").returncode == 0
    assert run("clients", "reject", "srv-8").returncode == 0
    states = {r["name"]: r["state"] for r in json.loads(run("clients", "--pending", "--format", "json").stdout)}
    assert states == {"srv-7": "approved", "SRV-8": "rejected"}
    twice = run("clients", "approve", "srv-7")
    assert twice.returncode == 1 and "already approved" in twice.stderr
    missing = run("clients", "approve", "NOBODY")
    assert missing.returncode == 1 and "no registration of 'NOBODY' is waiting" in missing.stderr

    reset = run("clients", "reset-registration", "srv-8")
    assert reset.returncode == 0, reset.stderr
    with sqlite_site.session() as session:
        client = find_client(session, "SRV-8")
        assert client.token_hash is None and client.registration_reset_at is not None
        assert registrations.held_registration(session, "SRV-8") is None
    assert run("clients", "reset-registration", "NOBODY").returncode == 1


def test_a_replaced_request_cannot_be_decided_on_what_was_seen_before(sqlite_site):
    add_client(sqlite_site, "SRV-9")
    hold(sqlite_site, "SRV-9", secret="first-secret-000000")
    with sqlite_site.session() as session:
        seen = registrations.held_registration(session, "SRV-9").id
    hold(sqlite_site, "SRV-9", secret="second-secret-00000")  # another request meanwhile
    with sqlite_site.session() as session:
        with pytest.raises(registrations.RegistrationError, match="changed since it was shown"):
            registrations.reject(session, name="SRV-9", registration_id=seen)
        assert registrations.held_registration(session, "SRV-9").state == "pending"
