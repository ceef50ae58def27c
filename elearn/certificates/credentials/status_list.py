"""Revocation as a W3C Bitstring Status List (https://www.w3.org/TR/vc-bitstring-status-list/).

Each certificate owns one bit: list ``(id - 1) // LIST_SIZE + 1``, index ``(id - 1) % LIST_SIZE``,
fixed by its id, so nothing is allocated and a reissued certificate (a new row) has a bit of its
own. A list is a signed ``BitstringStatusListCredential`` built when asked for, at a stable
public URL, from the revoked and superseded certificates of its block: the bit is 1 when the
certificate no longer stands. 131,072 bits per list is the specification's minimum for herd
privacy: a fetch of the list tells the issuer nothing about which credential is being checked.
"""

from __future__ import annotations

import base64
import gzip
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any

from sqlalchemy import func, select

from elearn import clock
from elearn.certificates.models import Certificate, CertificateStatus
from elearn.certificates.service.content import Issuer
from elearn.certificates.service.statement import VC_CONTEXT
from elearn.errors import NotFound
from elearn.extensions import db

LIST_SIZE = 131_072
MEDIA_TYPE = "application/vc+jwt"
PURPOSE = "revocation"
# How long a verifier may keep a list before fetching it again (the list's ``ttl``, and the
# HTTP cache lifetime of its URL).
TIME_TO_LIVE = timedelta(minutes=5)
NOT_STANDING = (CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED)


@dataclass(frozen=True)
class Position:
    """Where a certificate's bit is: which list, which index in it."""

    list_number: int
    index: int

    @classmethod
    def of(cls, certificate_id: int) -> Position:
        block, index = divmod(certificate_id - 1, LIST_SIZE)
        return cls(block + 1, index)


def list_url(issuer: Issuer, list_number: int) -> str:
    return f"{issuer.public_base_url}/credentials/status/{list_number}"


def entry(position: Position, issuer: Issuer) -> dict[str, str]:
    """The ``credentialStatus`` of a credential whose bit is at ``position``."""
    url = list_url(issuer, position.list_number)
    return {
        "id": f"{url}#{position.index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE,
        "statusListIndex": str(position.index),
        "statusListCredential": url,
    }


def encode(indexes: set[int]) -> str:
    """The bitstring with ``indexes`` set (index 0 is the most significant bit of the first
    byte), GZIP-compressed, as a multibase base64url string without padding."""
    bits = bytearray(LIST_SIZE // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def status_list_credential(list_number: int, issuer: Issuer) -> dict[str, Any]:
    """List ``list_number`` as an unsigned credential; NotFound past the last certificate."""
    first_id = (list_number - 1) * LIST_SIZE + 1
    last_id = db.session.scalar(select(func.max(Certificate.id))) or 0
    if list_number < 1 or first_id > max(last_id, 1):
        raise NotFound("No such status list.")
    not_standing = db.session.scalars(
        select(Certificate.id).where(
            Certificate.id.between(first_id, first_id + LIST_SIZE - 1),
            Certificate.status.in_(NOT_STANDING),
        )
    )
    url = list_url(issuer, list_number)
    # Within one time-to-live window a list is the same bytes (Ed25519 signs deterministically),
    # so its ETag holds and caches revalidate cheaply.
    now = clock.now().astimezone(UTC)
    now -= timedelta(seconds=now.timestamp() % TIME_TO_LIVE.total_seconds())
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": issuer.public_base_url, "type": ["Profile"], "name": issuer.name},
        "validFrom": now.isoformat(timespec="seconds"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encode({Position.of(id_).index for id_ in not_standing}),
            "ttl": int(TIME_TO_LIVE.total_seconds() * 1000),
        },
    }
