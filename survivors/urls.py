from django.urls import path

from survivors import views

app_name = "survivors"
urlpatterns = [
    path("erasures/", views.erasure_list, name="erasures"),
    path("erasures/request/<int:case_id>/", views.erasure_request, name="erasure_request"),
    path("erasures/<int:request_id>/confirm/", views.erasure_confirm, name="erasure_confirm"),
    path("erasures/<int:request_id>/cancel/", views.erasure_cancel, name="erasure_cancel"),
    path("retention/", views.retention, name="retention"),
]
