"""Routes of the referring side, inside a case: /cases/<case_id>/referrals/..."""

from django.urls import path

from referrals.views import outgoing

app_name = "case_referrals"
urlpatterns = [
    path("", outgoing.referral_list, name="list"),
    path("new/", outgoing.referral_new, name="new"),
    path("<int:referral_id>/", outgoing.referral_detail, name="detail"),
    path("<int:referral_id>/revoke/", outgoing.referral_revoke, name="revoke"),
    path("<int:referral_id>/complete/", outgoing.referral_complete, name="complete"),
]
