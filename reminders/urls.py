from django.urls import path

from reminders import views

app_name = "reminders"
urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:message_id>/sent/", views.mark_sent, name="mark_sent"),
    path("template/", views.template_edit, name="template"),
    path("case/<int:case_id>/", views.case_preferences, name="case"),
]
