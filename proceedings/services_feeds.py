"""A person's iCal feed: a secret URL that calendar apps read without signing in.

Only the SHA-256 hash of the secret is stored; the secret is returned once, to be shown once.
Making a new feed revokes the previous one, so a leaked URL is ended by making another.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from access.policy import Capability, require_capability
from audit.models import Action
from audit.services import audit_record
from organisations.models import Membership
from proceedings.models import CalendarFeed
from proceedings.selectors import feed_hash
from proceedings.selectors_hearings import live_feeds


def _revoke_live(membership: Membership, keep: CalendarFeed | None = None) -> int:
    feeds = live_feeds(user_id=membership.user_id, organisation_id=membership.organisation_id)
    if keep is not None:
        feeds = feeds.exclude(pk=keep.pk)
    revoked = list(feeds.select_for_update())
    now = timezone.now()
    for feed in revoked:
        feed.revoked_at = now
        feed.save(update_fields=["revoked_at"])
        audit_record(
            action=Action.UPDATE,
            obj=feed,
            fields=["revoked_at"],
            actor_id=membership.user_id,
            organisation_id=membership.organisation_id,
        )
    return len(revoked)


def feed_create(*, membership: Membership) -> tuple[CalendarFeed, str]:
    """A new feed for her hearings in the organisation she acts in; the previous one stops
    working. Returns the feed and its secret (never stored)."""
    require_capability(membership, Capability.SEE_SURVIVORS)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        feed = CalendarFeed(
            user_id=membership.user_id,
            organisation_id=membership.organisation_id,
            secret_hash=feed_hash(secret),
        )
        feed.save()
        audit_record(
            action=Action.CREATE,
            obj=feed,
            fields=["secret_hash"],
            actor_id=membership.user_id,
            organisation_id=membership.organisation_id,
        )
        _revoke_live(membership, keep=feed)
    return feed, secret


def feed_revoke(*, membership: Membership) -> bool:
    """End her feed in this organisation. False when she had none."""
    require_capability(membership, Capability.SEE_SURVIVORS)
    with transaction.atomic():
        return _revoke_live(membership) > 0


def feed_mark_used(*, feed: CalendarFeed) -> None:
    """A calendar app read the feed (no person acted: no audit event)."""
    feed.last_used_at = timezone.now()
    feed.save(update_fields=["last_used_at"])
