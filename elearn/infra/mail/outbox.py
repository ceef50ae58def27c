"""The embedded default transport: every mail becomes an ``.eml`` file in ``instance/outbox/``."""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from email.headerregistry import Address
from pathlib import Path

from elearn import clock
from elearn.infra.mail.message import (
    OutgoingMail,
    TemporaryMailError,
    build_message,
    unreachable,
)

log = logging.getLogger(__name__)


class OutboxMailer:
    """The embedded default: each mail is an ``.eml`` file, written atomically, readable only
    by its owner (it may hold a one-time link), and announced by one log line without body."""

    def __init__(self, folder: Path, sender: Address) -> None:
        self.folder = folder
        self.sender = sender

    def __repr__(self) -> str:
        return f"OutboxMailer({str(self.folder)!r})"

    def send(self, message: OutgoingMail) -> None:
        email = build_message(message, self.sender)
        name = f"{clock.now():%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}.eml"
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, partial = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".part")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(email.as_bytes())
                os.replace(partial, self.folder / name)
            except BaseException:
                Path(partial).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise unreachable(error) from None
        log.info("mail %s to %s written to outbox/%s", email["Message-ID"], message.to, name)

    def check(self) -> None:
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            raise unreachable(error) from None
        if not os.access(self.folder, os.W_OK):
            raise TemporaryMailError(f"the outbox folder {self.folder} is not writable")
