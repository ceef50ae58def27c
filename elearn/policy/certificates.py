"""Certificates: who sees, manages and exports them."""

from __future__ import annotations

from elearn.accounts.models import Administration
from elearn.certificates.models import Certificate, CertificateJob
from elearn.courses.models import Course, CourseStatus
from elearn.policy import accounts, enrolments
from elearn.policy.rules import (
    ADMIN,
    AdmitsActor,
    ColumnIn,
    Permission,
    Rule,
    Via,
    contact_point_of,
)

# The holder, their contact point, the course's trainers and admins: as for the enrolment.
visible = Rule(
    "certificates.visible", Certificate, Via(Certificate.enrolment, enrolments.visible.allow)
)

# Revoke, reissue, retry and re-render certificates: admins.
manage = Permission(ADMIN)

# Contact points (for their administration) and admins (for any) export certificates.
export = accounts.oversees_people
export_administration = accounts.administration_people

# An export job: admins, and the contact point of the administration it exports.
export_job = Rule(
    "certificates.export_job",
    CertificateJob,
    ADMIN | Via(CertificateJob.administration, contact_point_of(Administration.id)),
)

# Admins any course; contact points the courses open to their administration, archived ones
# included (their people's certificates outlive the course), drafts never.
export_course = Rule(
    "certificates.export_course",
    Course,
    ADMIN
    | ColumnIn(Course.status, {CourseStatus.PUBLISHED, CourseStatus.ARCHIVED})
    & AdmitsActor(Course),
)
