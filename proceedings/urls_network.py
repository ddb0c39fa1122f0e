"""Network-wide routes: deadlines, hearing calendars, the iCal feed and the directory."""

from django.urls import path

from proceedings.views import deadlines, directory, feeds, hearings

app_name = "justice"
urlpatterns = [
    path("deadlines/", deadlines.deadline_list, name="deadlines"),
    path("alerts/<int:alert_id>/seen/", deadlines.alert_seen, name="alert_seen"),
    path("hearings/", hearings.calendar, name="calendar"),
    path("hearings/court/<int:court_id>/", hearings.court_calendar, name="court_calendar"),
    path("calendar-feed/", feeds.feed_settings, name="feed"),
    path("calendar-feed/revoke/", feeds.feed_revoke, name="feed_revoke"),
    path("directory/", directory.office_list, name="directory"),
    path("directory/new/", directory.office_new, name="office_new"),
    path("directory/<int:office_id>/edit/", directory.office_edit, name="office_edit"),
]
