"""(being written)"""

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


intake = intake_cancel = intake_match = match_notices = match_notice_close = _todo
