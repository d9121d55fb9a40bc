"""Storage ports: users, the ledger, conversations, preferences, broadcasts, and the Storage that
holds them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from ..domain.broadcasts import Audience, Broadcast, BroadcastCounts, BroadcastId, Delivery
from ..domain.checkout import CheckoutOrder, OrderState
from ..domain.conversation import ConversationState
from ..domain.credits import Balance, Bucket, Hold, Transaction, TransactionKind
from ..domain.jobs import JobId
from ..domain.pages import PageOptions
from ..domain.payments import Payment
from ..domain.users import User, UserId
from .jobs import Jobs, PageOrders


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

    def find(self, username: str) -> User | None:
        """The user with this Telegram username (without "@", any letter case), or None."""
        ...

    def ids(self, *, after: UserId | None = None, limit: int = 1000) -> list[UserId]:
        """Registered user ids in order, those above `after`, at most `limit` (to walk them all)."""
        ...

    def registered_since(self, moment: datetime) -> int:
        """How many users registered at or after `moment`."""
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
        holds (`reserve:`, `capture:`, `release:`) and purchases (`pay:`: `purchase`) are not
        grants' (ValueError)."""
        ...

    def purchase(self, payment: Payment) -> bool:
        """Record the payment (`Payments.get` sees it) and grant its `pages` to the buyer's paid
        bucket from sales under `purchase_key(charge_id)`, together and exactly once per charge id
        (however many callers, processes, redeliveries): True when credited now, False when it
        was before (nothing changes). ValueError for pages <= 0."""
        ...

    def debit(
        self,
        *,
        user_id: UserId,
        amount: int,
        key: str,
        kind: TransactionKind,
        partial: bool = False,
    ) -> int | None:
        """Take `amount` (> 0, else ValueError) bought credits back (paid bucket -> sales) once per
        key, in one guarded write: how many were taken, or None when the key was applied before
        (nothing changes; the keys of holds, registrations and purchases are not debits':
        ValueError). Without `partial`, QuotaExceeded (nothing taken) when the paid bucket
        holds fewer; with it, takes what there is (0: nothing recorded). Never below zero."""
        ...

    def reserve(self, *, user_id: UserId, job_id: JobId, amount: int = 1) -> Hold:
        """Hold credits for a job, free bucket first, atomically; replaying returns the same hold;
        QuotaExceeded when neither bucket alone has `amount`."""
        ...

    def capture(self, *, job_id: JobId) -> bool:
        """Spend the job's held credits; False (no change) if already captured, released or absent."""
        ...

    def release(self, *, job_id: JobId) -> bool:
        """Return the job's held credits to their bucket; False (no change) if settled or absent."""
        ...

    def hold(self, job_id: JobId) -> Hold | None:
        """The hold of a job, in whatever state, or None."""
        ...

    def balance(self, user_id: UserId) -> Balance:
        """The user's wallet; all zero for a user without transactions."""
        ...

    def transactions(self, user_id: UserId | None = None) -> list[Transaction]:
        """Every transaction (of one user, if given), oldest first."""
        ...


class Conversations(Protocol):
    def expect(self, state: ConversationState) -> None:
        """Remember what the user is expected to send next and the step's payload (replaces any
        earlier expectation, payload included)."""
        ...

    def current(self, user_id: UserId) -> ConversationState | None:
        """What the user is expected to send next, with the payload stored with it, or None."""
        ...

    def clear(self, user_id: UserId) -> None:
        """Forget any expectation for the user (no-op when there is none)."""
        ...

    def sweep(self, before: datetime) -> int:
        """Forget every expectation last set before `before`; how many there were."""
        ...


class Preferences(Protocol):
    def get(self, user_id: UserId) -> PageOptions | None:
        """The user's chosen page options, or None when they never chose."""
        ...

    def set(self, user_id: UserId, options: PageOptions) -> None:
        """Remember the user's page options (replacing earlier ones)."""
        ...


class UpdateLog(Protocol):
    """Which incoming updates were handled, so one delivered again (after a restart, by a second
    webhook instance) is not handled twice; and which are being handled, so one given to two
    webhook instances at the same moment is handled by one of them (the first to claim it)."""

    def handled(self, update_id: int) -> bool:
        """Whether the update was recorded as handled (a claim alone is not)."""
        ...

    def claim(self, update_id: int, *, at: datetime, until: datetime) -> bool:
        """Take the update to handle it until `until`, in one guarded write: True when it is not
        recorded as handled and nobody else's claim runs past `at` (a claim that ran out, its
        holder dead mid-update, is taken over); False otherwise."""
        ...

    def record(self, update_id: int, *, at: datetime) -> bool:
        """Record the update as handled (its claim, if any, becomes the record); False (no
        change) when it already was."""
        ...

    def sweep(self, before: datetime) -> int:
        """Forget updates recorded or claimed before `before` (Telegram keeps them 24 hours);
        how many."""
        ...


class Payments(Protocol):
    """Payments received, one record per provider charge id."""

    def add(self, payment: Payment) -> bool:
        """Record a payment; False (no change) when its charge id is known (a redelivery)."""
        ...

    def get(self, charge_id: str) -> Payment | None:
        """The payment with this charge id, or None."""
        ...

    def of_user(self, user_id: UserId, *, limit: int = 10) -> list[Payment]:
        """The user's payments, newest first, at most `limit`."""
        ...

    def refunded(
        self, charge_id: str, *, at: datetime, pages: int, shortfall: int
    ) -> Payment | None:
        """Mark a paid payment refunded (pages taken back, shortfall) once, in one guarded write:
        the payment as it is afterwards (already refunded: unchanged), None if unknown."""
        ...

    def totals(self, *, since: datetime | None = None) -> dict[str, tuple[int, int]]:
        """Per currency: (amount received, amount refunded) of payments made since `since`."""
        ...


class CheckoutOrders(Protocol):
    """Orders paid on a provider's page (YooKassa), one per `order_id`; each moves NEW -> PENDING
    (payment created) -> one final state, every move one guarded write, so racing processes (a
    notification and the poller at once) move it once."""

    def add(self, order: CheckoutOrder) -> bool:
        """Store a new order; False and no change when its id is known."""
        ...

    def get(self, order_id: str) -> CheckoutOrder | None:
        """The order with this id, or None."""
        ...

    def by_payment(self, provider: str, payment_id: str) -> CheckoutOrder | None:
        """The order whose payment at `provider` has this id, or None."""
        ...

    def attach(
        self, order_id: str, *, payment_id: str, confirmation_url: str, at: datetime
    ) -> CheckoutOrder | None:
        """Give a NEW order its created payment (-> PENDING): the order afterwards. An order that
        has this payment already is returned unchanged; None when the order is unknown, final,
        or has another payment."""
        ...

    def settle(
        self, order_id: str, *, state: OrderState, at: datetime, reason: str = ""
    ) -> CheckoutOrder | None:
        """Move an open order (NEW or PENDING) to the final `state` once: the order afterwards
        when this call moved it; None when it is unknown or final already (unchanged).
        ValueError when `state` is not final."""
        ...

    def open_orders(self, *, provider: str, limit: int = 100) -> list[CheckoutOrder]:
        """Open orders (NEW or PENDING) of `provider`, oldest first, at most `limit`: what the
        poller asks the provider about."""
        ...

    def of_user(self, user_id: UserId, *, limit: int = 10) -> list[CheckoutOrder]:
        """The user's orders, newest first, at most `limit`."""
        ...


class Flags(Protocol):
    """Named on/off facts shared by every process of a deployment (e.g. "the image backend is
    down, admins were told"), so each is acted on once, not once per process."""

    def raise_flag(self, name: str, *, at: datetime) -> bool:
        """Set the flag; True only for the call that changed it (exactly one of several racers)."""
        ...

    def lower_flag(self, name: str) -> bool:
        """Clear the flag; True only for the call that changed it."""
        ...


class Broadcasts(Protocol):
    """Confirmed broadcasts, their recipients fixed at confirmation (read page by page) and what
    became of each delivery, recorded once."""

    def start(self, broadcast: Broadcast) -> Broadcast:
        """Store a confirmed broadcast (state running) with its recipients: the users matching its
        audience, neither blocked nor banned, as they are now. Returns it with `total` set, its
        `status_message_id` kept and no lease (whatever lease fields it carried: `claim` takes it).
        BroadcastRunning (nothing stored) while another is running; ValueError for a known id."""
        ...

    def get(self, broadcast_id: BroadcastId) -> Broadcast | None:
        """The broadcast with this id, or None."""
        ...

    def audience_size(self, audience: Audience) -> int:
        """How many recipients `start` would fix for this audience now (for the preview)."""
        ...

    def claim(
        self,
        broadcast_id: BroadcastId,
        owner: str,
        *,
        until: datetime,
        now: datetime,
        replacing: str | None = None,
    ) -> bool:
        """Hold the running broadcast's lease until `until`, in one guarded write: True when the
        lease was free, ran out by `now`, is already `owner`'s (a renewal) or is held by
        `replacing` (a process known to be dead); False, changing nothing, otherwise or when the
        broadcast is not running. Only the holder sends, so no step runs twice at once."""
        ...

    def release(self, broadcast_id: BroadcastId, owner: str) -> bool:
        """Drop the lease if `owner` holds it (guarded); False otherwise."""
        ...

    def current(self) -> Broadcast | None:
        """The running broadcast, or None."""
        ...

    def latest(self) -> Broadcast | None:
        """The broadcast started last, in whatever state, or None."""
        ...

    def pending(
        self, broadcast_id: BroadcastId, *, after: UserId | None = None, limit: int = 100
    ) -> list[UserId]:
        """Recipients not yet recorded, in id order, those above `after`, at most `limit`."""
        ...

    def record(
        self, broadcast_id: BroadcastId, user_id: UserId, outcome: Delivery, *, at: datetime
    ) -> bool:
        """Record one delivery's outcome once, in one guarded write: False (no change) when it was
        recorded before or the user is not a recipient. ValueError for PENDING."""
        ...

    def counts(self, broadcast_id: BroadcastId) -> BroadcastCounts:
        """How many recipients are sent, blocked, failed, pending (all zero for an unknown id)."""
        ...

    def cancel(self, broadcast_id: BroadcastId, *, at: datetime) -> bool:
        """Running -> cancelled, guarded; False (no change) when it is not running."""
        ...

    def finish(self, broadcast_id: BroadcastId, *, at: datetime) -> bool:
        """Running -> done, guarded; False (no change) when it is not running."""
        ...


class Storage(Protocol):
    """One deployment's storage: every storage port on one database, and its upkeep.

    `SqliteStore`, `MongoStore` and `InMemoryStore` satisfy it (entrypoints/conformance.py);
    the container picks one (PAINTBOT_STORAGE) and hands its ports to the use cases."""

    @property
    def users(self) -> Users: ...
    @property
    def ledger(self) -> Ledger: ...
    @property
    def jobs(self) -> Jobs: ...
    @property
    def orders(self) -> PageOrders: ...
    @property
    def conversations(self) -> Conversations: ...
    @property
    def preferences(self) -> Preferences: ...
    @property
    def updates(self) -> UpdateLog: ...
    @property
    def flags(self) -> Flags: ...
    @property
    def payments(self) -> Payments: ...
    @property
    def broadcasts(self) -> Broadcasts: ...
    @property
    def checkout_orders(self) -> CheckoutOrders: ...

    def ping(self) -> None:
        """Return if the database answers; StorageUnavailable if not."""
        ...

    def reconcile(self) -> int:
        """Complete credit movements a crash left half-done; how many there were."""
        ...

    def close(self) -> None:
        """Release the connection; later calls raise StorageUnavailable; closing twice is fine."""
        ...
