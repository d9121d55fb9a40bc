"""The one error tree of the domain: adapters translate their failures into these at the boundary."""

from __future__ import annotations


class PaintError(Exception):
    """Root of every error the core raises or expects from its ports."""


class InvalidPrompt(PaintError):
    """The description is empty, too short or too long."""

    def __init__(self, reason: str, *, min_length: int = 0, max_length: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.min_length = min_length
        self.max_length = max_length


class PromptRejected(PaintError):
    """Moderation refused the description or image (it costs the user nothing).

    `reason` is a code the dialog turns into a kind message ("unsafe"); `detail` is for logs."""

    def __init__(self, reason: str = "unsafe", *, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class QuotaExceeded(PaintError):
    """The user has no credits left for the requested work."""


class JobInFlight(PaintError):
    """The user already has a page being drawn; one at a time."""


class UserNotFound(PaintError):
    """No user with that id is registered."""


class UserBanned(PaintError):
    """An admin has banned this user."""


class DuplicateTransaction(PaintError):
    """A ledger transaction with this idempotency key exists with different content."""


class RecipientBlocked(PaintError):
    """The recipient blocked the bot or can no longer be written to."""


class BroadcastRunning(PaintError):
    """Another broadcast is running: one at a time (wait for it to finish, or cancel it)."""


class BroadcastConfirmed(PaintError):
    """This broadcast was confirmed already (a confirmation pressed twice): nothing is sent twice."""


class NoRecipients(PaintError):
    """Nobody matches the broadcast's audience: there is nothing to send."""


class RateLimited(PaintError):
    """The remote service asked us to slow down for `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited, retry after {retry_after}s")
        self.retry_after = retry_after


class GenerationFailed(PaintError):
    """The image backend could not produce a page."""


class BackendUnavailable(GenerationFailed):
    """The image backend refuses everyone (bad key, billing, quota): admins must act."""


class StorageUnavailable(PaintError):
    """The store cannot be reached or written; nothing was changed."""


class DeliveryFailed(PaintError):
    """The messenger could not deliver a message for a reason other than a block or a rate limit."""


class PartiallyDelivered(PaintError):
    """Part of a page reached the user and could not be taken back (the picture without its PDF)."""


class PaymentRefused(PaintError):
    """The payment provider refused an operation (an unknown charge, one refunded already)."""
