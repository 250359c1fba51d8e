"""Reading a state report's body on the management point's hot path: decoded once, strictly (no
duplicate keys, no NaN), and checked field by field without a second pass through a generic model
(as the inventory route does); the `StateReport` schema documents the same shape. Any problem is one
message naming the field, answered 422 before anything is written."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sumtui.deploy.install_codes import unsigned
from sumtui.deploy.messages import Message
from sumtui.deploy.state_codes import AGENT_STATES
from sumtui.server.limits import MAX_INT

MAX_MESSAGES = 5000
MAX_REASON = 1000
_KB = re.compile(r"^(?:KB)?(\d{1,8})$")
_KEYS = {"deployment_id", "kb", "state", "code", "reason", "at", "simulated"}


class BadBody(ValueError):
    pass


def read_state_report(doc) -> tuple[int, list[Message]]:
    """(serial, messages) of a decoded body; BadBody says what is wrong and where."""
    if not isinstance(doc, dict) or set(doc) != {"serial", "messages"}:
        raise BadBody('body: expected {"serial": N, "messages": [...]}')
    serial = doc["serial"]
    if type(serial) is not int or not 1 <= serial <= MAX_INT:
        raise BadBody(f"serial: expected a whole number from 1 to {MAX_INT}")
    items = doc["messages"]
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_MESSAGES:
        raise BadBody(f"messages: expected a list of 1 to {MAX_MESSAGES} state messages")
    return serial, [_message(item, f"messages.{index}") for index, item in enumerate(items)]


def _message(item, where: str) -> Message:
    if not isinstance(item, dict):
        raise BadBody(f"{where}: expected an object")
    extra = sorted(set(item) - _KEYS)
    if extra:
        raise BadBody(f"{where}.{extra[0]}: unknown field")
    deployment_id = item.get("deployment_id")
    if type(deployment_id) is not int or not 1 <= deployment_id <= MAX_INT:
        raise BadBody(f"{where}.deployment_id: expected a deployment id")
    kb = item.get("kb")
    found = _KB.match(kb) if isinstance(kb, str) else None
    if not found:
        raise BadBody(f"{where}.kb: expected a KB id like KB5048652")
    state = item.get("state")
    if state not in AGENT_STATES:
        raise BadBody(f"{where}.state: expected one of {', '.join(AGENT_STATES)}")
    code = item.get("code")
    if code is not None and (type(code) is not int or not -(2**31) <= code <= 0xFFFFFFFF):
        raise BadBody(f"{where}.code: expected a 32-bit exit code")
    reason = item.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_REASON):
        raise BadBody(f"{where}.reason: expected a sentence of at most {MAX_REASON} characters")
    simulated = item.get("simulated", False)
    if type(simulated) is not bool:
        raise BadBody(f"{where}.simulated: expected true or false")
    return Message(deployment_id=deployment_id, kb=str(int(found.group(1))), state=state,
                   code=unsigned(code) if code is not None else None, reason=reason, at=_time(item.get("at"), where),
                   simulated=simulated)


def _time(value, where: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise BadBody(f"{where}.at: expected an ISO 8601 time")
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "zZ" else text)
    except ValueError:
        raise BadBody(f"{where}.at: expected an ISO 8601 time, like 2026-12-03T12:00:00Z") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
