"""Where a reminder goes when its time comes.

- `outbox` (the default): nowhere by itself. The message waits on /reminders/outbox/ until a
  coordinator has texted or called her and marks it sent.
- `http_sms`: SMS reminders are POSTed as JSON `{"to": "+591...", "text": "..."}` to
  AMPARO_SMS_URL, with HTTP basic credentials (AMPARO_SMS_USER / AMPARO_SMS_PASSWORD) or a
  bearer token (AMPARO_SMS_TOKEN). A 2xx answer means sent; anything else, a redirect or a
  network error is a failure, retried by the caller. WhatsApp reminders still go to the outbox.

Nothing here logs or returns the number, the text or the gateway's answer: only error codes.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings

from reminders.models import Channel

OUTBOX = "outbox"
HTTP_SMS = "http_sms"
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@dataclass(frozen=True)
class Delivery:
    """The outcome of one attempt. `error` is a short code ("http_503", "network", ...);
    `final` failures are not worth retrying (a malformed number stays malformed)."""

    sent: bool = False
    queued_for_hand: bool = False
    error: str = ""
    final: bool = False


class Backend(Protocol):
    code: str
    needs_number: bool

    def deliver(self, *, to: str, text: str) -> Delivery: ...


class OutboxBackend:
    code = OUTBOX
    needs_number = False

    def deliver(self, *, to: str, text: str) -> Delivery:
        return Delivery(queued_for_hand=True)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would carry her number and our credentials somewhere else: refuse it."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def normalise_number(raw: str, country_code: str) -> str | None:
    """E.164 (`+59170012345`) from a number as it was typed, or None if it is not one."""
    number = re.sub(r"[\s().-]", "", raw or "")
    if number.startswith("00"):
        number = "+" + number[2:]
    elif not number.startswith("+"):
        number = f"+{country_code}{number}"
    return number if re.fullmatch(r"\+\d{8,15}", number) else None


class HttpSmsBackend:
    code = HTTP_SMS
    needs_number = True

    def __init__(self) -> None:
        self.url = settings.AMPARO_SMS_URL
        self.timeout = settings.AMPARO_SMS_TIMEOUT_SECONDS

    def _url_error(self) -> str:
        parts = urlsplit(self.url)
        if parts.scheme == "https" and parts.hostname:
            return ""
        if parts.scheme == "http" and parts.hostname in LOOPBACK:
            return ""  # a gateway on the same host (and the tests' server)
        return "gateway_url"

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if settings.AMPARO_SMS_TOKEN:
            headers["Authorization"] = f"Bearer {settings.AMPARO_SMS_TOKEN}"
        elif settings.AMPARO_SMS_USER:
            pair = f"{settings.AMPARO_SMS_USER}:{settings.AMPARO_SMS_PASSWORD}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        return headers

    def deliver(self, *, to: str, text: str) -> Delivery:
        if error := self._url_error():
            return Delivery(error=error)
        number = normalise_number(to, settings.AMPARO_SMS_COUNTRY_CODE)
        if number is None:
            return Delivery(error="bad_number", final=True)
        request = urllib.request.Request(  # noqa: S310 - scheme checked by _url_error
            self.url,
            data=json.dumps({"to": number, "text": text}).encode(),
            headers=self._headers(),
            method="POST",
        )
        opener = urllib.request.build_opener(_NoRedirects)
        try:
            with opener.open(request, timeout=self.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            exc.close()
            return Delivery(error=f"http_{exc.code}")
        except (urllib.error.URLError, TimeoutError, OSError):
            return Delivery(error="network")
        if 200 <= status < 300:
            return Delivery(sent=True)
        return Delivery(error=f"http_{status}")


def backend_for(channel: str) -> Backend:
    """The configured gateway sends SMS only; everything else waits in the outbox."""
    if channel == Channel.SMS and settings.AMPARO_REMINDER_BACKEND == HTTP_SMS:
        return HttpSmsBackend()
    return OutboxBackend()
