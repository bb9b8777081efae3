from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Innovation cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import ratelimit  # noqa: F401 - registers the check of the rate settings
        from .changefeed import record

        record.connect()
