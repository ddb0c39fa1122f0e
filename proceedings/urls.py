"""Routes inside a case: /cases/<case_id>/proceedings/..."""

from django.urls import path

from proceedings.views import events, hearings, measures, proceedings

app_name = "proceedings"
P = "<int:proceeding_id>/"
urlpatterns = [
    path("", proceedings.proceeding_list, name="list"),
    path("new/", proceedings.proceeding_new, name="new"),
    path(P, proceedings.proceeding_detail, name="detail"),
    path(P + "edit/", proceedings.proceeding_edit, name="edit"),
    path(P + "charges/", proceedings.charges_edit, name="charges"),
    path(P + "accused/new/", proceedings.accused_new, name="accused_new"),
    path(P + "accused/<int:accused_id>/reveal/", proceedings.accused_reveal, name="accused_reveal"),
    path(P + "accused/<int:accused_id>/remove/", proceedings.accused_remove, name="accused_remove"),
    path(P + "events/new/", events.event_new, name="event_new"),
    path(P + "events/<int:event_id>/correct/", events.event_correct, name="event_correct"),
    path(P + "events/<int:event_id>/void/", events.event_void, name="event_void"),
    path(P + "hearings/new/", hearings.hearing_new, name="hearing_new"),
    path(P + "hearings/<int:hearing_id>/", hearings.hearing_detail, name="hearing"),
    path(
        P + "hearings/<int:hearing_id>/reschedule/",
        hearings.hearing_reschedule,
        name="hearing_reschedule",
    ),
    path(P + "measures/new/", measures.measure_new, name="measure_new"),
    path(P + "measures/<int:measure_id>/", measures.measure_detail, name="measure"),
    path(
        P + "measures/<int:measure_id>/breaches/new/",
        measures.breach_new,
        name="breach_new",
    ),
]
