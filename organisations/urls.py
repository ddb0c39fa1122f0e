from django.urls import path

from core.views import switch_organisation
from organisations import views

app_name = "organisations"
urlpatterns = [
    path("switch/", switch_organisation, name="switch"),
    path("members/", views.members, name="members"),
    path("members/<int:member_id>/deactivate/", views.member_deactivate, name="member_deactivate"),
    path(
        "invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"
    ),
    path("platform/", views.platform_list, name="platform_list"),
    path(
        "platform/<int:organisation_id>/invite-admin/",
        views.platform_invite_admin,
        name="platform_invite_admin",
    ),
]
