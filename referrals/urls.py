"""Routes of the receiving side: /referrals/..."""

from django.urls import path

from referrals.views import incoming

app_name = "referrals"
urlpatterns = [
    path("", incoming.inbox, name="inbox"),
    path("<int:referral_id>/", incoming.decide, name="decide"),
    path("<int:referral_id>/complete/", incoming.complete, name="complete"),
    path("<int:referral_id>/case/", incoming.referred_case, name="case"),
    path("<int:referral_id>/identity/", incoming.identity, name="identity"),
]
