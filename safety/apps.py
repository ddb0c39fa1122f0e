from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "safety"
    verbose_name = _("Seguridad")

    def ready(self) -> None:
        from django.core import checks

        from safety.checks import check_instruments

        checks.register(check_instruments)
