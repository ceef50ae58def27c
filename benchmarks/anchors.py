"""The two yardsticks every load benchmark measures beside the app, under the same gunicorn.

A bare Flask app with two routes, served apart from elearn:
``/hello`` answers a constant JSON object: what a request costs with no work.
``/select`` runs one indexed 20-row ``SELECT`` with psycopg (a connection kept per worker
thread, autocommit) and returns the rows with ``jsonify``: a request whose only work is one
round trip to PostgreSQL. The database comes from ``ELEARN_BENCH_ANCHOR_DATABASE`` (a psycopg
connection string).

    ELEARN_BENCH_ANCHOR_DATABASE=postgresql://… gunicorn benchmarks.anchors:app
"""

from __future__ import annotations

import os
import random
import threading

import psycopg
from flask import Flask, Response, jsonify

app = Flask("anchors")
_local = threading.local()

USERS = """
    SELECT id, email, full_name, language, administration_id, active
    FROM users WHERE id > %s ORDER BY id LIMIT 20
"""


@app.get("/hello")
def say_hello() -> Response:
    return jsonify(status="ok")


@app.get("/select")
def twenty_rows() -> Response:
    connection = getattr(_local, "connection", None)
    if connection is None:
        connection = psycopg.connect(os.environ["ELEARN_BENCH_ANCHOR_DATABASE"], autocommit=True)
        _local.connection = connection
        _local.highest = connection.execute("SELECT max(id) FROM users").fetchone()[0]  # type: ignore[index]
    start = random.randrange(max(1, _local.highest - 20))
    with connection.cursor() as cursor:
        cursor.execute(USERS, (start,))
        names = [column.name for column in cursor.description or ()]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return jsonify(rows)
