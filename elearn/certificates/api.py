"""HTTP endpoints of certificates: access, revocation and jobs under /api/v1; public
verification under /verify; the keys that verify signed credentials under /.well-known; and the
documents credentials point to (status lists, achievements) under /credentials."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Response, redirect, request
from werkzeug.wrappers import Response as WerkzeugResponse

from elearn import openapi, policy
from elearn.accounts import administrations
from elearn.accounts.identity import current_actor
from elearn.accounts.models import Administration, User
from elearn.certificates import queries as reading
from elearn.certificates.credentials import keys, status_list, verification
from elearn.certificates.credentials.credential import sign_credential
from elearn.certificates.models import Certificate, JobKind
from elearn.certificates.rendering import page
from elearn.certificates.schemas import (
    AchievementSchema,
    CertificateSchema,
    CredentialCheckSchema,
    CredentialInputSchema,
    ExportRequestSchema,
    ExportSchema,
    JobSchema,
    JwksSchema,
    PublicRecordSchema,
    ReissueSchema,
    RetriedSchema,
    RetryFailedSchema,
    RevokeSchema,
    SignedCredentialSchema,
)
from elearn.certificates.service import issuing, jobs, revocation, statement
from elearn.config import current_settings
from elearn.courses.schemas import LanguageArgs
from elearn.courses.service import authoring
from elearn.errors import Invalid, NotFound, problem
from elearn.extensions import limiter
from elearn.inputs import Blueprint
from elearn.negotiation import requested_language
from elearn.pagination import PageArgs, paginated
from elearn.uow import in_one_transaction

# Short enough that a verifier meeting a freshly rotated key soon sees it published.
JWKS_MAX_AGE_SECONDS = 300

well_known_blp = Blueprint(
    "well_known",
    __name__,
    url_prefix="/.well-known",
    description="Public keys that verify signed certificate credentials",
)


@well_known_blp.route("/jwks.json")
@well_known_blp.doc(security=openapi.PUBLIC)
@well_known_blp.etag
@well_known_blp.response(200, JwksSchema)
def jwks() -> dict[str, Any]:
    """Every published signing key, active and retired (public, cacheable, no login)."""
    return {"keys": keys.published_keys()}


@well_known_blp.after_request
def _cacheable(response: Response) -> Response:
    """Successful answers and their 304 revalidations may be cached by anyone."""
    if response.status_code in (200, 304):
        response.cache_control.public = True
        response.cache_control.max_age = JWKS_MAX_AGE_SECONDS
    return response


credentials_blp = Blueprint(
    "public_credentials",
    __name__,
    url_prefix="/credentials",
    description="What signed credentials point to: revocation status lists and achievements",
)


@credentials_blp.route("/status/<int:list_number>")
@in_one_transaction
@credentials_blp.response(
    200,
    description="A signed BitstringStatusListCredential (W3C), as a compact JWT",
    content_type=status_list.MEDIA_TYPE,
)
def status_list_credential(list_number: int) -> WerkzeugResponse:
    """A revocation status list: bit ``statusListIndex`` is 1 when that certificate no longer
    stands (public, cacheable, no login)."""
    token = sign_credential(status_list.status_list_credential(list_number, statement.issuer()))
    response = Response(token, mimetype=status_list.MEDIA_TYPE)
    response.set_etag(hashlib.sha256(token.encode()).hexdigest())
    return response.make_conditional(request)


@credentials_blp.route("/achievements/<int:course_id>")
@credentials_blp.arguments(LanguageArgs, location="query")
@credentials_blp.response(200, AchievementSchema)
def achievement(args: dict[str, Any], course_id: int) -> dict[str, Any]:
    """What a course certifies, as an Open Badges 3.0 Achievement, in the language asked for
    (``inLanguage`` says which); public, no login."""
    course = authoring.find_course(course_id)
    language = requested_language(args.get("lang")) or course.default_language
    return statement.achievement_document(course, language)


@credentials_blp.after_request
def _shared_cache(response: Response) -> Response:
    if response.status_code in (200, 304):
        response.cache_control.public = True
        response.cache_control.max_age = int(status_list.TIME_TO_LIVE.total_seconds())
        response.vary.add("Accept-Language")
    return response


certificates_blp = Blueprint(
    "certificates",
    __name__,
    url_prefix="/api/v1",
    description="Certificates: access, revocation, reissue, exports and re-rendering",
)
verify_blp = Blueprint(
    "verification",
    __name__,
    url_prefix="/verify",
    template_folder="templates",
    description="Public verification of certificates and signed credentials (no login)",
)
_verification_limit = limiter.shared_limit(
    lambda: current_settings().verification_rate_limit, scope="verification"
)


def _visible_certificate(actor: User, public_id: str) -> Certificate:
    certificate = reading.find_certificate(public_id)
    policy.authorize(
        policy.certificates.visible.check(actor, certificate), hide=True, what="certificate"
    )
    return certificate


def _managed_certificate(public_id: str) -> tuple[User, Certificate]:
    actor = current_actor()
    certificate = _visible_certificate(actor, public_id)
    policy.authorize(policy.certificates.manage.check(actor))
    return actor, certificate


# access


@certificates_blp.route("/me/certificates")
@certificates_blp.arguments(PageArgs, location="query")
@certificates_blp.response(200, CertificateSchema(many=True))
def my_certificates(args: dict[str, Any]) -> Any:
    """The caller's certificates, newest first (superseded ones left out)."""
    return paginated(reading.my_certificates(current_actor(), args["page_request"]))


@certificates_blp.route("/certificates/<string:public_id>")
@certificates_blp.response(200, CertificateSchema)
def certificate(public_id: str) -> Certificate:
    """One certificate (holder, their contact point, the course's trainers, admins)."""
    return _visible_certificate(current_actor(), public_id)


@certificates_blp.route("/certificates/<string:public_id>/pdf")
@certificates_blp.response(302, description="Redirect to a short-lived download of the PDF")
def certificate_pdf(public_id: str) -> WerkzeugResponse:
    """The PDF, through a link valid for five minutes; 409 unless issued."""
    response = redirect(reading.pdf_url(_visible_certificate(current_actor(), public_id)), 302)
    response.headers["Cache-Control"] = "no-store"
    return response


@certificates_blp.route("/certificates/<string:public_id>/credential")
@certificates_blp.response(200, SignedCredentialSchema)
def certificate_credential(public_id: str) -> dict[str, str]:
    """The signed Open Badges credential (JWT), for wallets and offline checks; 409 unless
    issued."""
    certificate = _visible_certificate(current_actor(), public_id)
    return {"credential": reading.signed_credential(certificate)}


# revocation, reissue, retry (admins)


@certificates_blp.route("/certificates/<string:public_id>/revoke", methods=["POST"])
@certificates_blp.arguments(RevokeSchema)
@certificates_blp.response(200, CertificateSchema)
def revoke(body: dict[str, str], public_id: str) -> Certificate:
    """Revoke, with a reason that verification shows at once; 409 if already revoked."""
    actor, certificate = _managed_certificate(public_id)
    return revocation.revoke(actor, certificate, body["reason"])


@certificates_blp.route("/certificates/<string:public_id>/reissue", methods=["POST"])
@certificates_blp.arguments(ReissueSchema)
@certificates_blp.response(202, CertificateSchema)
def reissue(body: dict[str, str], public_id: str) -> Certificate:
    """Replace an issued certificate (e.g. after a name correction): the new one, pending."""
    actor, certificate = _managed_certificate(public_id)
    return revocation.reissue(actor, certificate, body.get("holder_name"), body["reason"])


@certificates_blp.route("/certificates/<string:public_id>/retry", methods=["POST"])
@certificates_blp.response(202, CertificateSchema)
def retry(public_id: str) -> Certificate:
    """Render a failed certificate again; 409 unless it failed."""
    actor, certificate = _managed_certificate(public_id)
    return issuing.retry(actor, certificate)


@certificates_blp.route("/certificates/retry-failed", methods=["POST"])
@certificates_blp.arguments(RetryFailedSchema)
@certificates_blp.response(202, RetriedSchema)
def retry_failed(body: dict[str, Any]) -> dict[str, int]:
    """Render again every certificate that failed and was written since `since` (admins)."""
    actor = current_actor()
    policy.authorize(policy.certificates.manage.check(actor))
    return {"retried": issuing.retry_failed(actor, body["since"])}


# jobs


@certificates_blp.route("/certificates/exports", methods=["POST"])
@certificates_blp.arguments(ExportRequestSchema)
@certificates_blp.response(202, ExportSchema)
def request_export(body: dict[str, Any]) -> jobs.JobProgress:
    """Zip an administration's certificates of a course in the background (contact points:
    their own administration; admins: any, named)."""
    actor = current_actor()
    policy.authorize(policy.certificates.export.check(actor))
    course = authoring.find_course(body["course_id"])
    policy.authorize(
        policy.certificates.export_course.check(actor, course), hide=True, what="course"
    )
    administration = _exported_administration(actor, body.get("administration"))
    return jobs.export_progress(jobs.request_export(actor, course, administration))


def _exported_administration(actor: User, code: str | None) -> Administration:
    if code is None:
        if actor.administration is None:
            message = "Name the administration whose certificates to export."
            raise Invalid(message, errors={"administration": [message]})
        return actor.administration
    administration = administrations.get_administration(code)
    policy.authorize(
        policy.certificates.export_administration.check(actor, administration),
        hide=True,
        what="administration",
    )
    return administration


@certificates_blp.route("/certificates/exports/<int:job_id>")
@certificates_blp.response(200, ExportSchema)
def export(job_id: int) -> jobs.JobProgress:
    """An export's progress; once done, a link to its zip valid for five minutes."""
    actor = current_actor()
    job = jobs.find_job(job_id, JobKind.EXPORT)
    policy.authorize(
        policy.certificates.export_job.check(actor, job),
        hide=True,
        what="job",
    )
    return jobs.export_progress(job)


@certificates_blp.route("/courses/<int:course_id>/certificates/rerender", methods=["POST"])
@certificates_blp.response(202, JobSchema)
def request_rerender(course_id: int) -> jobs.JobProgress:
    """Render the course's issued certificates again, in chunks, in the background (admins)."""
    actor = current_actor()
    policy.authorize(policy.certificates.manage.check(actor))
    return jobs.JobProgress(jobs.request_rerender(actor, authoring.find_course(course_id)))


@certificates_blp.route("/certificates/rerenders/<int:job_id>")
@certificates_blp.response(200, JobSchema)
def rerender(job_id: int) -> jobs.JobProgress:
    """A re-render's progress: total, done, failed (admins)."""
    policy.authorize(policy.certificates.manage.check(current_actor()))
    return jobs.JobProgress(jobs.find_job(job_id, JobKind.RERENDER))


# public verification


@verify_blp.route("/<string:code>")
@verify_blp.doc(security=openapi.PUBLIC)
@_verification_limit
@verify_blp.response(200, PublicRecordSchema)
def verify_code(code: str) -> verification.PublicRecord | Response:
    """What the certificate with this code states, as JSON or (for browsers) an HTML page.

    400 for a string that cannot be a code, 404 for a code no issued certificate has.
    """
    record = verification.verify_code(code)
    return page.record_page(record) if page.wants_html() else record


@verify_blp.route("", methods=["POST"])
@verify_blp.doc(security=openapi.PUBLIC)
@_verification_limit
@verify_blp.arguments(CredentialInputSchema)
@verify_blp.response(200, CredentialCheckSchema)
def verify_signed_credential(body: dict[str, str]) -> verification.CredentialCheck:
    """Check a signed credential: 200 with ``valid`` or ``revoked``; 422 naming why it is not
    a valid credential of this platform (``bad_signature``, ``unknown_key``, ``malformed`` …)."""
    return verification.check_credential(body["credential"])


@verify_blp.errorhandler(Invalid)
def _malformed_code(error: Invalid) -> Response:
    """A string that cannot be a verification code is a bad request, whatever it looks up."""
    if page.wants_html():
        return page.refusal_page(400, malformed=True)
    return problem(400, error.detail, errors=error.errors)


@verify_blp.errorhandler(NotFound)
def _unknown_code(error: NotFound) -> Response:
    if page.wants_html():
        return page.refusal_page(404, malformed=False)
    return problem(404, error.detail)


@verify_blp.after_request
def _always_fresh(response: Response) -> Response:
    """A revocation must show at once: caches revalidate every answer."""
    response.cache_control.no_cache = True
    response.vary.update(("Accept", "Accept-Language"))
    return response


BLUEPRINTS = (well_known_blp, credentials_blp, certificates_blp, verify_blp)
