"""Benchmark: content downloads and store verification (DESIGN.md §5: "content download from a
loopback server ≥ 80% of curl on the same files; memory flat whatever the file size"; issue 7:
"verifying a 10 GB store: limited by disk read speed").

Run by hand from the checkout: `.venv/bin/python bench/bench_content.py [--sizes 100,1000] [--rounds 3]`.

- Files of random bytes (sizes in MiB) are written to a scratch folder (`--dir`, default the system
  temp folder) and served by tests/deploy/catalog_server.py's `CatalogServer` on loopback, in this
  (parent) process, with `sendfile`: the server is not what limits either client.
- Each round, for each file: `curl -o` into the scratch folder; `curl` then `sync FILE` (a download
  that, like sumtui's, reaches the disk before it counts as done); and sumtui's downloader
  (`download_files`: SHA-1 + SHA-256 on the way, partial file, fsync, atomic move into a fresh
  content store) in a child process, so its peak RSS (`ru_maxrss`) counts the download only. Rounds
  interleave the three, each going first in turn, so a noisy neighbour hits them alike; every round
  and the median of the rounds are printed. The served files are on the disk (fsync) before timing,
  and each client starts after an `os.sync()`, with nothing of another's left to write.
- Verification: `cat` (the read speed itself) and `sha1sum` over the stored files, then `verify_content` (SHA-1 and SHA-256 of every
  stored file, two files at a time) on a throw-away site indexing the same store: once from the disk
  (the files are dropped from the page cache first, with posix_fadvise, nothing else is) and once
  from the page cache. `--store-gb 10` adds ten 1 GiB files: the issue's "verifying a 10 GB store".

Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout


def child_download(url: str, sha1: str, size: int, store_dir: str) -> None:
    from sumtui.deploy.content.download import download_files
    from sumtui.deploy.content.store import ContentStore
    from sumtui.deploy.content.transfer import FileJob

    store = ContentStore(Path(store_dir))
    cpu = cpu_seconds(resource.RUSAGE_SELF)
    started = time.perf_counter()
    [outcome] = download_files([FileJob("bench.bin", sha1, size=size, url=url)], store=store)
    seconds = time.perf_counter() - started
    cpu = cpu_seconds(resource.RUSAGE_SELF) - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"status": outcome.status, "reason": outcome.reason, "seconds": seconds, "cpu": cpu, "peak_rss_mb": peak}))


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def write_file(path: Path, megabytes: int) -> str:
    sha1 = hashlib.sha1()
    block = os.urandom(1 << 20)
    with open(path, "wb") as fh:
        for i in range(megabytes):
            chunk = block[i % 256:] + block[:i % 256]  # every MiB differs
            sha1.update(chunk)
            fh.write(chunk)
        fh.flush()
        os.fsync(fh.fileno())  # on the disk before any timing: its write-back must not slow a client
    return sha1.hexdigest()


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


KINDS = ("curl", "curl+sync", "sumtui")


def curl_download(url: str, out: Path, *, sync: bool) -> tuple[float, float]:
    """(seconds, CPU seconds of curl) of one download by curl."""
    command = f'curl -s -o "{out}" "{url}"' + (f' && sync "{out}"' if sync else "")
    cpu = cpu_seconds(resource.RUSAGE_CHILDREN)
    seconds = timed(["sh", "-c", command])
    cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - cpu
    out.unlink()
    return seconds, cpu


def sumtui_download(url: str, sha1: str, size: int, store_dir: Path) -> tuple[float, float, float]:
    """(seconds, CPU seconds, peak RSS in MB) of one download by sumtui in a child process."""
    answer = subprocess.run([sys.executable, __file__, "--child", url, sha1, str(size), str(store_dir)],
                            check=True, capture_output=True, text=True)
    result = json.loads(answer.stdout)
    if result["status"] != "stored":
        sys.exit(f"download failed: {result['reason']}")
    return result["seconds"], result["cpu"], result["peak_rss_mb"]


def mbps(size: int, seconds: float) -> float:
    return size / seconds / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000", help="file sizes in MiB (comma-separated)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", default=None, help="scratch folder (same disk as a content store would be)")
    parser.add_argument("--store-gb", type=int, default=0, help="add this many 1 GiB files to the store that is verified")
    args = parser.parse_args()
    if shutil.which("curl") is None:
        sys.exit("curl is needed for the comparison")
    from tests.deploy.catalog_server import CatalogServer

    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(dir=args.dir) as scratch, CatalogServer() as server:
        scratch = Path(scratch)
        files = {}
        for mb in sizes:
            path = scratch / f"f{mb}.bin"
            files[mb] = (path, write_file(path, mb))
            server.put_file(f"/f{mb}.bin", path)
        print(f"load average: {os.getloadavg()[0]:.1f} (2 cores)")
        print(f"{'file':>8}  {'curl':>10}  {'curl+sync':>10}  {'sumtui':>10}  {'vs curl':>8}  {'vs c+sync':>9}  {'peak RSS':>9}")
        stores = []
        for mb in sizes:
            path, sha1 = files[mb]
            size = path.stat().st_size
            url = f"{server.url}f{mb}.bin"
            curl, curl_sync, ours, rss = [], [], [], []
            cpu: dict[str, list[float]] = {"curl": [], "sumtui": []}
            out = scratch / "curl.out"
            for r in range(args.rounds):
                store_dir = scratch / f"store-{mb}-{r}"
                for kind in KINDS[r % 3:] + KINDS[:r % 3]:  # each goes first in turn: none always follows a flush
                    os.sync()  # every client starts with nothing of another's waiting to be written
                    if kind == "sumtui":
                        seconds, used, peak = sumtui_download(url, sha1, size, store_dir)
                        ours.append(seconds)
                        rss.append(peak)
                        cpu["sumtui"].append(used)
                    else:
                        seconds, used = curl_download(url, out, sync=kind == "curl+sync")
                        (curl if kind == "curl" else curl_sync).append(seconds)
                        if kind == "curl":
                            cpu["curl"].append(used)
                if r < args.rounds - 1:
                    shutil.rmtree(store_dir)
                else:
                    stores.append(store_dir)
            rounds = "  ".join(f"{mbps(size, a):.0f}/{mbps(size, b):.0f}/{mbps(size, c):.0f}" for a, b, c in zip(curl, curl_sync, ours))
            print(f"          rounds (curl/curl+sync/sumtui MB/s): {rounds}")
            c, cs, o = statistics.median(curl), statistics.median(curl_sync), statistics.median(ours)
            print(f"{mb:>5}MiB  {mbps(size, c):>7.0f}MB/s  {mbps(size, cs):>7.0f}MB/s  {mbps(size, o):>7.0f}MB/s  "
                  f"{c / o:>7.0%}  {cs / o:>8.0%}  {max(rss):>6.1f} MB")
            best = max(a / b for a, b in zip(curl, ours))  # sumtui's speed over curl's, in its best round
            per_gb = {k: statistics.median(v) / (size / 1e9) for k, v in cpu.items()}
            print(f"          best round vs curl {best:.0%}; CPU per GB (median): curl {per_gb['curl']:.2f} s, "
                  f"sumtui {per_gb['sumtui']:.2f} s (its two digests: about 1 s of it)")
        verify(stores, store_gb=args.store_gb)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (2 cores)")


def evict(paths: list[str]) -> None:
    """Drop these files (and only these) from the page cache, so the next read comes from the disk."""
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def fill_store(root: Path, gigabytes: int) -> None:
    """A store of `gigabytes` files of 1 GiB each, written straight into its folders."""
    from sumtui.deploy.content.store import ContentStore

    store = ContentStore(root)
    store.ensure()
    for i in range(gigabytes):
        scratch = root / f"fill-{i}"
        sha1 = write_file(scratch, 1024 + i)  # sizes differ a little, contents differ
        target = store.path_for(sha1)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(scratch, target)


def verify(stores: list[Path], *, store_gb: int) -> None:
    from sumtui.deploy.content.store import ContentStore
    from sumtui.deploy.content_verify import verify_content
    from sumtui.site import open_site

    # One store holding every file, as a site's would.
    root = stores[0].parent / "store-all"
    target = ContentStore(root)
    target.ensure()
    for store_dir in stores:
        for sha1, path in ContentStore(store_dir).stored():
            dest = target.path_for(sha1)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, dest)
    if store_gb:
        fill_store(root, store_gb)
    paths = [str(p) for _s, p in target.stored()]
    total = sum(os.path.getsize(p) for p in paths)
    site = open_site(f"sqlite:///{root.parent / 'bench.db'}", content_dir=root)
    with site.session() as session:
        verify_content(session, store=target)  # indexes the store's files (first sight)
    print(f"verify {len(paths)} file(s), {total / 1e9:,.1f} GB:")
    for label, cold in (("from disk", True), ("page cache", False)):
        if cold:
            evict(paths)
        read = timed(["sh", "-c", 'cat "$@" >/dev/null', "cat", *paths])  # the read speed itself
        if cold:
            evict(paths)
        sha1sum = timed(["sha1sum", *paths])
        if cold:
            evict(paths)
        with site.session() as session:
            started = time.perf_counter()
            result = verify_content(session, store=target)
            ours = time.perf_counter() - started
        print(f"  {label:>10}: cat {mbps(total, read):6.0f} MB/s   sha1sum {mbps(total, sha1sum):6.0f} MB/s (SHA-1, one file at a time)   "
              f"sumtui content verify {mbps(total, ours):6.0f} MB/s (SHA-1 and SHA-256, two files at a time; "
              f"{sum(f.state == 'ok' for f in result.files)} ok)")
    site.close()


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        child_download(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    else:
        main()
