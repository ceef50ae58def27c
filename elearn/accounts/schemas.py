"""Request and response shapes of administrations, users, sessions and tokens."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from elearn.accounts.administrations import AdministrationFilter
from elearn.accounts.models import Role
from elearn.accounts.passwords import MIN_PASSWORD_LENGTH
from elearn.accounts.service import NewUser, UserFilter
from elearn.pagination import PageArgs
from elearn.schemas import (
    ChangesSchema,
    Email,
    Id,
    Integer,
    StrictSchema,
    language,
    text,
    time_zone,
)


def password_field(**kwargs: Any) -> ma.fields.String:
    return ma.fields.String(
        load_only=True, validate=ma.validate.Length(min=MIN_PASSWORD_LENGTH, max=200), **kwargs
    )


def roles_field() -> ma.fields.List:
    return ma.fields.List(
        ma.fields.Enum(Role, by_value=True), validate=ma.validate.Length(min=1, max=len(Role))
    )


def administration_code_field(**kwargs: Any) -> ma.fields.String:
    return ma.fields.String(
        validate=ma.validate.Regexp(r"^[A-Za-z]{2}$", error="Expected an ISO 3166-1 alpha-2 code."),
        **kwargs,
    )


def personnel_number_field(**kwargs: Any) -> ma.fields.String:
    return text(
        40,
        metadata={"description": "Unique within the administration; null: none"},
        **kwargs,
    )


def unit_field(**kwargs: Any) -> ma.fields.String:
    return text(200, metadata={"description": "Department or office; null: none"}, **kwargs)


class AdministrationNames(StrictSchema):
    en = text(200, required=True)
    ru = text(200)
    fr = text(200)


class AdministrationSchema(ma.Schema):
    code = ma.fields.String()
    names = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    region = ma.fields.String()
    time_zone = ma.fields.String()
    active = ma.fields.Boolean()
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()


class AdministrationCreateSchema(StrictSchema):
    code = administration_code_field(required=True)
    names = ma.fields.Nested(AdministrationNames, required=True)
    region = text(80, required=True)
    time_zone = time_zone()
    active = ma.fields.Boolean()


class AdministrationUpdateSchema(ChangesSchema):
    names = ma.fields.Nested(AdministrationNames)
    region = text(80)
    time_zone = time_zone()
    active = ma.fields.Boolean()


class AdministrationListArgs(PageArgs):
    region = ma.fields.String()
    active = ma.fields.Boolean()
    q = ma.fields.String(validate=ma.validate.Length(max=100))

    @ma.post_load
    def _to_filter(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["criteria"] = AdministrationFilter(
            region=data.pop("region", None),
            active=data.pop("active", None),
            search=data.pop("q", None),
        )
        return data


class UserSchema(ma.Schema):
    id = Id()
    email = ma.fields.String()
    full_name = ma.fields.String()
    language = ma.fields.String()
    time_zone = ma.fields.String(
        attribute="local_time_zone",
        metadata={"description": "One's own IANA zone, else the administration's"},
    )
    time_zone_is_own = ma.fields.Function(
        lambda user: user.time_zone is not None,
        metadata={"description": "false: the zone follows the administration's"},
    )
    administration = ma.fields.Function(
        lambda user: user.administration.code if user.administration else None
    )
    roles = ma.fields.Function(lambda user: sorted(user.roles))
    personnel_number = ma.fields.String(allow_none=True)
    unit = ma.fields.String(allow_none=True)
    active = ma.fields.Boolean()
    last_login_at = ma.fields.AwareDateTime(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()


class UserCreateSchema(StrictSchema):
    email = Email(required=True, validate=ma.validate.Length(max=254))
    full_name = text(200, required=True)
    language = language(load_default="en")
    administration = administration_code_field()
    roles = roles_field()
    password = password_field()
    personnel_number = personnel_number_field()
    unit = unit_field()

    @ma.post_load
    def _to_new_user(self, data: dict[str, Any], **_: Any) -> NewUser:
        roles = frozenset(data.pop("roles", None) or {Role.TRAINEE})
        return NewUser(administration_code=data.pop("administration", None), roles=roles, **data)


class UserUpdateSchema(ChangesSchema):
    email = Email(validate=ma.validate.Length(max=254))
    full_name = text(200)
    language = language()
    administration = administration_code_field(
        allow_none=True, metadata={"description": "null: regional office staff, in none"}
    )
    roles = roles_field()
    active = ma.fields.Boolean()
    time_zone = time_zone(
        allow_none=True,
        metadata={"description": "IANA time zone; null follows the administration's"},
    )
    personnel_number = personnel_number_field(allow_none=True)
    unit = unit_field(allow_none=True)

    @ma.post_load
    def _rename(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if "administration" in data:
            data["administration_code"] = data.pop("administration")
        if "roles" in data:
            data["roles"] = frozenset(data["roles"])
        return data


class UserListArgs(PageArgs):
    administration = ma.fields.String()
    role = ma.fields.Enum(Role, by_value=True)
    active = ma.fields.Boolean()
    personnel_number = ma.fields.String(validate=ma.validate.Length(max=40))
    unit = ma.fields.String(validate=ma.validate.Length(max=200))
    q = ma.fields.String(validate=ma.validate.Length(max=100))

    @ma.post_load
    def _to_filter(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["criteria"] = UserFilter(
            administration_code=data.pop("administration", None),
            role=data.pop("role", None),
            active=data.pop("active", None),
            search=data.pop("q", None),
            personnel_number=data.pop("personnel_number", None),
            unit=data.pop("unit", None),
        )
        return data


class ProfileUpdateSchema(ChangesSchema):
    full_name = text(200)
    language = language()
    time_zone = time_zone(
        allow_none=True,
        metadata={"description": "IANA time zone; null follows the administration's"},
    )
    current_password = ma.fields.String(load_only=True, validate=ma.validate.Length(max=200))
    new_password = password_field()


class LoginSchema(StrictSchema):
    email = Email(required=True, validate=ma.validate.Length(max=254))
    password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(max=200))


class PasswordResetRequestSchema(StrictSchema):
    email = Email(required=True, validate=ma.validate.Length(max=254))


class SetPasswordSchema(StrictSchema):
    token = ma.fields.String(required=True, validate=ma.validate.Length(max=500))
    password = password_field(required=True)


class TokenCreateSchema(StrictSchema):
    name = text(100, required=True)
    expires_at = ma.fields.AwareDateTime(load_default=None, allow_none=True)


class TokenSchema(ma.Schema):
    id = Id()
    name = ma.fields.String()
    prefix = ma.fields.String()
    created_at = ma.fields.AwareDateTime()
    expires_at = ma.fields.AwareDateTime(allow_none=True)
    last_used_at = ma.fields.AwareDateTime(allow_none=True)


class NewTokenSchema(TokenSchema):
    token = ma.fields.String(metadata={"description": "The secret; shown only in this response."})


class OfficerRowSchema(ma.Schema):
    """One line of an officers CSV; blank cells are left out (they change nothing)."""

    class Meta:
        unknown = ma.EXCLUDE

    email = Email(required=True, validate=ma.validate.Length(max=254))
    full_name = text(200)
    language = language()
    personnel_number = personnel_number_field()
    unit = unit_field()


class OfficerImportFormSchema(ma.Schema):
    administration = administration_code_field(
        metadata={"description": "Admins: whose officers; contact points: their own (default)"}
    )


class OfficerImportRowSchema(ma.Schema):
    row = Integer()
    email = ma.fields.String()
    outcome = ma.fields.String()
    user_id = Integer(allow_none=True)


class OfficerImportResultSchema(ma.Schema):
    administration = ma.fields.String()
    counts = ma.fields.Dict(keys=ma.fields.String(), values=Integer())
    rows = ma.fields.List(ma.fields.Nested(OfficerImportRowSchema))
