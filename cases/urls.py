from django.urls import path

from cases.views import case_list, case_page, casework, intake

app_name = "cases"
urlpatterns = [
    path("", case_list.case_list, name="list"),
    path("intake/", intake.intake, name="intake"),
    path("intake/cancel/", intake.intake_cancel, name="intake_cancel"),
    path("intake/match/", intake.intake_match, name="intake_match"),
    path("matches/", intake.match_notices, name="match_notices"),
    path("matches/<int:notice_id>/close/", intake.match_notice_close, name="match_notice_close"),
    path("<int:case_id>/", case_page.case_detail, name="detail"),
    path("<int:case_id>/reveal/", case_page.identity_reveal, name="reveal"),
    path("<int:case_id>/identity/", casework.identity_edit, name="identity_edit"),
    path("<int:case_id>/incidents/new/", casework.incident_new, name="incident_new"),
    path("<int:case_id>/notes/new/", casework.note_new, name="note_new"),
    path("<int:case_id>/tasks/new/", casework.task_new, name="task_new"),
    path("<int:case_id>/tasks/<int:task_id>/done/", casework.task_done, name="task_done"),
    path("<int:case_id>/testimonies/new/", casework.testimony_new, name="testimony_new"),
    path("<int:case_id>/team/", casework.team_add, name="team_add"),
    path("<int:case_id>/team/<int:user_id>/remove/", casework.team_remove, name="team_remove"),
    path("<int:case_id>/close/", casework.case_close, name="close"),
    path("<int:case_id>/reopen/", casework.case_reopen, name="reopen"),
    path("<int:case_id>/consents/new/", casework.consent_new, name="consent_new"),
    path(
        "<int:case_id>/consents/<int:consent_id>/withdraw/",
        casework.consent_withdraw,
        name="consent_withdraw",
    ),
]
