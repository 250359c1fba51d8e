"""Which URLs content may be fetched from.

URLs taken from the catalog's answers must be on Microsoft's download hosts and are fetched over
https (the catalog still hands out http:// links; the same hosts serve https), unless the operator
configured a content mirror: then the scheme and host are replaced by the mirror's and the path is
kept. URLs the operator chose (a manifest, a mirror) are fetched as given, http allowed (a LAN
mirror), but only http and https. A redirect is checked by the same rule as the URL it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from sumtui.deploy.content.errors import UrlRefused
from sumtui.text import escape_controls

CATALOG_URL = "https://www.catalog.update.microsoft.com/"

# Hosts the catalog's download links point at; a subdomain of one of these is allowed too.
MICROSOFT_HOSTS = (
    "download.windowsupdate.com",
    "download.microsoft.com",
    "delivery.mp.microsoft.com",
    "catalog.update.microsoft.com",
    "update.microsoft.com",
)

CATALOG, OPERATOR = "catalog", "operator"


def host_allowed(host: str, allowed: tuple[str, ...] = MICROSOFT_HOSTS) -> bool:
    host = host.lower().rstrip(".")
    return any(host == h or host.endswith("." + h) for h in allowed)


@dataclass(frozen=True)
class UrlPolicy:
    """How URLs of each origin are turned into what is fetched.

    `content_url`: a mirror that catalog URLs are rewritten onto. `allowed_hosts`: the allow-list for
    catalog URLs (tests may widen it)."""

    content_url: str | None = None
    allowed_hosts: tuple[str, ...] = MICROSOFT_HOSTS

    def fetch_url(self, url: str, *, origin: str) -> str:
        """The URL to fetch for a file `url` of this origin; UrlRefused says why not."""
        parts = urlsplit(url.strip())
        shown = escape_controls(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise UrlRefused(f"{shown}: only http:// and https:// URLs with a host can be fetched")
        if origin != CATALOG:
            return urlunsplit(parts)
        if self.content_url:
            mirror = urlsplit(self.content_url)
            base = mirror.path.rstrip("/")
            return urlunsplit((mirror.scheme, mirror.netloc, base + parts.path, parts.query, ""))
        if not host_allowed(parts.hostname, self.allowed_hosts):
            raise UrlRefused(f"{shown}: {parts.hostname} is not a Microsoft download host (allowed: "
                             f"{', '.join(self.allowed_hosts)}); use --content-url for a mirror")
        netloc = parts.hostname if parts.port in (None, 80, 443) else f"{parts.hostname}:{parts.port}"
        return urlunsplit(("https", netloc, parts.path, parts.query, ""))

    def check_redirect(self, url: str, *, origin: str) -> str:
        """A redirect target: the same rule as the original URL, without a second rewrite onto the mirror."""
        parts = urlsplit(url)
        shown = escape_controls(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise UrlRefused(f"redirect to {shown}: only http:// and https:// URLs can be fetched")
        catalog = origin == CATALOG and not self.content_url
        if catalog and (parts.scheme.lower() != "https" or not host_allowed(parts.hostname, self.allowed_hosts)):
            raise UrlRefused(f"redirect to {shown}: catalog content is fetched over https from Microsoft download hosts only")
        return url


def check_base_url(text: str, *, what: str) -> str:
    """An operator-given base URL (catalog or content mirror), ending in '/'."""
    parts = urlsplit(text.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise UrlRefused(f"{what} {escape_controls(text)!r} is not an http:// or https:// URL")
    value = urlunsplit(parts)
    return value if value.endswith("/") else value + "/"
