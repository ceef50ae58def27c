"""The contact point's dashboard: server-rendered HTML with inline SVG charts (no assets).

Contact points see their administration; admins choose one with ``?administration=``. The
language is ``?lang=``, else the browser's ``Accept-Language``, else the user's profile.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from elearn import policy
from elearn.accounts import administrations
from elearn.accounts.identity import current_actor
from elearn.accounts.models import Administration, User
from elearn.config import current_settings
from elearn.errors import Invalid
from elearn.extensions import db
from elearn.negotiation import requested_language
from elearn.reports import charts, dashboard
from elearn.reports.labels import labels_for

pages_blp = Blueprint("pages", __name__, template_folder="templates")


def _language(actor: User) -> str:
    explicit = request.args.get("lang")
    if explicit is not None and explicit not in current_settings().languages:
        choices = ", ".join(current_settings().languages)
        raise Invalid("Unknown language.", errors={"lang": [f"Not one of {choices}."]})
    return requested_language(explicit) or actor.language


def _administration(actor: User) -> Administration | None:
    """The administration asked for (admins), else the actor's own; another one is 404."""
    code = request.args.get("administration")
    administration = administrations.get_administration(code) if code else actor.administration
    if administration is None:
        policy.authorize(policy.accounts.oversees_people.check(actor))
        return None
    allowed = policy.reports.read_administration.check(actor, administration)
    policy.authorize(allowed, hide=True, what="administration")
    return administration


@pages_blp.route("/dashboard")
def show_dashboard() -> str:
    """The dashboard of one administration, or the choice of one (admins)."""
    actor = current_actor()
    administration = _administration(actor)
    language = _language(actor)
    choices = (
        db.session.scalars(select(Administration).order_by(Administration.code)).all()
        if policy.accounts.manage_administrations.check(actor)
        else []
    )
    data = dashboard.dashboard(administration, language) if administration else None
    weeks = [(str(week.starts_on), week.completions) for week in data.trend] if data else []
    return render_template(
        "reports/dashboard.html",
        data=data,
        trend_columns=charts.columns(weeks, step=34),
        charts=charts,
        choices=choices,
        language=language,
        t=labels_for(language),
    )
