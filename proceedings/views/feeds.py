"""The iCal feed: a page to make or revoke one's secret URL, and the public URL itself.

The public URL (`/ical/<secret>.ics`) has no session: calendar apps cannot sign in, so the
secret is the credential. Its events say only "Audiencia", the case code and the court. An
unknown or revoked secret, or an owner who may no longer open cases, all answer the same 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from access.policy import Capability
from core.decorators import member_required, sudo_for_changes
from proceedings import services_feeds
from proceedings.ical import feed_calendar
from proceedings.selectors import feed_by_secret, feed_for
from proceedings.selectors_hearings import feed_hearings, feed_membership


@member_required(Capability.SEE_SURVIVORS)
@sudo_for_changes
@require_http_methods(["GET", "POST"])
def feed_settings(request: HttpRequest) -> HttpResponse:
    """Whether she has a feed; POST makes a new one (ending the previous) and shows its URL,
    this once."""
    membership = request.membership  # type: ignore[attr-defined]
    url = None
    if request.method == "POST":
        _feed, secret = services_feeds.feed_create(membership=membership)
        url = request.build_absolute_uri(reverse("ical_feed", args=[secret]))
    return TemplateResponse(
        request,
        "proceedings/feed_settings.html",
        {"feed": feed_for(membership=membership), "url": url},
    )


@member_required(Capability.SEE_SURVIVORS)
@require_POST
def feed_revoke(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    if services_feeds.feed_revoke(membership=membership):
        messages.success(request, _("Enlace revocado: tu calendario ya no recibirá audiencias."))
    else:
        messages.info(request, _("No tenías un enlace de calendario activo."))
    return redirect("justice:feed")


@require_http_methods(["GET"])
def ical(request: HttpRequest, secret: str) -> HttpResponse:
    feed = feed_by_secret(secret=secret)
    membership = feed_membership(feed=feed) if feed is not None else None
    if feed is None or membership is None:
        raise Http404
    services_feeds.feed_mark_used(feed=feed)
    body = feed_calendar(feed_hearings(membership=membership))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["Content-Disposition"] = 'inline; filename="audiencias.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
