from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import User
from organisations.models import Membership


@pytest.fixture
def membership_of() -> Callable[[User], Membership]:
    def get(user: User) -> Membership:
        return Membership.objects.select_related("organisation", "user").get(
            user=user, is_active=True
        )

    return get


@pytest.fixture
def adult_case(cast: dict[str, User], make_case: Callable[..., Any]) -> Any:
    """Opened by the lawyer, who leads it and is its only team member."""
    return make_case(cast["lawyer"], age=30)


@pytest.fixture
def child_case(cast: dict[str, User], make_case: Callable[..., Any]) -> Any:
    return make_case(cast["lawyer"], age=12)
