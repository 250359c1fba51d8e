"""Install pip into a virtual environment made with --without-pip (Debian without python3-venv):
download pip's wheel from PyPI and run pip from inside that wheel to install itself."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

INDEX = "https://pypi.org/pypi/pip/json"


def main() -> int:
    with urllib.request.urlopen(INDEX, timeout=60) as response:
        release = json.load(response)
    wheel = next(f for f in release["urls"] if f["packagetype"] == "bdist_wheel")
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / wheel["filename"]
        # Mirrors of PyPI may answer with addresses relative to the index.
        urllib.request.urlretrieve(urllib.parse.urljoin(INDEX, wheel["url"]), target)
        # A wheel is a zip that Python can run code from: pip installs its own wheel.
        return subprocess.call([sys.executable, str(target / "pip"), "install", "--quiet", "--no-index", str(target)])


if __name__ == "__main__":
    raise SystemExit(main())
