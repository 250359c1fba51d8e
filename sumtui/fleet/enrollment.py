"""Agent identity: the site enrollment key (shown and rotated by the console and `sumtui enroll-key`)
and per-client tokens, which are stored hashed so a copy of the database grants no agent access."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from pydantic import BaseModel
from sqlmodel import Session

from sumtui.db.site_settings import load_setting, save_setting

KEY = "enrollment"


class Enrollment(BaseModel):
    key: str = ""


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def enrollment_key(session: Session) -> str:
    """The site's enrollment key, created on first use."""
    stored, _ = load_setting(session, key=KEY, model=Enrollment)
    if stored.key:
        return stored.key
    return rotate_enrollment_key(session)


def rotate_enrollment_key(session: Session) -> str:
    """A new key; agents already registered keep their tokens, new registrations need the new key."""
    key = new_secret()
    save_setting(session, key=KEY, value=Enrollment(key=key))
    return key


def key_matches(given: str, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, token_hash: str | None) -> bool:
    return bool(token and token_hash) and hmac.compare_digest(hash_token(token), token_hash)
