"""Load measurement with wrk against gunicorn, always beside the two anchors.

A run serves the anchors (``benchmarks/anchors.py``: a hello-world Flask app and a bare 20-row
select) and then the elearn app under the same gunicorn settings, on 127.0.0.1 only, drives
each with ``wrk`` (a C load generator: the client's cost stays far below the server's, which a
Python client on the same cores could not promise) for a fixed time, and prints requests/s,
p50 and p99 with the ratio of each endpoint's throughput to both anchors. Clients rotate bearer
tokens (``benchmarks/requests.lua``). The machine's load average is printed before and after:
the cores may be shared, and the ratios are the figures to compare.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.dataset import (
    DEFAULT_URL,
    Dataset,
    Sizes,
    drop_database,
    prepare,
    psycopg_url,
    tokens_recently_used,
)

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).with_name("requests.lua")
WRK_MISSING = (
    "wrk (a C HTTP load generator) is not installed. On Debian or Ubuntu: "
    "apt-get install -y wrk; elsewhere see https://github.com/wg/wrk. "
    "A Python client on the same cores would measure itself, not the app."
)


@dataclass(frozen=True)
class Serving:
    """gunicorn's worker class and counts, the same for the anchors and the app."""

    worker_class: str = "sync"
    workers: int = 2
    threads: int = 1

    def arguments(self) -> list[str]:
        return ["--worker-class", self.worker_class, "--workers", str(self.workers),
                "--threads", str(self.threads)]  # fmt: skip

    def __str__(self) -> str:
        if self.worker_class == "gthread":
            return f"gunicorn {self.workers} gthread workers x {self.threads} threads"
        return f"gunicorn {self.workers} {self.worker_class} workers"


@dataclass(frozen=True)
class Load:
    seconds: int = 10  # wrk counts whole seconds
    connections: int = 16
    threads: int = 2  # wrk's own threads
    warmup: int = 1  # seconds of the same load before each measured run (5 s runs or longer)

    def __str__(self) -> str:
        return f"wrk -t{self.threads} -c{self.connections} -d{self.seconds}s"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    token: str = ""
    body: str = ""

    def line(self) -> str:
        return "\t".join((self.method, self.path, self.token, self.body))


@dataclass(frozen=True)
class Target:
    """What to measure: requests picked at random, walked round and round, or sent once."""

    name: str
    requests: Sequence[Request]
    mode: str = "random"
    share: float = 1.0  # of the load's time


def rotating_gets(paths: Mapping[str, str], tokens: Sequence[str]) -> list[Target]:
    """For each named path, GETs that rotate the bearer tokens at random."""
    return [
        Target(name, [Request("GET", path, token) for token in tokens])
        for name, path in paths.items()
    ]


@dataclass
class Figures:
    name: str
    rate: float
    p50: float  # ms
    p99: float  # ms
    requests: int
    failed: int
    notes: list[str] = field(default_factory=list)


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit(WRK_MISSING)
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(app: str, serving: Serving, env: dict[str, str]) -> Iterator[str]:
    """gunicorn serving ``app`` on a free loopback port; yields the base URL, stops it after."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="elearn-bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    command = [str(Path(sys.executable).with_name("gunicorn")), *serving.arguments(),
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app]  # fmt: skip
    server = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=log, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(base, server, log.name)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        os.unlink(log.name)


def _wait_until_answering(base: str, server: subprocess.Popen[bytes], log: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            urllib.request.urlopen(base + "/", timeout=2).close()  # noqa: S310 - loopback only
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer: the workers are up
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer on {base}:\n{Path(log).read_text()[-2000:]}")


def wrk(base: str, target: Target, load: Load) -> Figures:
    """One bounded wrk run, after a warm-up (one second unless asked) for repeatable targets of
    5 s or more."""
    program = require_wrk()
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", prefix="elearn-bench-") as listing:
        listing.write("\n".join(request.line() for request in target.requests) + "\n")
        listing.flush()
        if target.mode != "once" and load.seconds >= 5:
            _run_wrk(
                program,
                base,
                listing.name,
                target.mode,
                Load(load.warmup, load.connections, load.threads),
            )
        timed = Load(max(1, round(load.seconds * target.share)), load.connections, load.threads)
        output = _run_wrk(program, base, listing.name, target.mode, timed)
    figures = parse(target.name, output)
    if target.mode == "once":
        # Connections still in flight when a thread runs out repeat one of its requests.
        figures.failed = max(0, figures.failed - load.connections)
        if figures.requests >= len(target.requests):
            figures.notes.append("ran out of requests before the time: req/s understated")
    return figures


def _run_wrk(program: str, base: str, listing: str, mode: str, load: Load) -> str:
    command = [program, f"-t{load.threads}", f"-c{load.connections}", f"-d{load.seconds}s",
               "--latency", "--timeout", "10s", "-s", str(SCRIPT), base, "--", listing, mode,
               str(load.threads)]  # fmt: skip
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=load.seconds + 60, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"wrk failed: {result.stderr or result.stdout}")
    return result.stdout


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def parse(name: str, output: str) -> Figures:
    """Figures from wrk's report (``--latency``)."""
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    failed = int(non_2xx.group(1)) if non_2xx else 0
    failed += sum(map(int, socket_errors.groups())) if socket_errors else 0
    return Figures(name, rate, p50, p99, total, failed)


def anchors(conninfo: str, serving: Serving, load: Load, tokens: list[str]) -> list[Figures]:
    """The hello-world and the 20-row select, with the same requests' headers as the app's."""
    env = {"ELEARN_BENCH_ANCHOR_DATABASE": conninfo}
    with gunicorn("benchmarks.anchors:app", serving, env) as base:
        return [
            wrk(
                base,
                Target(f"anchor: Flask {name}", [Request("GET", f"/{name}", t) for t in tokens]),
                load,
            )
            for name in ("hello", "select")
        ]


def app_environment(database_url: str) -> dict[str, str]:
    instance = Path(tempfile.gettempdir()) / "elearn-bench-instance"
    instance.mkdir(exist_ok=True)
    return {
        "ELEARN_DATABASE_URL": database_url,
        "ELEARN_INSTANCE_PATH": str(instance),
        "ELEARN_LOG_LEVEL": "WARNING",
    }


def report(title: str, serving: Serving, load: Load, figures: list[Figures], loads: str) -> None:
    hello, select = figures[0].rate, figures[1].rate
    print(f"\n{title}")
    print(f"{serving}; {load}; 127.0.0.1; {os.cpu_count()} cores; load average {loads}")
    print(f"{'endpoint':<44} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'x hello':>8}"
          f" {'x select':>8} {'requests':>9} {'failed':>6}")  # fmt: skip
    for row in figures:
        print(f"{row.name:<44} {row.rate:>8.0f} {row.p50:>8.1f} {row.p99:>8.1f}"
              f" {row.rate / hello:>8.2f} {row.rate / select:>8.2f} {row.requests:>9}"
              f" {row.failed:>6}")  # fmt: skip
        for note in row.notes:
            print(f"  {row.name}: {note}")
    failed = [row.name for row in figures if row.failed]
    if failed:
        raise SystemExit(f"requests failed: {', '.join(failed)}")


def load_average() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


# --- the command line every load benchmark shares ------------------------------------------


def arguments(description: str, **defaults: object) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database-url", default=DEFAULT_URL, help="a scratch database (elearn_*)")
    parser.add_argument("--trainees", type=int, default=Sizes.trainees)
    parser.add_argument("--enrolments", type=int, default=Sizes.enrolments)
    parser.add_argument("--courses", type=int, default=Sizes.courses)
    parser.add_argument("--tokens", type=int, default=Sizes.tokens, help="trainees signing in")
    parser.add_argument(
        "--reuse", action="store_true", help="use (and keep) a database built with the same sizes"
    )
    parser.add_argument(
        "--rotate",
        type=int,
        default=0,
        help="the requests rotate the tokens of this many trainees (default: all --tokens)",
    )
    parser.add_argument("--keep", action="store_true", help="do not drop the database after")
    parser.add_argument("--seconds", type=int, default=10, help="per endpoint")
    parser.add_argument("--connections", type=int, default=16, help="concurrent wrk connections")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument(
        "--warmup",
        type=int,
        default=1,
        help="seconds of load before each measured run (per-process caches fill in it)",
    )
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="per gthread worker")
    parser.set_defaults(**defaults)
    return parser


@dataclass(frozen=True)
class Options:
    dataset: Dataset
    serving: Serving
    load: Load
    keep: bool
    rotate: int = 0

    def tokens(self) -> list[str]:
        """The bearer tokens the requests rotate."""
        return self.dataset.tokens(self.rotate or None)


@contextmanager
def session(args: argparse.Namespace) -> Iterator[Options]:
    """Build or reuse the dataset, its tokens just used; drop it at the end unless kept."""
    require_wrk()
    sizes = Sizes(args.trainees, args.enrolments, args.courses, tokens=args.tokens)
    dataset = prepare(args.database_url, sizes, reuse=args.reuse)
    tokens_recently_used(dataset)
    serving = Serving(args.worker_class, args.workers, args.threads)
    load = Load(args.seconds, args.connections, args.wrk_threads, args.warmup)
    try:
        yield Options(dataset, serving, load, args.keep, args.rotate)
    finally:
        if not (args.keep or args.reuse):
            drop_database(args.database_url)


def measure(title: str, options: Options, targets: Iterable[Target]) -> list[Figures]:
    """Anchors, then each target on the app, under the same serving and load; prints them.

    ``targets`` may be a generator: the next target is made after the previous one ran (the
    quiz phases work on what the phase before them stored).
    """
    dataset = options.dataset
    return measure_on(title, dataset.url, options.serving, options.load, options.tokens(), targets)


def measure_on(
    title: str,
    database_url: str,
    serving: Serving,
    load: Load,
    tokens: list[str],
    targets: Iterable[Target],
) -> list[Figures]:
    """``measure`` on any database (SQLAlchemy URL) the app can serve, with these tokens."""
    loads = load_average()
    figures = anchors(psycopg_url(database_url), serving, load, tokens)
    with gunicorn("elearn.wsgi:app", serving, app_environment(database_url)) as base:
        figures += [wrk(base, target, load) for target in targets]
    report(title, serving, load, figures, f"{loads} -> {load_average()}")
    return figures
