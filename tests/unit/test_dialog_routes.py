"""The route table: one row per command, button, file and expectation; admin-only rows are, for
anyone else, exactly absent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from paintcore.dialog import (
    ROUTES,
    Account,
    AdminTools,
    IncomingCallback,
    IncomingMessage,
    PreCheckoutQuery,
    Press,
    Route,
    RouteTable,
    SuccessfulPayment,
    Texts,
    command_menu,
)
from paintcore.dialog.texts import CATALOGS
from paintcore.domain.conversation import ConversationState
from paintcore.domain.users import Profile, UserId
from support.world import ADMIN, World, build_world

RU = CATALOGS["ru"]
STRANGER, OTHER = 1, 2
Row = Route[Any] | Press[Any]
ADMIN_ONLY: list[Row] = [row for row in (*ROUTES.routes, *ROUTES.presses) if row.admin_only]


def _row_id(row: Row) -> str:
    return "-".join(map(str, row.key)) if isinstance(row, Route) else f"press-{row.prefix}"


def _send_what_reaches(row: Row, world: World, uid: int) -> None:
    """Send, as `uid`, the update that takes `row` (for anyone allowed to take it)."""
    world.update_id += 1
    profile = Profile(UserId(uid), first_name="Аня", language_code="ru")
    if isinstance(row, Press):
        data = f"{row.prefix}x"
        callback = IncomingCallback(world.update_id, uid, profile, "cb", data)
        world.dialog.handle_callback(callback)
    elif row.file is not None:
        message = IncomingMessage(world.update_id, uid, profile, row.file, None, file_id="F1")
        world.dialog.handle(message)
    elif row.awaiting is not None:
        world.conversations.expect(ConversationState(UserId(uid), row.awaiting, world.clock.now()))
        world.say(uid, "кот в шляпе")
    elif row.button is not None:
        world.say(uid, RU[row.button])
    else:
        world.say(uid, f"/{row.command} всем привет")


def _without(row: Row) -> World:
    world = build_world()
    table = RouteTable(
        routes=tuple(r for r in ROUTES.routes if r is not row),
        presses=tuple(p for p in ROUTES.presses if p is not row),
    )
    object.__setattr__(world, "dialog", replace(world.dialog, table=table))
    return world


def _everything(world: World) -> tuple[object, ...]:
    """What a user could see or the bot remembers (job ids are random: counted, not compared)."""
    users = (STRANGER, OTHER, ADMIN)
    return (
        world.messenger.sent,
        world.messenger.callback_answers,
        [world.users.get(UserId(uid)) for uid in users],
        [world.ledger.balance(UserId(uid)) for uid in users],
        dict(world.conversations.states),
        dict(world.preferences.by_user),
        world.queue.depth(),
    )


def _after(send: Callable[[World], None], world: World) -> tuple[object, ...]:
    for uid in (STRANGER, OTHER):
        world.say(uid, "/start")
    send(world)
    return _everything(world)


@pytest.mark.parametrize("row", ADMIN_ONLY, ids=_row_id)
def test_an_admin_only_row_is_for_anyone_else_as_if_it_were_not_there(row: Row) -> None:
    def stranger_sends(world: World) -> None:
        _send_what_reaches(row, world, STRANGER)

    assert _after(stranger_sends, build_world()) == _after(stranger_sends, _without(row))


@pytest.mark.parametrize("row", ADMIN_ONLY, ids=_row_id)
def test_an_admin_only_row_is_taken_by_an_admin(row: Row) -> None:
    # Otherwise the test above could pass by sending something that never reaches the row.
    def admin_sends(world: World) -> None:
        _send_what_reaches(row, world, ADMIN)

    assert _after(admin_sends, build_world()) != _after(admin_sends, _without(row))


@pytest.mark.parametrize(
    "row", [row for row in ADMIN_ONLY if isinstance(row, Route) and row.command], ids=_row_id
)
def test_an_admin_command_from_anyone_else_is_exactly_an_unknown_command(row: Row) -> None:
    def stranger_sends(world: World) -> None:
        _send_what_reaches(row, world, STRANGER)

    def unknown_command(world: World) -> None:
        world.say(STRANGER, "/nosuchcommand всем привет")

    world = build_world()
    assert _after(stranger_sends, world) == _after(unknown_command, build_world())
    assert world.last_text(STRANGER) == RU["unknown_command"]


def test_no_two_rows_share_a_command_button_file_or_expectation() -> None:
    keys = [route.key for route in ROUTES.routes]
    prefixes = [press.prefix for press in ROUTES.presses]

    assert len(keys) == len(set(keys))
    assert len(prefixes) == len(set(prefixes))
    assert not [(a, b) for a in prefixes for b in prefixes if a != b and b.startswith(a)]


def test_a_table_that_repeats_a_command_is_refused() -> None:
    help_route = Route(Account, Account.help, command="help")
    with pytest.raises(ValueError, match="same key"):
        RouteTable(routes=(help_route, Route(Account, Account.show_balance, command="help")))


def test_a_route_with_no_key_or_two_keys_is_refused() -> None:
    with pytest.raises(ValueError, match="exactly one key"):
        Route(Account, Account.help)
    with pytest.raises(ValueError, match="exactly one key"):
        Route(Account, Account.help, command="help", button="button_support")


def test_a_dialog_without_a_group_the_table_needs_is_refused(world: World) -> None:
    groups = [g for g in world.dialog.groups if not isinstance(g, AdminTools)]
    with pytest.raises(ValueError, match="missing \\['AdminTools'\\]"):
        replace(world.dialog, groups=groups)


def test_the_command_menu_lists_the_everyday_commands_in_order() -> None:
    menu = command_menu(Texts("en"))

    assert [command for command, _ in menu] == [
        "start",
        "draw",
        "settings",
        "balance",
        "help",
        "check",
        "cancel",
        "support",
        "buy",
        "paysupport",
        "terms",
    ]
    assert dict(menu)["draw"] == CATALOGS["en"]["cmd_draw"]


def test_payment_updates_go_to_the_shop_and_a_forged_payload_credits_nothing(
    world: World,
) -> None:
    # The shop's own tests (test_shop*.py) cover the rest; here: the router hands them over.
    payer = Profile(UserId(STRANGER))
    balances = [world.ledger.balance(UserId(uid)) for uid in (STRANGER, OTHER, ADMIN)]

    world.dialog.handle_payment(PreCheckoutQuery(1, "q1", payer, "XTR", 50, "pack:10"))
    world.dialog.handle_payment(
        SuccessfulPayment(2, STRANGER, payer, "XTR", 50, "pack:10", "tg-charge", "")
    )

    assert [query for query, error in world.gateway.answers if error] == ["q1"]
    assert [world.ledger.balance(UserId(uid)) for uid in (STRANGER, OTHER, ADMIN)] == balances
