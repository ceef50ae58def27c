"""Plain values printed on a certificate and signed into its credential, and their issuer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from elearn.config import Settings


@dataclass(frozen=True)
class CertificateContent:
    """Everything printed on one certificate, in the trainee's language (en, ru or fr)."""

    verification_code: str
    trainee_name: str
    administration_name: str | None
    course_title: str
    completed_on: date
    duration_minutes: int
    language: str


@dataclass(frozen=True)
class Achievement:
    """The course as an Open Badges achievement: a stable URI, what it is, how it is earned."""

    id: str
    description: str
    criteria: str


@dataclass(frozen=True)
class Issuer:
    """The platform as it signs certificates: name, signatory and public address."""

    name: str
    signatory_name: str
    signatory_title: str
    public_base_url: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Issuer:
        return cls(
            name=settings.certificate_issuer_name,
            signatory_name=settings.certificate_signatory_name,
            signatory_title=settings.certificate_signatory_title,
            public_base_url=settings.public_base_url.rstrip("/"),
        )

    @property
    def verification_page(self) -> str:
        return f"{self.public_base_url}/verify"

    def verification_url(self, code: str) -> str:
        """The public page where anyone checks the certificate with this code."""
        return f"{self.verification_page}/{code}"
