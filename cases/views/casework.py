"""(being written)"""

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


identity_edit = incident_new = note_new = task_new = task_done = testimony_new = _todo
team_add = team_remove = case_close = case_reopen = consent_new = consent_withdraw = _todo
