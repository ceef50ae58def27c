"""Certificate tasks: issuing (rendering) certificates, exports and re-renders.

Each takes ids, runs through the outbox (``outbox_id`` claimed with its own work) and leaves
the deciding to the service. Rendering and exports know their last attempt, on which a failure
is recorded on the row instead of raised.
"""

from __future__ import annotations

from celery import Task, shared_task

from elearn.certificates.service import issuing, jobs


def _last_attempt(task: Task) -> bool:
    return bool(task.request.retries >= task.max_retries)


# Its outbox rows are also claimed by other deliveries' batches: a delivery whose row a batch
# holds does not wait for it (``outbox.claim``).
@shared_task(name=issuing.RENDER_TASK, bind=True, claim_waits=False)
def render_certificate(self: Task, certificate_id: int) -> None:
    """Render, store, sign and announce one pending certificate, and a batch of others due."""
    issuing.render(certificate_id, last_attempt=_last_attempt(self))


@shared_task(name=jobs.EXPORT_TASK, bind=True)
def export_certificates(self: Task, job_id: int) -> None:
    """Zip one administration's certificates of a course into the bucket."""
    jobs.run_export(job_id, last_attempt=_last_attempt(self))


@shared_task(name="elearn.certificates.remove_old_exports", max_retries=0)
def remove_old_exports() -> int:
    """Beat-driven: zips of finished exports are deleted after the retention period."""
    return jobs.remove_old_exports()


@shared_task(name=jobs.RERENDER_TASK)
def rerender_certificates(job_id: int) -> None:
    """Render the next chunk of a course's certificates again."""
    jobs.rerender_chunk(job_id)
