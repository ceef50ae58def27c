"""gunicorn's settings for the api service (Dockerfile, docker-compose.yml).

Threaded workers, one process per core: a request spends much of its time waiting for
PostgreSQL, and a thread of the same process serves another one meanwhile, at no extra memory;
threads also keep clients' connections alive. The figures behind the choice are in
docs/performance.md ("Serving configuration"). WEB_CONCURRENCY sets the number of processes
(default: the CPUs this process may run on; give it the container's CPU limit when there is
one); GUNICORN_CMD_ARGS overrides anything here, e.g. ``--threads 4``.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY") or len(os.sched_getaffinity(0)))
threads = 8
timeout = 30
keepalive = 5
accesslog = "-"
