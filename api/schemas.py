from datetime import datetime

from ninja import Schema


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None


class ErrorOut(Schema):
    error: ErrorDetail


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    organisation: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class MeOut(Schema):
    email: str
    name: str
    organisation: str | None
    organisation_slug: str | None
    role: str | None
    capabilities: list[str]
