"""Downloading an update's files from the management point (the distribution point) into the agent's
cache: resumed where a cut download stopped (HTTP Range), checked against the SHA-1 (and SHA-256
when the policy gives it) before use, and moved into place only then. A file that does not match is
deleted and downloaded again at the next attempt; a file already in the cache is not fetched again.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from sumtui.agent.client import AgentClient, ServerError


class DownloadError(Exception):
    """A file could not be had; the message is the sentence for `download_failed`."""


@dataclass(frozen=True)
class WantedFile:
    sha1: str
    name: str
    size: int | None = None
    sha256: str | None = None


def _hashes(path: Path) -> tuple[str, str]:
    sha1, sha256 = hashlib.sha1(), hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            sha1.update(block)
            sha256.update(block)
    return sha1.hexdigest(), sha256.hexdigest()


def _safe_name(name: str) -> str:
    """A file name from the policy as a plain name in the cache (never a path out of it)."""
    base = os.path.basename(name.replace("\\", "/")).strip() or "update"
    return "".join(c if c.isprintable() and c not in '<>:"|?*' else "_" for c in base)[:200]


class Downloader:
    def __init__(self, http: AgentClient, *, cache: Path, client_id: int | None) -> None:
        self.http = http
        self.cache = cache
        self.client_id = client_id

    def path_for(self, file: WantedFile) -> Path:
        return self.cache / file.sha1.lower() / _safe_name(file.name)

    def has(self, file: WantedFile) -> bool:
        return self.path_for(file).is_file()

    def get(self, file: WantedFile) -> Path:
        """The file in the cache, downloaded (or resumed) if needed; DownloadError says why not."""
        final = self.path_for(file)
        if final.is_file():
            return final
        final.parent.mkdir(parents=True, exist_ok=True)
        partial = final.with_name(final.name + ".part")
        offset = partial.stat().st_size if partial.exists() else 0
        if file.size is not None and offset > file.size:
            partial.unlink()
            offset = 0
        path = f"api/v1/clients/{self.client_id}/content/{file.sha1.lower()}"
        complete = bool(offset) and file.size is not None and offset == file.size  # only the check is left
        try:
            if not complete:
                with open(partial, "ab" if offset else "wb") as out:
                    self.http.fetch(path, out, offset=offset)
        except ServerError as exc:
            if exc.status == 404:
                raise DownloadError(f"content missing on the management point: it has no verified file {file.name} "
                                    f"(SHA-1 {file.sha1}); the agent tries again at its next poll") from None
            if exc.status == 416:  # the range asked for is past the end: start again next time
                partial.unlink(missing_ok=True)
            raise DownloadError(f"download of {file.name} failed ({exc}); what arrived is kept and the download "
                                "resumes at the next poll") from None
        sha1, sha256 = _hashes(partial)
        if sha1 != file.sha1.lower() or (file.sha256 and sha256 != file.sha256.lower()):
            partial.unlink(missing_ok=True)
            raise DownloadError(f"{file.name}: the download does not match its hash (SHA-1 {sha1}, expected {file.sha1}); "
                                "deleted, downloaded again at the next poll")
        os.replace(partial, final)
        return final
