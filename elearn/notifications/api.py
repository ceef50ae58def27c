"""HTTP endpoints of mail: one's preferences, the public one-click unsubscribe page, and the
admins' mail log with resending."""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for
from flask.views import MethodView

from elearn import policy
from elearn.accounts.identity import current_actor
from elearn.errors import Invalid
from elearn.inputs import Blueprint
from elearn.notifications import preferences, queries, rendering, service
from elearn.notifications.models import Notification, NotificationPreference
from elearn.notifications.schemas import (
    NotificationListArgs,
    NotificationSchema,
    PreferencesSchema,
    PreferencesUpdateSchema,
)
from elearn.pagination import paginated

preferences_blp = Blueprint(
    "notification_preferences",
    __name__,
    url_prefix="/api/v1/me/notification-preferences",
    description="The caller's mail preferences",
)
notifications_blp = Blueprint(
    "notifications",
    __name__,
    url_prefix="/api/v1/notifications",
    description="Every mail the platform sent or owes (admins)",
)
unsubscribe_blp = Blueprint(
    "unsubscribe",
    __name__,
    url_prefix="/unsubscribe",
    description="One-click unsubscribe links of mails (public, no login)",
)

PAGE_TEXTS = {
    "en": {
        "confirm": ("Stop these mails?", "You will no longer receive {category} from elearn."),
        "done": ("Unsubscribed", "You will no longer receive {category} from elearn."),
        "refused": ("Link not valid", "This unsubscribe link is invalid or has expired."),
        "button": "Unsubscribe",
        "reminders": "course reminders",
        "digests": "the weekly digest",
    },
    "ru": {
        "confirm": ("Отписаться?", "Вы больше не будете получать от elearn {category}."),
        "done": ("Вы отписались", "Вы больше не будете получать от elearn {category}."),
        "refused": ("Ссылка недействительна", "Эта ссылка недействительна или устарела."),
        "button": "Отписаться",
        "reminders": "напоминания о курсах",
        "digests": "еженедельную сводку",
    },
    "fr": {
        "confirm": ("Ne plus recevoir ces courriels ?", "Vous ne recevrez plus {category}."),
        "done": ("Désinscription faite", "Vous ne recevrez plus {category}."),
        "refused": ("Lien non valide", "Ce lien de désinscription est invalide ou a expiré."),
        "button": "Se désinscrire",
        "reminders": "les rappels de formation",
        "digests": "le récapitulatif hebdomadaire",
    },
}


@preferences_blp.route("")
class MyPreferences(MethodView):
    @preferences_blp.response(200, PreferencesSchema)
    def get(self) -> NotificationPreference:
        """What mail the caller receives; transactional mail is always sent."""
        actor = current_actor()
        policy.authorize(policy.notifications.own_preferences.check(actor))
        return preferences.preferences_of(actor.id)

    @preferences_blp.arguments(PreferencesUpdateSchema)
    @preferences_blp.response(200, PreferencesSchema)
    def patch(self, changes: dict[str, Any]) -> NotificationPreference:
        """Switch reminders or digests on or off; contact points choose their digest's day
        and hour (their own time zone) and whether they get a copy of each overdue mail."""
        actor = current_actor()
        policy.authorize(policy.notifications.own_preferences.check(actor))
        return preferences.update_preferences(actor, changes)


@notifications_blp.route("")
@notifications_blp.arguments(NotificationListArgs, location="query")
@notifications_blp.response(200, NotificationSchema(many=True))
def list_notifications(args: dict[str, Any]) -> Any:
    """The mail log, newest first, filtered by kind, status, recipient, administration, period."""
    actor = current_actor()
    policy.authorize(policy.notifications.manage.check(actor))
    return paginated(queries.list_notifications(args["criteria"], args["page_request"]))


@notifications_blp.route("/<int:notification_id>/resend", methods=["POST"])
@notifications_blp.response(200, NotificationSchema)
def resend_notification(notification_id: int) -> Notification:
    """Send a failed mail again; 409 for any other status."""
    actor = current_actor()
    policy.authorize(policy.notifications.manage.check(actor))
    return service.resend(actor, service.find_notification(notification_id))


def _page(status: int, state: str, named: preferences.Unsubscribe | None, token: str) -> Response:
    """The public page in the recipient's language (English when the link names nobody)."""
    language = named.user.language if named is not None else "en"
    texts = PAGE_TEXTS.get(language, PAGE_TEXTS["en"])
    title, message = texts[state]
    what = texts[named.category.value] if named is not None else ""
    action = url_for("unsubscribe.unsubscribe_page", token=token) if state == "confirm" else None
    html = rendering.render_page(
        "unsubscribe",
        {
            "language": language if language in PAGE_TEXTS else "en",
            "text": {"title": title, "message": message.format(category=what)},
            "button": texts["button"],
            "form_action": action,
        },
    )
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


HTML_PAGE = {"content": {"text/html": {"schema": {"type": "string"}}}}


@unsubscribe_blp.route("/<string:token>", methods=["GET", "POST"])
@unsubscribe_blp.doc(
    description="GET shows a page with a button and changes nothing (link scanners open "
    "links); POST, from that button or a mail client's RFC 8058 one-click, switches off the one "
    "category the signed link names for the one person it names. A tampered, expired or "
    "unknown link answers 400 with a plain page and changes nothing.",
    responses={
        "200": {"description": "The page asking to confirm, or saying it is done", **HTML_PAGE},
        "400": {"description": "A tampered, expired or unknown link: a plain page", **HTML_PAGE},
    },
)
def unsubscribe_page(token: str) -> Response:
    """One-click unsubscribe (no login)."""
    try:
        if request.method == "POST":
            return _page(200, "done", preferences.unsubscribe(token), token)
        named = preferences.read_unsubscribe_token(token)
    except Invalid:
        return _page(400, "refused", None, token)
    return _page(200, "confirm", named, token)


BLUEPRINTS = (preferences_blp, notifications_blp, unsubscribe_blp)
