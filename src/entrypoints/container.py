"""The composition root: the dialog and the Telegram loop, on the use cases of
usecases_container.py and the adapters ports_container.py chooses from settings. Tests, the bench and the README build the
application from here and override what they replace (dependency-injector's `override`)."""

from __future__ import annotations

from dependency_injector import providers

from adapters.telegram import TelegramPolling, TelegramWebhook
from adapters.telegram.messenger import TEXT_LIMIT as TELEGRAM_TEXT_LIMIT
from paintcore.dialog import (
    Account,
    AdminTools,
    Broadcasting,
    CardPayments,
    Dialog,
    FileIdTool,
    HealthReplies,
    PageRequests,
    PageSettings,
    Shop,
    SupportReplies,
    UserAdmin,
)
from paintcore.usecases import (
    GrantCredits,
    JobsReport,
    SetBanned,
    UserReport,
)

from .checkout_container import Checkouts
from .checkout_wiring import notification_routes
from .health_probes import readiness
from .ports_container import Ports
from .usecases_container import UseCases

# Threads that run the dialog for Telegram updates: handlers only touch storage and send a reply
# (generation runs in the job queue), so a few threads keep every chat responsive.
DIALOG_WORKERS = 8
# Shorter than the stop timeout in telegram_modes, so a stop can wait for the last poll to return
# and confirm what was handled.
LONG_POLL_SECONDS = 10


def _card_payments(start: object, **parts: object) -> CardPayments | None:
    """The card payments group when YooKassa is on (its use cases exist), else None."""
    return None if start is None else CardPayments(start_checkout=start, **parts)  # type: ignore[arg-type]


class Container(Checkouts):
    """The whole application: `Ports.x` is the adapter for x, `UseCases.x` the use case."""

    # The dialog: one provider per handler group, and the router that sends each update to one
    # of them by the route table (paintcore/dialog/routes.py). A new group is a provider here
    # and an entry in `groups`.

    page_requests = providers.Singleton(
        PageRequests,
        request_page=UseCases.request_page,
        conversations=Ports.conversations,
        preferences=Ports.preferences,
        messenger=Ports.messenger,
        support=UseCases.support_contact,
        clock=Ports.clock,
        packs=Ports.settings.provided.packs,
    )
    page_settings = providers.Singleton(
        PageSettings, preferences=Ports.preferences, messenger=Ports.messenger
    )
    account = providers.Singleton(
        Account,
        register=UseCases.register_user,
        balance=UseCases.get_balance,
        conversations=Ports.conversations,
        messenger=Ports.messenger,
        users=Ports.users,
        welcome_photos=Ports.settings.provided.welcome_photos,
        packs=Ports.settings.provided.packs,
    )
    support_replies = providers.Singleton(
        SupportReplies, support=UseCases.support_contact, messenger=Ports.messenger
    )
    health_replies = providers.Singleton(
        HealthReplies,
        health=UseCases.health,
        balance=UseCases.get_balance,
        messenger=Ports.messenger,
        admin_ids=Ports.admin_ids,
    )
    admin_tools = providers.Singleton(AdminTools, messenger=Ports.messenger)
    broadcasting = providers.Singleton(
        Broadcasting,
        messenger=Ports.messenger,
        conversations=Ports.conversations,
        broadcasts=Ports.broadcasts,
        start_broadcast=UseCases.start_broadcast,
        cancel_broadcast=UseCases.cancel_broadcast,
        reports=UseCases.broadcast_reports,
        clock=Ports.clock,
        paid=Ports.settings.provided.broadcast_paid,
    )
    user_admin = providers.Singleton(
        UserAdmin,
        users=Ports.users,
        grant_credits=providers.Singleton(GrantCredits, users=Ports.users, ledger=Ports.ledger),
        set_banned=providers.Singleton(SetBanned, users=Ports.users),
        user_report=providers.Singleton(
            UserReport,
            users=Ports.users,
            ledger=Ports.ledger,
            jobs=Ports.jobs,
            payments=Ports.payments,
        ),
        stats=UseCases.stats,
        jobs_report=providers.Singleton(JobsReport, jobs=Ports.jobs),
        messenger=Ports.messenger,
        max_text_length=TELEGRAM_TEXT_LIMIT,
        admin_ids=Ports.admin_ids,
    )
    card_payments = providers.Singleton(
        _card_payments,
        Checkouts.start_checkout,
        settle=Checkouts.settle_checkout,
        orders=Ports.checkout_orders,
        messenger=Ports.messenger,
        users=Ports.users,
        admin_ids=Ports.admin_ids,
        fallback_language=Ports.settings.provided.language,
    )
    shop = providers.Singleton(
        Shop,
        card_payments=card_payments,
        packs=UseCases.packs,
        messenger=Ports.messenger,
        users=Ports.users,
        support=UseCases.support_contact,
        send_invoice=UseCases.send_invoice,
        check_pre_checkout=UseCases.check_pre_checkout,
        credit_payment=UseCases.credit_payment,
        refund_payment=UseCases.refund_payment,
        admin_ids=Ports.admin_ids,
        fallback_language=Ports.settings.provided.language,
        terms=Ports.settings.provided.shop_texts.call("terms"),
        paysupport=Ports.settings.provided.shop_texts.call("paysupport"),
    )
    dialog = providers.Singleton(
        Dialog,
        groups=providers.List(
            page_requests,
            page_settings,
            account,
            support_replies,
            health_replies,
            admin_tools,
            broadcasting,
            user_admin,
            shop,
        ),
        users=Ports.users,
        register=UseCases.register_user,
        conversations=Ports.conversations,
        messenger=Ports.messenger,
        clock=Ports.clock,
        admin_ids=Ports.admin_ids,
        fallback_language=Ports.settings.provided.language,
    )
    telegram_polling = providers.Singleton(
        TelegramPolling,
        bot=Ports.telegram_bot,
        on_message=dialog.provided.handle,
        on_callback=dialog.provided.handle_callback,
        on_payment=dialog.provided.handle_payment,
        apology=dialog.provided.apology,
        too_fast=dialog.provided.too_fast,
        updates=Ports.updates,  # handled once across restarts and instances
        clock=Ports.clock,
        workers=DIALOG_WORKERS,
        long_poll=LONG_POLL_SECONDS,
        metrics=Ports.metrics,
    )
    # `paintbot webhook`: the same dialog and dispatcher, fed by waitress instead of getUpdates;
    # /healthz answers with `webhook_ready`'s checks (storage, and Redis when REDIS_URL is set).
    webhook_ready = providers.Singleton(
        readiness, store=Ports.store, redis_url=Ports.settings.provided.redis_url
    )
    checkout_routes = providers.Singleton(
        notification_routes, Ports.settings, Checkouts.settle_checkout, card_payments
    )
    telegram_webhook = providers.Singleton(
        TelegramWebhook,
        routes=checkout_routes,  # YooKassa's notifications, when it is on
        bot=Ports.telegram_bot,
        url=Ports.settings.provided.webhook_url,
        secret=Ports.settings.provided.webhook_secret.get_secret_value.call(),
        listen=Ports.settings.provided.webhook_address,
        ready=webhook_ready,
        on_message=dialog.provided.handle,
        on_callback=dialog.provided.handle_callback,
        on_payment=dialog.provided.handle_payment,
        apology=dialog.provided.apology,
        too_fast=dialog.provided.too_fast,
        updates=Ports.updates,  # a redelivery, to this instance or another, is skipped
        clock=Ports.clock,
        workers=DIALOG_WORKERS,
        metrics=Ports.metrics,
    )
    file_id_tool = providers.Singleton(
        FileIdTool,
        messenger=Ports.telegram_messenger,
        fallback_language=Ports.settings.provided.language,
    )
    get_id_polling = providers.Singleton(
        TelegramPolling,
        bot=Ports.telegram_bot,
        on_message=file_id_tool.provided.handle,
        workers=2,
        long_poll=LONG_POLL_SECONDS,
    )
