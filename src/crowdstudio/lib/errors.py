from __future__ import annotations


class ServiceError(Exception):
    """A user mistake or a refused action, with a stable code and a message safe to show.

    Views turn it into a form error or a flash message, the API into a JSON error; it is never
    a 500.
    """

    status = 400

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)


class Conflict(ServiceError):
    """The action does not fit the object's current state (e.g. approving a rejected entry)."""

    status = 409


class NotAllowed(ServiceError):
    status = 403
