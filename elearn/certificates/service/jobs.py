"""Background jobs over a course's certificates: zip exports and re-rendering.

An export zips the PDFs of one administration's issued certificates for a course into one
object, written under the key fixed on the job (a repeated delivery overwrites it). A re-render
(after a change of the certificate's layout) walks the course's issued certificates in chunks
of ``RERENDER_CHUNK``, one task per chunk: each chunk commits its progress and queues the next
chunk in the same transaction, so progress is counted exactly once and a chunk that fails is
retried alone.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager

from elearn import clock
from elearn.accounts.models import Administration, User
from elearn.audit import service as audit_log
from elearn.certificates.models import (
    Certificate,
    CertificateJob,
    CertificateStatus,
    JobKind,
    JobStatus,
)
from elearn.certificates.service import failures, statement
from elearn.certificates.service.issuing import store_pdf
from elearn.config import current_settings
from elearn.courses.models import Course
from elearn.database import locked
from elearn.enrolments.models import Enrolment
from elearn.errors import NotFound
from elearn.extensions import db
from elearn.infra import outbox
from elearn.infra.storage import CHUNK_SIZE, StorageUnavailable, new_object_key, storage

log = logging.getLogger(__name__)
EXPORT_TASK = "elearn.certificates.export"
RERENDER_TASK = "elearn.certificates.rerender"
RERENDER_CHUNK = 50
ZIP_CONTENT_TYPE = "application/zip"
# Zips up to this size stay in memory while built; larger ones are spooled to a temporary file.
_SPOOL_BYTES = 16 * 1024 * 1024
DOWNLOAD_TTL = timedelta(minutes=5)


@dataclass(frozen=True)
class JobProgress:
    """A job as its poller sees it; an export names its administration and, once done, a link."""

    job: CertificateJob
    administration: str | None = None
    download_url: str | None = None


def find_job(job_id: int, kind: JobKind) -> CertificateJob:
    job = db.session.get(CertificateJob, job_id)
    if job is None or job.kind != kind:
        raise NotFound("No such job.")
    return job


def _give_up(job: CertificateJob, reason: str) -> None:
    job.status = JobStatus.FAILED
    job.failure_reason = reason
    job.finished_at = clock.now()


# exports


def request_export(actor: User, course: Course, administration: Administration) -> CertificateJob:
    """A pending export of the administration's issued certificates of ``course``, queued."""
    job = CertificateJob(
        kind=JobKind.EXPORT,
        course_id=course.id,
        administration_id=administration.id,
        requested_by_id=actor.id,
        object_key=new_object_key("certificate-exports"),
    )
    db.session.add(job)
    db.session.flush()
    outbox.enqueue(EXPORT_TASK, queue="certificates", job_id=job.id)
    audit_log.record(
        actor,
        "certificates.export_requested",
        "certificate_job",
        job.id,
        administration_id=administration.id,
        course_id=course.id,
    )
    return job


def _exported(job: CertificateJob) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate)
            .join(Certificate.enrolment)
            .join(Enrolment.user)
            .options(contains_eager(Certificate.enrolment))
            .where(
                Enrolment.course_id == job.course_id,
                User.administration_id == job.administration_id,
                Certificate.status == CertificateStatus.ISSUED,
            )
            .order_by(Certificate.holder_name, Certificate.id)
        )
    )


def run_export(job_id: int, *, last_attempt: bool) -> None:
    """Build and store the zip of a pending export once; on the last failure mark it failed."""
    job = locked(select(CertificateJob).where(CertificateJob.id == job_id))
    if job is None or job.status != JobStatus.PENDING:
        return
    failures.attempt(
        lambda: _export(job), last=last_attempt, give_up=lambda reason: _give_up(job, reason)
    )


def _export(job: CertificateJob) -> None:
    certificates = _exported(job)
    assert job.object_key is not None
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as spool:
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_STORED) as archive:
            for certificate in certificates:
                member = zipfile.ZipInfo(
                    statement.pdf_filename(certificate),
                    date_time=(certificate.issued_at or clock.now()).timetuple()[:6],
                )
                with (
                    storage().open(certificate.pdf_key) as source,
                    archive.open(member, "w") as target,
                ):
                    shutil.copyfileobj(source, target, CHUNK_SIZE)
        spool.seek(0)
        stored = storage().put(job.object_key, spool, ZIP_CONTENT_TYPE)
    job.total = job.done = len(certificates)
    job.object_size = stored.size
    job.status = JobStatus.DONE
    job.finished_at = clock.now()


def remove_old_exports(limit: int = 200) -> int:
    """Delete the zips of exports finished longer ago than the retention; they become expired."""
    retention = timedelta(hours=current_settings().certificate_export_retention_hours)
    old = db.session.scalars(
        select(CertificateJob)
        .where(
            CertificateJob.kind == JobKind.EXPORT,
            CertificateJob.status == JobStatus.DONE,
            CertificateJob.finished_at < clock.now() - retention,
        )
        .order_by(CertificateJob.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for job in old:
        if job.object_key is not None:
            storage().delete(job.object_key)
        job.status = JobStatus.EXPIRED
    db.session.flush()
    return len(old)


def export_progress(job: CertificateJob) -> JobProgress:
    """The export's progress; once done, with a short-lived download URL of its zip."""
    code = job.administration.code if job.administration is not None else None
    if job.status != JobStatus.DONE or job.object_key is None:
        return JobProgress(job, code)
    filename = f"certificates-{job.course.code}-{code}.zip"
    url = storage().presigned_download(job.object_key, DOWNLOAD_TTL, filename, ZIP_CONTENT_TYPE)
    return JobProgress(job, code, url)


# re-rendering


def _rerendered(course_id: int) -> Select[Certificate]:
    return (
        select(Certificate)
        .join(Certificate.enrolment)
        .options(contains_eager(Certificate.enrolment))
        .where(
            Enrolment.course_id == course_id,
            Certificate.status == CertificateStatus.ISSUED,
        )
    )


def request_rerender(actor: User, course: Course) -> CertificateJob:
    """A re-render of the course's issued certificates as they are now, queued in chunks."""
    issued = (
        select(func.count(Certificate.id), func.max(Certificate.id))
        .join(Certificate.enrolment)
        .where(
            Enrolment.course_id == course.id,
            Certificate.status == CertificateStatus.ISSUED,
        )
    )
    total, last_id = db.session.execute(issued).one()
    job = CertificateJob(
        kind=JobKind.RERENDER,
        course_id=course.id,
        requested_by_id=actor.id,
        total=total,
        last_certificate_id=last_id or 0,
    )
    db.session.add(job)
    db.session.flush()
    outbox.enqueue(RERENDER_TASK, queue="certificates", job_id=job.id)
    audit_log.record(
        actor, "certificates.rerender_requested", "certificate_job", job.id, course_id=course.id
    )
    return job


def rerender_chunk(job_id: int) -> None:
    """Render the next chunk of the job's certificates again and count them; queue the next.

    The chunk's certificates are locked while rendered. A certificate that cannot be rendered
    is counted as failed and keeps its PDF; an unreachable store fails the chunk, to be retried.
    """
    job = locked(select(CertificateJob).where(CertificateJob.id == job_id))
    if job is None or job.status not in (JobStatus.PENDING, JobStatus.RUNNING):
        return
    chunk = list(
        db.session.scalars(
            _rerendered(job.course_id)
            .where(Certificate.id > job.cursor, Certificate.id <= job.last_certificate_id)
            .order_by(Certificate.id)
            .limit(RERENDER_CHUNK)
            .with_for_update(of=Certificate)
        )
    )
    for certificate in chunk:
        try:
            with db.session.begin_nested():
                store_pdf(certificate)
        except StorageUnavailable:
            raise
        except Exception:
            log.exception("certificate %s could not be rendered again", certificate.id)
            job.failed += 1
        else:
            job.done += 1
    if chunk:
        job.cursor = chunk[-1].id
    if len(chunk) < RERENDER_CHUNK:
        job.status = JobStatus.DONE
        job.finished_at = clock.now()
        return
    job.status = JobStatus.RUNNING
    outbox.enqueue(RERENDER_TASK, queue="certificates", job_id=job.id)
