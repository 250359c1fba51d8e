"""Catalog errors: each message is one line naming the input and the problem."""


class CatalogError(Exception):
    """A catalog operation failed; the message says why and names the input."""


class BadDocument(CatalogError):
    """A CVRF document (file or HTTP body) that cannot be read: malformed, hostile or of the wrong shape."""


class UpstreamError(CatalogError):
    """The upstream did not answer usefully (HTTP error, timeout, unreachable host)."""
