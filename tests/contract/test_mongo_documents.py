"""What MongoStore's documents look like: the rules the database itself enforces (indexes,
guards), exact times beside BSON dates, and documents written by an older version."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import mongomock
import pytest
from pymongo.errors import DuplicateKeyError

from adapters.memory import ManualClock
from adapters.mongo import MongoStore
from contract.jobs_contract import a_job, at
from contract.ledger_contract import give_free
from contract.users_contract import REGISTERED, a_user
from paintcore.domain.credits import Balance, Bucket, Hold, HoldState
from paintcore.domain.errors import JobInFlight, QuotaExceeded
from paintcore.domain.jobs import JobState
from paintcore.domain.pages import AgeLevel, PageOptions, Paper, Style
from paintcore.domain.users import UserId
from support.mongo_backends import Backend
from support.mongo_movements import (
    ANNA,
    backend_fixture,  # noqa: F401 (a fixture)
    store_fixture,  # noqa: F401 (a fixture)
)
from support.serialized_mongo import Serialized

# -- the rules are in the database ----------------------------------------------------------------


def index_keys(backend: Backend, collection: str) -> dict[str, tuple[list[tuple[str, int]], bool]]:
    info = backend.db.get_collection(collection).index_information()
    return {
        name: ([(k, int(d)) for k, d in index["key"]], bool(index.get("unique")))
        for name, index in info.items()
    }


def test_the_indexes_exist_once_the_store_is_built(backend: Backend, store: MongoStore) -> None:
    transactions = index_keys(backend, "transactions")
    jobs = index_keys(backend, "jobs")
    wallets = index_keys(backend, "wallets")

    assert transactions["unique_key"] == ([("key", 1)], True)
    assert transactions["log_by_user"] == (
        [("user_id", 1), ("created_at_us", 1), ("_id", 1)],
        False,
    )
    assert jobs["one_in_flight_per_user"] == ([("user_id", 1)], True)
    jobs_info = backend.db.get_collection("jobs").index_information()
    assert jobs_info["one_in_flight_per_user"]["partialFilterExpression"] == {"in_flight": True}
    assert jobs["holds_by_user"] == ([("hold.user_id", 1)], False)
    assert index_keys(backend, "conversations")["by_age"] == ([("updated_at_us", 1)], False)
    assert wallets["holds_by_job"] == ([("holds.job", 1)], False)
    assert "pending_movements" in wallets
    # Users, wallets, conversations and preferences are keyed by the user id itself.
    store.users.add(a_user(1))
    with pytest.raises(DuplicateKeyError):
        backend.db.get_collection("users").insert_one({"_id": 1})


def test_building_a_second_store_on_the_same_database_keeps_data_and_indexes(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    store.users.add(a_user(1))
    give_free(store.ledger, ANNA, 10)

    again = backend.store(clock)

    assert again.users.get(ANNA) == a_user(1)
    assert again.ledger.balance(ANNA) == Balance(free=10)
    assert index_keys(backend, "transactions")["unique_key"] == ([("key", 1)], True)


def test_the_database_refuses_a_second_job_in_flight_whoever_writes(
    backend: Backend, store: MongoStore
) -> None:
    store.jobs.add(a_job("j1"))
    store.jobs.finish("j1", state=JobState.FAILED, at=at(1))
    store.jobs.add(a_job("j2"))

    with pytest.raises(DuplicateKeyError):
        backend.db.get_collection("jobs").update_one({"_id": "j1"}, {"$set": {"in_flight": True}})

    with pytest.raises(JobInFlight):
        store.jobs.add(a_job("j3"))


def test_a_guarded_reserve_never_takes_a_bucket_below_zero(
    backend: Backend, store: MongoStore
) -> None:
    give_free(store.ledger, ANNA, 2)
    # Someone spends behind the ledger's back: the guard reads the document as it is now.
    backend.db.get_collection("wallets").update_one({"_id": ANNA}, {"$set": {"free": 0}})

    with pytest.raises(QuotaExceeded):
        store.ledger.reserve(user_id=ANNA, job_id="j1")

    assert store.ledger.balance(ANNA) == Balance()


# -- time -----------------------------------------------------------------------------------------


def test_times_are_bson_dates_beside_their_exact_microseconds(
    backend: Backend, store: MongoStore
) -> None:
    store.users.add(a_user(1))

    raw = backend.db.get_collection("users").find_one({"_id": 1})

    assert raw is not None
    stored = raw["registered_at"]
    assert stored.replace(tzinfo=UTC) == REGISTERED.replace(microsecond=123000)
    assert raw["registered_at_us"] == (REGISTERED - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(
        microseconds=1
    )


def test_times_read_back_aware_from_a_tz_aware_client_too(clock: ManualClock) -> None:
    store = MongoStore(Serialized(mongomock.MongoClient(tz_aware=True)), "paintbot_test", clock)
    store.users.add(a_user(1))

    user = store.users.get(ANNA)

    assert user is not None and user.registered_at == REGISTERED
    assert user.registered_at.tzinfo is UTC


def test_a_date_edited_by_hand_wins_over_its_stale_exact_field(
    backend: Backend, store: MongoStore
) -> None:
    store.users.add(a_user(1))
    edited = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    backend.db.get_collection("users").update_one({"_id": 1}, {"$set": {"registered_at": edited}})

    user = store.users.get(ANNA)

    assert user is not None and user.registered_at == edited


def test_naive_times_are_refused_rather_than_guessed(store: MongoStore) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.users.add(a_user(1, registered_at=datetime(2026, 3, 1, 12, 0)))
    assert store.users.count() == 0


# -- documents written by an older version --------------------------------------------------------


def test_old_documents_with_missing_fields_read_with_defaults(
    backend: Backend, store: MongoStore
) -> None:
    db = backend.db
    old_date = datetime(2025, 12, 1, 10, 0, 0, 123000)  # naive and millisecond-exact, like BSON
    db.get_collection("users").insert_one(
        {"_id": 7, "first_name": "Old", "registered_at": old_date}
    )
    db.get_collection("wallets").insert_one({"_id": 7, "free": 4})
    db.get_collection("transactions").insert_one(
        {
            "key": "register:7",
            "kind": "registration",
            "user_id": 7,
            "amount": 4,
            "source": "system:grants",
            "target": "user:7:free",
            "created_at": old_date,
        }
    )
    db.get_collection("jobs").insert_one(
        {"_id": "old-job", "user_id": 7, "state": "queued", "created_at": old_date}
    )
    db.get_collection("preferences").insert_one({"_id": 7, "style": "kawaii", "paper": "a5"})
    db.get_collection("conversations").insert_one({"_id": 7, "updated_at": old_date})
    old = UserId(7)
    aware = old_date.replace(tzinfo=UTC)

    user = store.users.get(old)
    assert user is not None
    assert (user.first_name, user.username, user.language) == ("Old", "", "")
    assert (user.registered_at, user.banned, user.blocked) == (aware, False, False)
    assert store.users.recipients() == [old]
    assert store.ledger.balance(old) == Balance(free=4)
    [logged] = store.ledger.transactions(old)
    assert (logged.key, logged.amount, logged.created_at) == ("register:7", 4, aware)
    job = store.jobs.get("old-job")
    assert job is not None
    assert (job.options, job.description, job.error, job.photo_file_id) == (
        PageOptions(),
        "",
        "",
        None,
    )
    assert (job.state, job.created_at, job.started_at) == (JobState.QUEUED, aware, None)
    assert store.preferences.get(old) == PageOptions(AgeLevel.KIDS, Style.KAWAII, Paper.A4)
    conversation = store.conversations.current(old)
    assert conversation is not None and conversation.updated_at == aware


def test_an_old_wallet_without_holds_or_pending_still_reserves_and_settles(
    backend: Backend, store: MongoStore
) -> None:
    backend.db.get_collection("wallets").insert_one({"_id": 1, "free": 2})

    hold = store.ledger.reserve(user_id=ANNA, job_id="j1")

    assert hold == Hold("j1", ANNA, Bucket.FREE, 1, HoldState.HELD)
    assert store.ledger.capture(job_id="j1") is True
    assert store.ledger.balance(ANNA) == Balance(free=1)
    assert store.reconcile() == 0
