"""Test-only: the first certificate a worker signs waits there, for the test to kill the worker.

Only the kill test's own worker imports this module (``--include``); elearn never does. At that
moment the PDF is already in the bucket and nothing is committed. The pool process writes its
pid to ``render-started`` in the instance folder and waits; once that file exists, signing works
as usual, so the redelivered task goes through.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from elearn.certificates.service import issuing
from elearn.config import current_settings

STARTED = "render-started"
WAIT_SECONDS = 60

_sign = issuing.sign_credential


def _sign_after_waiting_once(credential: Any, *key: Any) -> str:
    started = Path(current_settings().instance_path) / STARTED
    if not started.exists():
        written = started.with_suffix(".tmp")
        written.write_text(str(os.getpid()))
        written.rename(started)
        time.sleep(WAIT_SECONDS)
    return _sign(credential, *key)


issuing.sign_credential = _sign_after_waiting_once
