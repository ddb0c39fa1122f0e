"""Background work for organisations, run by the database-backed worker (`manage.py db_worker`).

The invitation token is made here, in the worker, and goes only into the email: the task's own
row in the database holds the invitation id and the site's address, nothing secret.
"""

from __future__ import annotations

from django.tasks import task
from django.urls import reverse

from organisations import services
from organisations.selectors import invitation_pending_by_id


@task()
def send_invitation(*, invitation_id: int, base_url: str) -> None:
    invitation = invitation_pending_by_id(invitation_id=invitation_id)
    if invitation is None:  # accepted, revoked or expired before the worker got to it
        return
    token = services.invitation_issue_token(invitation=invitation)
    url = base_url.rstrip("/") + reverse("invitation_accept", args=[token])
    services.invitation_send(invitation=invitation, accept_url=url)
