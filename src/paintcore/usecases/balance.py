"""GetBalance: what a user may still spend."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.credits import Balance
from ..domain.users import UserId
from ..ports import Ledger


@dataclass(frozen=True, slots=True)
class GetBalance:
    ledger: Ledger

    def __call__(self, *, user_id: UserId) -> Balance:
        return self.ledger.balance(user_id)
