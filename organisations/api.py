from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from api.schemas import ErrorOut
from organisations.selectors import member_list_visible_to

router = Router(tags=["organisation"])


class MemberOut(Schema):
    id: int
    email: str = Field(..., alias="user.email")
    name: str = Field(..., alias="user.name")
    role: str
    is_active: bool
    created_at: datetime


@router.get("/members", response={200: list[MemberOut], 404: ErrorOut})
@paginate(LimitOffsetPagination)
def members(request: HttpRequest) -> Any:
    return member_list_visible_to(membership=request.membership)  # type: ignore[attr-defined]
