"""Content errors: each message is one line that names the input (a KB, a URL, a file) and the problem."""


class ContentError(Exception):
    """Finding, fetching or storing update content failed; the message says why and names the input."""


class CatalogPageError(ContentError):
    """A Microsoft Update Catalog page could not be read: an error page, or markup that changed."""


class CatalogUnavailable(ContentError):
    """The catalog did not answer usefully (HTTP error, timeout, unreachable host)."""


class BadFileName(ContentError):
    """A file name from outside (catalog, manifest, folder) that is not a plain file name."""


class ManifestError(ContentError):
    """A manifest that cannot be read, or one of its rows."""


class UrlRefused(ContentError):
    """A URL the content policy does not allow (host not on the allow-list, a scheme other than http(s))."""


class NotEnoughSpace(ContentError):
    """The content folder's disk cannot hold what is about to be downloaded."""
