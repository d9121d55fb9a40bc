"""VerifyLedger: recompute every wallet from its transactions and compare with the stored one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain

from ..domain.credits import Balance, Bucket, Transaction, user_account
from ..domain.users import UserId
from ..ports import Ledger, Users


@dataclass(frozen=True, slots=True)
class WalletDifference:
    """A user whose stored wallet is not what their transactions add up to."""

    user_id: UserId
    stored: Balance
    recomputed: Balance


@dataclass(frozen=True, slots=True)
class LedgerCheck:
    users_checked: int
    differences: tuple[WalletDifference, ...]
    # Stored wallets plus the system accounts (grants, sales, spent: derived from every
    # transaction); anything but zero means credits appeared or vanished outside the ledger.
    total: int

    @property
    def ok(self) -> bool:
        return not self.differences and self.total == 0


@dataclass(frozen=True, slots=True)
class VerifyLedger:
    """Read-only. Walks every registered user page by page (`Users.ids`), and also any user who
    has transactions but no record. Run it on a quiet store: a movement made while it reads may
    show as a difference that is not there a moment later."""

    users: Users
    ledger: Ledger

    def __call__(self, *, page: int = 500) -> LedgerCheck:
        every = self.ledger.transactions()
        movers = {tx.user_id for tx in every}
        differences: list[WalletDifference] = []
        checked, stored_total = 0, 0
        seen: set[UserId] = set()
        for user_id in chain(self._registered(page), sorted(movers)):
            if user_id in seen:
                continue
            seen.add(user_id)
            checked += 1
            stored = self.ledger.balance(user_id)
            stored_total += stored.free + stored.paid + stored.held
            recomputed = wallet_from(user_id, self.ledger.transactions(user_id))
            if recomputed != stored:
                differences.append(WalletDifference(user_id, stored, recomputed))
        system = sum(_sums(every, prefix="system:").values())
        return LedgerCheck(checked, tuple(differences), stored_total + system)

    def _registered(self, page: int) -> Iterator[UserId]:
        after: UserId | None = None
        while batch := self.users.ids(after=after, limit=page):
            yield from batch
            after = batch[-1]


def wallet_from(user_id: UserId, transactions: Iterable[Transaction]) -> Balance:
    """The wallet these movements leave: each takes its amount from `source`, adds it to `target`."""
    sums = _sums(transactions, prefix=f"user:{user_id}:")
    return Balance(
        *(sums[user_account(user_id, b)] for b in (Bucket.FREE, Bucket.PAID, Bucket.HELD))
    )


def _sums(transactions: Iterable[Transaction], *, prefix: str) -> Counter[str]:
    sums: Counter[str] = Counter()
    for tx in transactions:
        if tx.source.startswith(prefix):
            sums[tx.source] -= tx.amount
        if tx.target.startswith(prefix):
            sums[tx.target] += tx.amount
    return sums
