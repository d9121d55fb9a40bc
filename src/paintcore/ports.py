"""The interfaces the core needs from the outside world, as typing.Protocols.

Adapters do not inherit from these; mypy checks that they fit. Every method takes and returns
domain types and names the core errors it may raise.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from .domain.conversation import ConversationState
from .domain.credits import Balance, Bucket, Hold, Transaction, TransactionKind
from .domain.jobs import ClosedJob, Job, JobState, Lease, TakenJob
from .domain.messages import InlineKeyboard, Keyboard
from .domain.pages import ColoringPage, PageOptions, RenderedImage
from .domain.users import User, UserId


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class Users(Protocol):
    def add(self, user: User) -> bool:
        """Store a new user; False and no change when the id is already registered."""
        ...

    def get(self, user_id: UserId) -> User | None:
        """The user with this id, or None."""
        ...

    def set_blocked(self, user_id: UserId, blocked: bool) -> None:
        """Record that the user blocked (or unblocked) the bot; UserNotFound if unknown."""
        ...

    def set_banned(self, user_id: UserId, banned: bool) -> None:
        """Ban or unban a user; UserNotFound if unknown."""
        ...

    def count(self) -> int:
        """How many users are registered; StorageUnavailable if the store cannot answer."""
        ...

    def recipients(self) -> list[UserId]:
        """Ids of users who may be written to (neither blocked nor banned), in id order."""
        ...


class Ledger(Protocol):
    def grant(
        self, *, user_id: UserId, amount: int, key: str, kind: TransactionKind, bucket: Bucket
    ) -> bool:
        """Credit `amount` (> 0, else ValueError) to the free (from grants) or paid (from sales)
        bucket once per key (keys are unique across all users); False when the key was already
        applied (nothing changes). A registration key credits its own user only, and the keys of
        holds (`reserve:`, `capture:`, `release:`) are not grants' (ValueError)."""
        ...

    def reserve(self, *, user_id: UserId, job_id: str, amount: int = 1) -> Hold:
        """Hold credits for a job, free bucket first, atomically; replaying returns the same hold;
        QuotaExceeded when neither bucket alone has `amount`."""
        ...

    def capture(self, *, job_id: str) -> bool:
        """Spend the job's held credits; False (no change) if already captured, released or absent."""
        ...

    def release(self, *, job_id: str) -> bool:
        """Return the job's held credits to their bucket; False (no change) if settled or absent."""
        ...

    def hold(self, job_id: str) -> Hold | None:
        """The hold of a job, in whatever state, or None."""
        ...

    def balance(self, user_id: UserId) -> Balance:
        """The user's wallet; all zero for a user without transactions."""
        ...

    def transactions(self, user_id: UserId | None = None) -> list[Transaction]:
        """Every transaction (of one user, if given), oldest first."""
        ...


class Jobs(Protocol):
    def add(self, job: Job) -> None:
        """Store a new job; JobInFlight if the user already has a queued or running job;
        ValueError if the id exists."""
        ...

    def get(self, job_id: str) -> Job | None:
        """The job with this id, or None."""
        ...

    def start(self, job_id: str, *, at: datetime, lease: Lease | None = None) -> Job | None:
        """Move a queued job to running (leased to `lease`'s worker); None if it is not queued
        (taken or finished already)."""
        ...

    def renew(self, job_id: str, *, owner: str, until: datetime) -> bool:
        """Extend the lease of a running job held by `owner` to `until`; False when the job is
        no longer running under that owner's lease (recovery took it, or it finished)."""
        ...

    def claim(
        self,
        job_id: str,
        *,
        at: datetime,
        owner: str,
        until: datetime,
        gone: str | None = None,
        unleased_before: datetime,
    ) -> Job | None:
        """Take a running job over for `owner` (recovery) when `Job.claimable` says so, in one
        guarded write, so a worker renewing at the same moment and recovery exclude each other;
        the job as claimed, or None."""
        ...

    def finish(self, job_id: str, *, state: JobState, at: datetime, error: str = "") -> Job | None:
        """Move a job to succeeded or failed; None when the state machine does not allow the move
        (already finished, or succeeded straight from queued). ValueError for any other target."""
        ...

    def in_flight(self, user_id: UserId) -> Job | None:
        """The user's queued or running job, if any."""
        ...

    def running(self) -> list[Job]:
        """Running jobs with their leases, oldest start first (candidates for crash recovery)."""
        ...

    def queued(self) -> list[Job]:
        """Queued jobs, oldest first."""
        ...

    def counts(self) -> dict[JobState, int]:
        """How many jobs are in each state, every state present (zero included)."""
        ...


class PageOrders(Protocol):
    """A page's life as the user pays for it: opened (credit held), taken, closed (settled).

    The page flows go through this port rather than Users, Ledger and Jobs one by one so that a
    store can do each step in as few writes as it can (MongoDB: see docs/MONGO.md); `StepwiseOrders`
    builds it from the three ports for stores that need nothing better.
    """

    def open(self, job: Job) -> Job:
        """Store the queued `job` with one credit held for it (free bucket first): UserNotFound,
        UserBanned, JobInFlight (the user has a queued or running job) or QuotaExceeded, checked
        in that order, with nothing held and no job in flight (a store may record the job as
        failed when a racing movement took the credit between its checks)."""
        ...

    def take(self, job_id: str, *, at: datetime, lease: Lease | None = None) -> TakenJob | None:
        """Move a queued job to running, leased to `lease`'s worker; None if it is not queued
        (taken or finished already).
        The user and the credits left come as of the request or later: a store may keep a
        snapshot taken at `open` (MongoDB does, to answer in one command)."""
        ...

    def renew(self, job_id: str, *, owner: str, until: datetime) -> bool:
        """Keep the job leased to `owner` until `until` (Jobs.renew): False when it is not,
        because recovery took it away (and gave its credit back) or it finished."""
        ...

    def close(
        self, job_id: str, *, state: JobState, at: datetime, error: str = ""
    ) -> ClosedJob | None:
        """Finish the job as succeeded (its credit is spent) or failed (given back); None when
        the job cannot move there (already finished, unknown). ValueError for another state,
        checked first (also for an unknown job)."""
        ...


class Conversations(Protocol):
    def expect(self, state: ConversationState) -> None:
        """Remember what the user is expected to send next (replaces any earlier expectation)."""
        ...

    def current(self, user_id: UserId) -> ConversationState | None:
        """What the user is expected to send next, or None."""
        ...

    def clear(self, user_id: UserId) -> None:
        """Forget any expectation for the user (no-op when there is none)."""
        ...

    def sweep(self, before: datetime) -> int:
        """Forget every expectation last set before `before`; how many there were."""
        ...


class ImageGenerator(Protocol):
    @property
    def name(self) -> str:
        """A short name of the backend and model, for logs and /check."""
        ...

    def generate(self, *, prompt: str, description: str, options: PageOptions) -> RenderedImage:
        """Draw an image for the prompt; GenerationFailed, PromptRejected or RateLimited on failure."""
        ...


class PhotoTracer(Protocol):
    @property
    def name(self) -> str:
        """A short name of the backend, for logs and /check."""
        ...

    def trace(self, *, photo: bytes, prompt: str, options: PageOptions) -> RenderedImage:
        """Turn a photo (JPEG/PNG bytes) into line art; GenerationFailed if the photo is unusable,
        PromptRejected if refused, BackendUnavailable when the backend refuses everyone."""
        ...


class Moderator(Protocol):
    def check(self, text: str) -> None:
        """Return if the description is fine for children; PromptRejected if not."""
        ...


class Attachments(Protocol):
    def fetch(self, file_id: str) -> bytes:
        """The bytes of a file a user sent (a photo); DeliveryFailed if it cannot be had."""
        ...


class Preferences(Protocol):
    def get(self, user_id: UserId) -> PageOptions | None:
        """The user's chosen page options, or None when they never chose."""
        ...

    def set(self, user_id: UserId, options: PageOptions) -> None:
        """Remember the user's page options (replacing earlier ones)."""
        ...


class PageFinisher(Protocol):
    def finish(self, image: RenderedImage, *, title: str, options: PageOptions) -> ColoringPage:
        """Turn a raw image into a printable black-and-white page; GenerationFailed if unusable."""
        ...


class Messenger(Protocol):
    def send_text(
        self, chat_id: int, text: str, *, keyboard: Keyboard | InlineKeyboard | None = None
    ) -> None:
        """Send a text, with a menu or buttons under it if given; RecipientBlocked, RateLimited or
        DeliveryFailed."""
        ...

    def send_photos(self, chat_id: int, file_ids: Sequence[str]) -> None:
        """Send already-uploaded photos by id (an album when several); same errors as send_text."""
        ...

    def send_page(self, chat_id: int, page: ColoringPage, *, caption: str) -> None:
        """Send a finished page as a picture and a PDF, both or neither: the errors of send_text
        when nothing was delivered, PartiallyDelivered when the picture arrived and could not
        be taken back after the PDF failed."""
        ...

    def working(self, chat_id: int) -> AbstractContextManager[None]:
        """Show "drawing…" in the chat for as long as the block runs; never raises."""
        ...

    def answer_callback(self, callback_id: str, text: str = "") -> None:
        """Acknowledge a button press (with a short notice); never raises."""
        ...


class Pacer(Protocol):
    def pace(self) -> None:
        """Block until the next message of a bulk send may go out (the configured rate)."""
        ...


class JobQueue(Protocol):
    def enqueue(self, job_id: str) -> None:
        """Schedule a job to run soon; StorageUnavailable if the queue cannot take it."""
        ...

    def depth(self) -> int:
        """Jobs waiting or running."""
        ...


class JobNotifier(Protocol):
    """How a finished or failed job is told to people (implemented by the dialog)."""

    def working(self, job: Job) -> AbstractContextManager[None]:
        """Show the user that their page is being drawn while the block runs; never raises."""
        ...

    def page_ready(
        self, job: Job, page: ColoringPage, *, credits_left: int, user: User | None
    ) -> None:
        """Deliver the page to the user (`user`: as of the request, for the language);
        RecipientBlocked or DeliveryFailed if impossible, PartiallyDelivered if only in part."""
        ...

    def page_to_admins(self, job: Job, page: ColoringPage, user: User | None) -> None:
        """Send a copy to every admin; never raises (failures are logged)."""
        ...

    def backend_down(self, error: str) -> None:
        """Alert admins that the image backend refuses everyone; once until it works again."""
        ...

    def backend_up(self) -> None:
        """The backend produced a page again: a later outage is worth a new alert."""
        ...

    def page_failed(self, job: Job, *, reason: str, user: User | None) -> None:
        """Tell the user the page could not be made and the credit is back; never raises."""
        ...

    def page_without_pdf(self, job: Job, *, user: User | None) -> None:
        """Tell the user their page's PDF could not be sent but its picture prints; never raises."""
        ...
