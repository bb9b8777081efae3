"""Refusals: what a service raises when it will not act, and how every door says so.

A service refuses with Django's PermissionDenied (not allowed), ValidationError (bad input)
or Conflict (the object's state no longer fits: someone else acted first).
"""


class Conflict(Exception):
    """The action no longer fits the object's state (someone else acted first). API: 409."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
