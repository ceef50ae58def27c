"""gunicorn's settings for the api service (Dockerfile, docker-compose.yml).

Sync workers, one process per core and one more. Once the hot requests cost a few tenths of a
millisecond of CPU and at most one round trip, threads no longer paid for themselves: on the
2-core reference machine, quiet, 2 sync processes served every measured endpoint as fast as or
faster than 2 gthread processes with 2, 4 or 8 threads, with a third to a tenth of their p99
(threads of one process take turns on the GIL). A sync process serves no one while its
request waits for a commit's WAL flush: with one per core the quiz writes stayed below their
targets, with two per core the cheapest reads' p99 passed three times their p50 (four
processes taking turns on two cores); one more than the cores met every target. The figures
are in docs/performance.md ("Serving configuration", and the latest figures against the
issue's targets). Put a buffering proxy in front (slow clients and keep-alive are its job).
WEB_CONCURRENCY sets the number of processes (default: the CPUs this process may run on, plus
one; give it the container's CPU limit plus one when there is one, and more against a remote
PostgreSQL, whose round trips a process waits for); GUNICORN_CMD_ARGS overrides anything
here, e.g. ``--worker-class gthread --threads 4``.
"""

import os

worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or len(os.sched_getaffinity(0)) + 1)
timeout = 30
accesslog = "-"
