"""Agent identity: the site enrollment key and per-client tokens, both stored only as hashes, so a copy
of the database grants no agent access.

The enrollment key is shown once, when it is made or rotated (`sumtui enroll-key`, the console's
Management point screen); a lost key is replaced, never read back. Keys, tokens and registration
secrets are 192 random bits, so a plain SHA-256 is enough: there is nothing to guess a hash from.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session

from sumtui.db.site_settings import load_setting, save_setting
from sumtui.timeutil import utcnow

KEY = "enrollment"


class Enrollment(BaseModel):
    key_hash: str = ""  # SHA-256 of the key, hex; "" while the site has none
    created_at: datetime | None = None


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str | None, token_hash: str | None) -> bool:
    return bool(token and token_hash) and hmac.compare_digest(hash_token(token), token_hash)


def enrollment(session: Session) -> Enrollment:
    return load_setting(session, key=KEY, model=Enrollment)[0]


def has_enrollment_key(session: Session) -> bool:
    return bool(enrollment(session).key_hash)


def create_enrollment_key(session: Session) -> str | None:
    """A new key when the site has none (returned: the only time it can be read); None when one exists."""
    if has_enrollment_key(session):
        return None
    return rotate_enrollment_key(session)


def rotate_enrollment_key(session: Session) -> str:
    """A new key (commits); agents already registered keep their tokens, new registrations need the new key."""
    key = new_secret()
    save_setting(session, key=KEY, value=Enrollment(key_hash=hash_token(key), created_at=utcnow()))
    return key


def enrollment_key_matches(session: Session, given: str | None) -> bool:
    return token_matches(given, enrollment(session).key_hash)
