"""What the demo data's modules share: the shape of a record, dates and Markdown texts."""

import datetime as dt
import inspect
from typing import Any
from zoneinfo import ZoneInfo

# One demo record (a county, user, case...): field name to value, as the tables write it.
Spec = dict[str, Any]

TIME_ZONE = ZoneInfo("Europe/Oslo")
# When the demo organisations, users and memberships "came to the platform".
JOINED = dt.datetime(2023, 1, 9, 9, 0, tzinfo=TIME_ZONE)
# A demo day. Every date is a fixed absolute date, so two runs on any day write the same history.
D = dt.date


def md(text: str) -> str:
    """Long text fields are Markdown; written indented in these modules, stored flush left."""
    return inspect.cleandoc(text)
