"""Errors that services raise and views/API translate. Messages are Korean, for the civil servant."""


class ChatdongError(Exception):
    """Base for errors a user can act on."""


class PermissionDenied(ChatdongError):
    """The user may not do this at all (403)."""


class NotFound(ChatdongError):
    """Not there, or outside the user's scope (404: existence is never revealed)."""


class ValidationFailed(ChatdongError):
    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}
