from django.urls import include, path, re_path
from django.views.i18n import set_language

from api import views as api_views
from api.api import api
from core import views as core_views
from organisations import views as organisation_views
from proceedings.views import feeds as proceedings_feeds

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    # Our logout first: it adds Clear-Site-Data to allauth's.
    path("accounts/logout/", core_views.logout, name="account_logout"),
    # allauth features Amparo does not use: accounts change email only through an admin, and
    # nobody signs in by emailed code. Answer 404 before allauth's own routes.
    path("accounts/email/", core_views.not_available),
    path("accounts/confirm-email/", core_views.not_available),
    re_path(r"^accounts/confirm-email/(?P<key>[-:\w]+)/$", core_views.not_available),
    path("accounts/login/code/confirm/", core_views.not_available),
    path("accounts/reauthenticate/code/", core_views.not_available),
    path("accounts/reauthenticate/code/confirm/", core_views.not_available),
    path("accounts/", include("allauth.urls")),
    path("org/", include("organisations.urls")),
    path(
        "invitations/<str:token>/", organisation_views.invitation_accept, name="invitation_accept"
    ),
    path("audit/", include("audit.urls")),
    path("cases/", include("cases.urls")),
    path("cases/<int:case_id>/safety/", include("safety.urls")),
    path("cases/<int:case_id>/documents/", include("documents.urls")),
    path("cases/<int:case_id>/proceedings/", include("proceedings.urls")),
    path("justice/", include("proceedings.urls_network")),
    # The iCal feed: the secret in the URL is the only credential (calendar apps cannot log in).
    path("ical/<str:secret>.ics", proceedings_feeds.ical, name="ical_feed"),
    path("reminders/", include("reminders.urls")),
    path("cases/<int:case_id>/referrals/", include("referrals.urls_case")),
    path("referrals/", include("referrals.urls")),
    path("survivors/", include("survivors.urls")),
    path("settings/api-tokens/", api_views.tokens, name="api_tokens"),
    path(
        "settings/api-tokens/<int:token_id>/revoke/",
        api_views.token_revoke,
        name="api_token_revoke",
    ),
    path("api/v1/", api.urls),
]
