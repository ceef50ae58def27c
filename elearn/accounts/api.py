"""HTTP endpoints of sessions, the caller's profile and tokens, administrations and users."""

from __future__ import annotations

from typing import Any, cast

from flask import Response, current_app, request
from flask.views import MethodView

from elearn import openapi, policy
from elearn.accounts import administrations, importing, service, throttle, tokens
from elearn.accounts.identity import (
    about_caller,
    current_actor,
    end_session,
    optional_actor,
    start_session,
)
from elearn.accounts.login import authenticate
from elearn.accounts.models import Administration, Role, User
from elearn.accounts.schemas import (
    AdministrationCreateSchema,
    AdministrationListArgs,
    AdministrationSchema,
    AdministrationUpdateSchema,
    LoginSchema,
    NewTokenSchema,
    OfficerImportFormSchema,
    OfficerImportResultSchema,
    PasswordResetRequestSchema,
    ProfileUpdateSchema,
    SetPasswordSchema,
    TokenCreateSchema,
    TokenSchema,
    UserCreateSchema,
    UserListArgs,
    UserSchema,
    UserUpdateSchema,
)
from elearn.accounts.service import NewUser
from elearn.config import current_settings
from elearn.csv_upload import uploaded_csv
from elearn.errors import Invalid, Unauthenticated
from elearn.extensions import limiter
from elearn.inputs import Blueprint
from elearn.pagination import paginated
from elearn.schemas import load_or_invalid

auth_blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Sessions")
me_blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="The caller")
administrations_blp = Blueprint(
    "administrations",
    __name__,
    url_prefix="/api/v1/administrations",
    description="Member customs administrations",
)
users_blp = Blueprint("users", __name__, url_prefix="/api/v1/users", description="People")


def _login_account_key() -> str:
    """Failed logins count per (account, client address): a stranger guessing someone's password
    from elsewhere cannot slow the owner down; each address keeps its own overall limit."""
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    account = service.normalize_email(email) if isinstance(email, str) else "-"
    return f"login:{account}:{request.remote_addr}"


def _token_creator_key() -> str:
    actor = optional_actor()
    return f"tokens:{actor.id}" if actor is not None else f"tokens:{request.remote_addr}"


@auth_blp.route("/login", methods=["POST"])
@limiter.limit(lambda: current_settings().login_rate_limit_ip)
@auth_blp.doc(security=openapi.PUBLIC)
@auth_blp.arguments(LoginSchema)
@auth_blp.response(200, UserSchema)
def login(credentials: dict[str, str]) -> User:
    """Start a cookie session. Unknown email and wrong password get the same answer; repeated
    failures on one account from one address slow the next attempts down."""
    key, limit = _login_account_key(), current_settings().login_rate_limit_account
    throttle.slow_down(key, limit)
    try:
        user = authenticate(credentials["email"], credentials["password"])
    except Unauthenticated:
        throttle.count_failure(key, limit)
        raise
    start_session(user)
    return user


@auth_blp.route("/logout", methods=["POST"])
@auth_blp.response(204)
def logout() -> None:
    """End the caller's cookie sessions, on every device (a replayed cookie gets 401)."""
    service.end_sessions(current_actor())
    end_session()


@auth_blp.route("/password-reset", methods=["POST"])
@limiter.limit(lambda: current_settings().login_rate_limit_ip)
@auth_blp.doc(security=openapi.PUBLIC)
@auth_blp.arguments(PasswordResetRequestSchema)
@auth_blp.response(202)
def request_password_reset(body: dict[str, str]) -> None:
    """Mail a set-password link if the account exists; the answer never says whether it does."""
    service.request_password_reset(body["email"])


@auth_blp.route("/set-password", methods=["POST"])
@limiter.limit(lambda: current_settings().login_rate_limit_ip)
@auth_blp.doc(security=openapi.PUBLIC)
@auth_blp.arguments(SetPasswordSchema)
@auth_blp.response(204)
def set_password(body: dict[str, str]) -> None:
    """Set a password with a one-time link (first password or reset)."""
    service.set_password_with_token(body["token"], body["password"])


def _profile(user: User) -> dict[str, Any]:
    profile: dict[str, Any] = UserSchema().dump(user)
    return profile


@me_blp.route("")
class Me(MethodView):
    @me_blp.response(200, UserSchema)
    def get(self) -> Response:
        """The caller's profile."""
        return cast(Response, current_app.json.response(about_caller(_profile)))

    @me_blp.arguments(ProfileUpdateSchema)
    @me_blp.response(200, UserSchema)
    def patch(self, changes: dict[str, Any]) -> User:
        """Edit one's own name, language or password (the password needs the current one)."""
        return service.update_profile(current_actor(), changes)


@me_blp.route("/tokens")
class MyTokens(MethodView):
    @me_blp.response(200, TokenSchema(many=True))
    def get(self) -> list[Any]:
        """The caller's active personal access tokens (never their secrets)."""
        return tokens.active_tokens(current_actor())

    @limiter.limit(
        lambda: current_settings().token_rate_limit, key_func=_token_creator_key, methods=["POST"]
    )
    @me_blp.arguments(TokenCreateSchema)
    @me_blp.response(201, NewTokenSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create a token; its secret is in this response and nowhere else, ever."""
        token, secret = tokens.create_token(current_actor(), body["name"], body["expires_at"])
        return {**{name: getattr(token, name) for name in TokenSchema().fields}, "token": secret}


@me_blp.route("/tokens/<int:token_id>")
class MyToken(MethodView):
    @me_blp.response(204)
    def delete(self, token_id: int) -> None:
        """Revoke one of the caller's tokens."""
        tokens.revoke_token(current_actor(), token_id)


@administrations_blp.route("")
class Administrations(MethodView):
    @administrations_blp.arguments(AdministrationListArgs, location="query")
    @administrations_blp.response(200, AdministrationSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Member administrations, by code. Every signed-in user may read them."""
        current_actor()
        return paginated(
            administrations.list_administrations(args["criteria"], args["page_request"])
        )

    @administrations_blp.arguments(AdministrationCreateSchema)
    @administrations_blp.response(201, AdministrationSchema)
    def post(self, body: dict[str, Any]) -> Administration:
        """Add an administration (admins)."""
        actor = current_actor()
        policy.authorize(policy.accounts.manage_administrations.check(actor))
        return administrations.create_administration(actor, body)


@administrations_blp.route("/<string:code>")
class AdministrationItem(MethodView):
    @administrations_blp.response(200, AdministrationSchema)
    def get(self, code: str) -> Administration:
        """One administration."""
        current_actor()
        return administrations.get_administration(code)

    @administrations_blp.arguments(AdministrationUpdateSchema)
    @administrations_blp.response(200, AdministrationSchema)
    def patch(self, changes: dict[str, Any], code: str) -> Administration:
        """Rename, move or (de)activate an administration (admins)."""
        actor = current_actor()
        policy.authorize(policy.accounts.manage_administrations.check(actor))
        return administrations.update_administration(
            actor, administrations.get_administration(code), changes
        )


@users_blp.route("")
class Users(MethodView):
    @users_blp.arguments(UserListArgs, location="query")
    @users_blp.response(200, UserSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """People: admins see everyone, contact points their own administration."""
        actor = current_actor()
        policy.authorize(policy.accounts.list_users.check(actor))
        return paginated(service.list_users(actor, args["criteria"], args["page_request"]))

    @users_blp.arguments(UserCreateSchema)
    @users_blp.response(201, UserSchema)
    def post(self, new: NewUser) -> User:
        """Create an account; without a password the person is mailed a set-password link."""
        actor = current_actor()
        policy.authorize(policy.accounts.list_users.check(actor))
        administration = service.resolve_administration(new.administration_code)
        policy.authorize(policy.accounts.can_create_user(actor, administration, new.roles))
        return service.create_user(actor, new)


OFFICER_IMPORT_BODY = {
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "administration": {"type": "string", "description": "admins: whose officers"},
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "UTF-8 CSV (BOM allowed, ',' or ';'), header naming"
                        " 'email' and any of full_name, personnel_number, unit, language",
                    },
                },
            }
        }
    }
}


@users_blp.route("/import", methods=["POST"])
@users_blp.doc(requestBody=OFFICER_IMPORT_BODY)
@users_blp.response(200, OfficerImportResultSchema)
def import_officers() -> importing.ImportResult:
    """Create or update an administration's officers from a CSV; all lines or none."""
    actor = current_actor()
    policy.authorize(policy.accounts.list_users.check(actor))
    max_rows = current_settings().officer_import_max_rows
    data = uploaded_csv(max_rows)
    form = load_or_invalid(OfficerImportFormSchema(), request.form.to_dict())
    own = actor.administration.code if actor.administration else None
    administration = service.resolve_administration(form.get("administration") or own)
    if administration is None:
        raise Invalid(
            "Name the administration whose officers the file lists.",
            errors={"administration": ["Missing data for field."]},
        )
    policy.authorize(policy.accounts.can_create_user(actor, administration, {Role.TRAINEE}))
    return importing.import_officers(actor, administration, data, max_rows)


@users_blp.route("/<int:user_id>")
class UserItem(MethodView):
    @users_blp.response(200, UserSchema)
    def get(self, user_id: int) -> User:
        """One person (another administration's people do not exist for a contact point)."""
        return _visible_user(current_actor(), user_id)

    @users_blp.arguments(UserUpdateSchema)
    @users_blp.response(200, UserSchema)
    def patch(self, changes: dict[str, Any], user_id: int) -> User:
        """Edit a person; contact points may only rename, relanguage or (de)activate trainees."""
        actor = current_actor()
        user = _visible_user(actor, user_id)
        policy.authorize(policy.accounts.can_edit_user(actor, user, changes))
        return service.update_user(actor, user, changes)


def _visible_user(actor: User, user_id: int) -> User:
    user = service.find_user(user_id)
    policy.authorize(policy.accounts.user_visible.check(actor, user), hide=True, what="user")
    return user


BLUEPRINTS = (auth_blp, me_blp, administrations_blp, users_blp)
