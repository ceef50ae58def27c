"""Admins render again, in one go, the certificates that failed for a real reason."""

from __future__ import annotations

from datetime import UTC, datetime

from elearn.accounts.models import Role
from elearn.audit.models import AuditEvent
from elearn.certificates.models import CertificateStatus
from elearn.cli import main
from tests.http import assert_problem

RETRY_FAILED = "/api/v1/certificates/retry-failed"
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def test_an_admin_retries_every_certificate_that_failed_since_a_date(client, graduation, make):
    admin = make.user(Role.ADMIN, administration=None)
    recent = [graduation.failed(), graduation.failed()]
    old = graduation.failed(created_at=LONG_AGO)
    issued = graduation.graduate().public_id

    response = client.post(
        RETRY_FAILED, json={"since": "2025-01-01T00:00:00+00:00"}, headers=admin.headers
    )

    assert response.status_code == 202
    assert response.json == {"retried": 2}
    statuses = {pid: graduation.by_public_id(pid).status for pid in (*recent, old, issued)}
    assert statuses == {
        recent[0]: CertificateStatus.ISSUED,
        recent[1]: CertificateStatus.ISSUED,
        old: CertificateStatus.FAILED,
        issued: CertificateStatus.ISSUED,
    }
    assert make.count(AuditEvent, action="certificate.retried") == 2


def test_a_bad_date_is_refused_and_changes_nothing(client, graduation, make):
    admin = make.user(Role.ADMIN, administration=None)
    failed = graduation.failed()

    for body in ({}, {"since": "2025-01-01T00:00:00"}, {"since": "yesterday"}):
        assert_problem(client.post(RETRY_FAILED, json=body, headers=admin.headers), 422)

    assert graduation.by_public_id(failed).status == CertificateStatus.FAILED
    assert make.count(AuditEvent, action="certificate.retried") == 0


def test_the_shell_retries_every_failed_certificate_since_a_date(app, graduation, make):
    failed = graduation.failed()
    runner = app.test_cli_runner()

    later = runner.invoke(main, ["certificates", "retry", "--failed", "--since", "2999-01-01"])
    result = runner.invoke(main, ["certificates", "retry", "--failed", "--since", "2025-01-01"])

    assert later.exit_code == 0, later.output
    assert "0 failed certificate(s) queued again" in later.output
    assert result.exit_code == 0, result.output
    assert "1 failed certificate(s) queued again" in result.output
    assert graduation.by_public_id(failed).status == CertificateStatus.ISSUED
    assert make.count(AuditEvent, action="certificate.retried", actor_id=None) == 1
