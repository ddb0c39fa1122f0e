from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class JurisdictionsConfig(AppConfig):
    name = "jurisdictions"
    verbose_name = _("Jurisdicciones")

    def ready(self) -> None:
        from jurisdictions.loader import sync_after_migrate

        post_migrate.connect(sync_after_migrate, sender=self)
