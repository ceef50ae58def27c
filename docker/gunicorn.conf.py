"""gunicorn's settings for the api service (Dockerfile, docker-compose.yml).

Sync workers, two processes per core. Once the hot requests cost a few tenths of a millisecond
of CPU and at most one round trip, threads no longer paid for themselves: on the 2-core
reference machine, quiet, 2 sync processes served every measured endpoint as fast as or faster
than 2 gthread processes with 2, 4 or 8 threads, with a third to a tenth of their p99 (threads
of one process take turns on the GIL). The second process per core covers the time a request
waits for a remote PostgreSQL or storage. The figures are in docs/performance.md ("Serving
configuration"). Put a buffering proxy in front (slow clients and keep-alive are its job).
WEB_CONCURRENCY sets the number of processes (default: twice the CPUs this process may run
on; give it twice the container's CPU limit when there is one); GUNICORN_CMD_ARGS overrides
anything here, e.g. ``--worker-class gthread --threads 4``.
"""

import os

worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * len(os.sched_getaffinity(0)))
timeout = 30
accesslog = "-"
