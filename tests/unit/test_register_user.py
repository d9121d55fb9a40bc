"""RegisterUser: free credits exactly once, however many /start arrive and however they race."""

from __future__ import annotations

import threading

from adapters.memory import InMemoryLedger, InMemoryUsers, ManualClock
from paintcore.domain.credits import Balance, TransactionKind
from paintcore.domain.users import Profile, UserId
from paintcore.usecases import RegisterUser
from support.world import World

ANNA = Profile(UserId(1), first_name="Аня", username="anya", language_code="ru")


def test_new_user_gets_the_free_credits(world: World) -> None:
    registration = world.register(profile=ANNA, language="ru")

    assert registration.is_new
    assert registration.user.first_name == "Аня"
    assert world.ledger.balance(ANNA.id) == Balance(free=10)
    [grant] = world.ledger.transactions(ANNA.id)
    assert grant.kind is TransactionKind.REGISTRATION and grant.key == "register:1"


def test_second_start_does_not_grant_credits_again(world: World) -> None:
    world.register(profile=ANNA, language="ru")
    again = world.register(profile=ANNA, language="en")

    assert not again.is_new
    assert again.user.language == "ru"  # the first registration is kept
    assert world.ledger.balance(ANNA.id) == Balance(free=10)


def test_free_credit_count_is_a_setting() -> None:
    clock = ManualClock()
    ledger = InMemoryLedger(clock)
    RegisterUser(InMemoryUsers(), ledger, clock, free_credits=3)(profile=ANNA, language="ru")
    assert ledger.balance(ANNA.id).free == 3


def test_zero_free_credits_registers_without_a_grant() -> None:
    clock = ManualClock()
    ledger, users = InMemoryLedger(clock), InMemoryUsers()
    RegisterUser(users, ledger, clock, free_credits=0)(profile=ANNA, language="ru")
    assert users.get(ANNA.id) is not None
    assert ledger.transactions() == []


def test_simultaneous_starts_register_once_and_grant_once(world: World) -> None:
    barrier = threading.Barrier(16)
    results = []

    def start() -> None:
        barrier.wait()
        results.append(world.register(profile=ANNA, language="ru").is_new)

    threads = [threading.Thread(target=start) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert results.count(True) == 1
    assert world.ledger.balance(ANNA.id) == Balance(free=10)
    assert len(world.ledger.transactions(ANNA.id)) == 1


def test_grant_lost_to_a_crash_is_completed_by_the_next_start(world: World) -> None:
    # The user was stored but the process died before the grant: the next /start heals it.
    RegisterUser(world.users, world.ledger, world.clock, free_credits=0)(
        profile=ANNA, language="ru"
    )
    assert world.ledger.balance(ANNA.id) == Balance()

    world.register(profile=ANNA, language="ru")
    assert world.ledger.balance(ANNA.id) == Balance(free=10)
