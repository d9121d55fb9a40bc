"""CheckPreCheckout: may an invoice still be paid as issued? Answered at once (Telegram waits 10 s)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..domain.payments import Pack
from ..domain.users import UserId
from ..ports import PaymentGateway, Users
from .payment_rules import PaymentProblem, payment_problem

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CheckPreCheckout:
    gateway: PaymentGateway
    users: Users
    packs: tuple[Pack, ...]

    def __call__(
        self,
        *,
        query_id: str,
        payer: UserId,
        currency: str,
        total_amount: int,
        payload: str,
        wording: Callable[[PaymentProblem], str],
    ) -> PaymentProblem | None:
        """Accept (None) or refuse with the problem, worded for the payer by `wording`; nothing
        is stored either way (only the payment that follows is)."""
        _, problem = payment_problem(
            self.packs, payload=payload, payer=payer, currency=currency, total_amount=total_amount
        )
        if problem is None:
            user = self.users.get(payer)
            if user is None:
                problem = PaymentProblem.UNKNOWN_PAYER
            elif user.banned:
                problem = PaymentProblem.BANNED
        if problem is None:
            self.gateway.answer_pre_checkout(query_id)
        else:
            log.info("checkout refused", extra={"user_id": payer, "reason": problem.value})
            self.gateway.answer_pre_checkout(query_id, error=wording(problem))
        return problem
