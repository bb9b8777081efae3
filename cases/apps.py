from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Innovation cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core.signals import request_finished, request_started
        from django.db.backends.signals import connection_created

        from . import (
            background,
            ratelimit,  # noqa: F401 - registers the check of the rate settings
            search,
        )
        from .changefeed import record

        record.connect()
        connection_created.connect(search.install_planning, dispatch_uid="cases.search.planning")
        request_started.connect(background.request_started, dispatch_uid="cases.background")
        request_finished.connect(background.request_finished, dispatch_uid="cases.background")
