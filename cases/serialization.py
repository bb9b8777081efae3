"""Django's JSON serialisation format, made lossless: its encoder cuts timestamps to
milliseconds, which an export for backups and moves must not do. Registered as "json" in
settings.SERIALIZATION_MODULES, so dumpdata, loaddata and export_data all use it."""

import datetime

from django.core.serializers.json import Deserializer, DjangoJSONEncoder
from django.core.serializers.json import Serializer as DjangoSerializer

__all__ = ["Deserializer", "Serializer"]


class LosslessEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class Serializer(DjangoSerializer):
    def _init_options(self):
        self.options.setdefault("cls", LosslessEncoder)
        super()._init_options()
