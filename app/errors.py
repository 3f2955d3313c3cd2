"""Typed errors that carry a message for the clerk (Simplified Chinese).

Anything raised that is not an AppError is a bug and is shown as such by the fronts.
"""


class AppError(Exception):
    """An expected refusal: the message is meant for the user."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class ValidationError(AppError):
    """Input that breaks a data rule; `field` names the offending field if any."""


class NotFoundError(AppError):
    pass


class ConflictError(AppError):
    """The request clashes with the current state (duplicate, limit reached...)."""


class StoreLocationError(AppError):
    """The database may not live where it was asked to (removable / network drive)."""


class StoreLockedError(AppError):
    """Another instance already has the data directory open."""


class NoStoreError(AppError):
    """A command that reads data was pointed at a folder with no database in it."""


class NewerSchemaError(AppError):
    """The database was written by a newer version of the app."""


class CorruptStoreError(AppError):
    """The database file cannot be opened or read."""


class Cancelled(AppError):
    """The clerk cancelled a long step; nothing of it was kept."""
