"""MongoDB commands counted per collection call, and per flow of the core on a MongoStore.

Used by the round-trip tests (tests/contract/test_mongo_round_trips.py) and by `nox -s bench`
(bench/mongo_round_trips.py, which puts tests/ on the path): one count, pinned by the one and
printed by the other. On mongomock each collection call that would be one command is counted:
the same number as on a server, since the adapter sends one command per collection call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from dependency_injector import providers

from adapters.memory import (
    FakeImageGenerator,
    FakePageFinisher,
    InMemoryJobQueue,
    InMemoryMessenger,
    ManualClock,
)
from adapters.mongo import MongoStore
from entrypoints.container import Container
from entrypoints.settings import Settings
from paintcore.domain.credits import Balance, TransactionKind
from paintcore.domain.errors import GenerationFailed
from paintcore.domain.pages import PageOptions
from paintcore.domain.payments import Payment, refund_key
from paintcore.domain.users import Profile, UserId

# Collection methods that send exactly one command each (what the adapter uses).
ONE_COMMAND = {
    "aggregate",
    "count_documents",
    "delete_many",
    "delete_one",
    "find",
    "find_one",
    "find_one_and_update",
    "insert_one",
    "replace_one",
    "update_one",
}
FLOWS = (
    "registration (new user)",
    "/start again",
    "page request",
    "page completion (take, draw, deliver, settle)",
    "page request (paid credit)",
    "page completion (paid credit)",
    "page failed (take, refund)",
    "purchase credited (ledger.purchase)",
    "purchase delivered again",
    "refund, pages unspent (debit, mark)",
    "refund, pages partly spent (partial debit, mark)",
)


class CountingCollection:
    """A collection that notes each command it is asked to send (for mongomock)."""

    def __init__(self, collection: Any, sent: list[str]) -> None:
        self._collection = collection
        self._sent = sent

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._collection, name)
        if name not in ONE_COMMAND:
            return real

        def counted(*args: Any, **kwargs: Any) -> Any:
            self._sent.append(f"{self._collection.name}.{name}")
            return real(*args, **kwargs)

        return counted


class CountingClient:
    """A client (or database) whose collections count their commands."""

    def __init__(self, target: Any, sent: list[str]) -> None:
        self._target, self._sent = target, sent

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)

    def get_database(self, name: str) -> CountingClient:
        return CountingClient(self._target.get_database(name), self._sent)

    def get_collection(self, name: str) -> CountingCollection:
        return CountingCollection(self._target.get_collection(name), self._sent)


def count_flows(store: MongoStore, sent: list[str], users: int) -> dict[str, list[int]]:
    """Commands each flow of FLOWS sent (what `sent` gathered during it), per user, with the
    application as the container builds it on `store` (instant fakes for images and the chat)."""
    container = Container(settings=Settings(_env_file=None, PAINTBOT_STORAGE="memory"))
    messenger, generator, clock = InMemoryMessenger(), FakeImageGenerator(), ManualClock()
    for provider, fake in (
        (container.store, store),
        (container.clock, clock),
        (container.messenger, messenger),
        (container.queue, InMemoryJobQueue()),
        (container.generator, generator),
        (container.finisher, FakePageFinisher()),
    ):
        provider.override(providers.Object(fake))
    register, request, run = (
        container.register_user(),
        container.request_page(),
        container.run_generation(),
    )
    buyer = replace(register, free_credits=0)
    counts: dict[str, list[int]] = {flow: [] for flow in FLOWS}

    def purchase(payment: Payment) -> bool:
        """A payment recorded and its pages credited (what the shop does with each delivery)."""
        return store.ledger.purchase(payment)

    def refund(payment: Payment, partial: bool = True) -> None:
        """A refunded payment's pages taken back (what is left of them, when `partial`)."""
        taken = store.ledger.debit(
            user_id=payment.user_id,
            amount=payment.pages,
            key=refund_key(payment.charge_id),
            kind=TransactionKind.REFUND,
            partial=partial,
        )
        assert taken is not None
        shortfall = payment.pages - taken
        store.payments.refunded(payment.charge_id, at=clock.now(), pages=taken, shortfall=shortfall)

    def counted(flow: str, call: Callable[..., Any], **arguments: Any) -> Any:
        sent.clear()
        result = call(**arguments)
        counts[flow].append(len(sent))
        return result

    for i in range(1, users + 1):
        profile = Profile(UserId(i), "bench")
        counted("registration (new user)", register, profile=profile, language="ru")
        counted("/start again", register, profile=profile, language="ru")
        job = counted(
            "page request",
            request,
            user_id=profile.id,
            chat_id=i,
            description="кот в шляпе",
            options=PageOptions(),
        )
        counted("page completion (take, draw, deliver, settle)", run, job_id=job.id)
        job = request(user_id=profile.id, chat_id=i, description="дом", options=PageOptions())
        generator.failures.append(GenerationFailed("the backend failed"))
        counted("page failed (take, refund)", run, job_id=job.id)
        # A user who bought credits and has no free ones left: the other bucket, same count.
        paying = Profile(UserId(users + i), "bench")
        buyer(profile=paying, language="ru")
        bought = Payment(f"bench-{i}", "stars", paying.id, 5, 50, "XTR", clock.now())
        counted("purchase credited (ledger.purchase)", purchase, payment=bought)
        job = counted(
            "page request (paid credit)",
            request,
            user_id=paying.id,
            chat_id=users + i,
            description="кот в шляпе",
            options=PageOptions(),
        )
        counted("page completion (paid credit)", run, job_id=job.id)
        counted("purchase delivered again", purchase, payment=bought)
        second = replace(bought, charge_id=f"bench-second-{i}", pages=3)
        purchase(payment=second)
        counted("refund, pages unspent (debit, mark)", refund, payment=second, partial=False)
        # One of the first pack's pages was spent: a forced refund takes the four left.
        counted("refund, pages partly spent (partial debit, mark)", refund, payment=bought)
    assert sum(m.kind == "page" for m in messenger.sent) == 2 * users, "every page was delivered"
    for i in range(1, users + 1):
        balances = store.ledger.balance(UserId(i)), store.ledger.balance(UserId(users + i))
        assert balances == (Balance(free=9), Balance()), "one credit spent, one refunded"
        assert store.payments.totals() == {"XTR": (100 * users, 100 * users)}
    return counts
