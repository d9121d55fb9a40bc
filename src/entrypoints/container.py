"""The composition root: the use cases, the dialog and the Telegram loop, wired on the adapters
that ports_container.py chooses from settings. Tests, the bench and the README build the
application from here and override what they replace (dependency-injector's `override`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from dependency_injector import providers

from adapters.pacing import IntervalPacer
from adapters.queue import InProcessJobQueue
from adapters.telegram import TelegramPolling
from adapters.telegram.messenger import TEXT_LIMIT as TELEGRAM_TEXT_LIMIT
from paintcore.dialog import (
    Account,
    AdminTools,
    Dialog,
    DialogNotifier,
    FileIdTool,
    HealthReplies,
    PageRequests,
    PageSettings,
    Shop,
    SupportReplies,
    UserAdmin,
)
from paintcore.domain.tasks import PAGE, page_handler
from paintcore.ports import PaymentGateway
from paintcore.usecases import (
    Broadcast,
    CheckPreCheckout,
    CreditPayment,
    GetBalance,
    GrantCredits,
    HealthCheck,
    JobsReport,
    MakePage,
    ReconcilePayments,
    RecoverJobs,
    RefundPayment,
    RegisterUser,
    RequestColoringPage,
    RunGeneration,
    SendInvoice,
    SetBanned,
    Stats,
    Support,
    UserReport,
    VerifyLedger,
)
from paintcore.usecases.lease import Revocations

from .ports_container import Ports
from .workers import this_worker, worker_gone

# Threads that run the dialog for Telegram updates: handlers only touch storage and send a reply
# (generation runs in the job queue), so a few threads keep every chat responsive.
DIALOG_WORKERS = 8
# Shorter than the stop timeout in telegram_modes, so a stop can wait for the last poll to return
# and confirm what was handled.
LONG_POLL_SECONDS = 10
T = TypeVar("T")


def _if_paying(kind: Callable[..., T], gateway: PaymentGateway | None, **ports: object) -> T | None:
    """A use case of the shop when there is a payment provider (Telegram), else None (the
    console: the shop then points at Telegram)."""
    return None if gateway is None else kind(gateway=gateway, **ports)


class Container(Ports):
    """Use cases are cheap frozen dataclasses, built once; `Ports.x` is the adapter for x."""

    notifier = providers.Singleton(
        DialogNotifier,
        messenger=Ports.messenger,
        admin_ids=Ports.admin_ids,
        fallback_language=Ports.settings.provided.language,
        flags=Ports.flags,
        clock=Ports.clock,
    )
    # A running job's lease lasts PAINTBOT_JOB_TIMEOUT and its worker renews it every quarter
    # of that while drawing; recovery takes a job only from a worker whose lease ran out or whose
    # process is known to be dead (entrypoints/workers.py).
    job_lease = providers.Callable(
        lambda s: timedelta(seconds=s), Ports.settings.provided.job_timeout
    )
    worker = providers.Callable(this_worker)
    revoked = providers.Singleton(Revocations)
    run_generation = providers.Singleton(
        RunGeneration,
        orders=Ports.orders,
        users=Ports.users,
        generator=Ports.generator,
        finisher=Ports.finisher,
        notifier=notifier,
        clock=Ports.clock,
        tracer=Ports.tracer,
        attachments=Ports.attachments,
        worker=worker,
        lease_for=job_lease,
        revoked=revoked,
    )
    # Background tasks by name -> the handler a worker runs them with.
    task_handlers = providers.Dict({PAGE: providers.Callable(page_handler, run_generation)})
    queue = providers.Singleton(
        InProcessJobQueue,
        handlers=task_handlers,
        workers=Ports.settings.provided.generation_concurrency,
    )
    register_user = providers.Singleton(
        RegisterUser,
        users=Ports.users,
        ledger=Ports.ledger,
        clock=Ports.clock,
        free_credits=Ports.settings.provided.free_generations,
    )
    request_page = providers.Singleton(
        RequestColoringPage,
        orders=Ports.orders,
        queue=queue,
        clock=Ports.clock,
        moderator=Ports.moderator,
    )
    make_page = providers.Singleton(
        MakePage, generator=Ports.generator, finisher=Ports.finisher, tracer=Ports.tracer
    )
    health = providers.Singleton(
        HealthCheck, users=Ports.users, jobs=Ports.jobs, generator=Ports.generator, queue=queue
    )
    recover_jobs = providers.Singleton(
        RecoverJobs,
        jobs=Ports.jobs,
        orders=Ports.orders,
        queue=queue,
        notifier=notifier,
        clock=Ports.clock,
        running_timeout=job_lease,
        owner=providers.Callable(lambda: f"recovery@{this_worker()}"),
        worker_gone=providers.Object(worker_gone),
        revoked=revoked,
    )
    # The dialog: one provider per handler group, and the router that sends each update to one
    # of them by the route table (paintcore/dialog/routes.py). A new group is a provider here
    # and an entry in `groups`.
    get_balance = providers.Singleton(GetBalance, ledger=Ports.ledger)
    pacer = providers.Singleton(IntervalPacer, rate=Ports.settings.provided.broadcast_rate)
    support_contact = providers.Singleton(Support, contact=Ports.settings.provided.support_contact)
    page_requests = providers.Singleton(
        PageRequests,
        request_page=request_page,
        conversations=Ports.conversations,
        preferences=Ports.preferences,
        messenger=Ports.messenger,
        support=support_contact,
        clock=Ports.clock,
        packs=Ports.settings.provided.packs,
    )
    page_settings = providers.Singleton(
        PageSettings, preferences=Ports.preferences, messenger=Ports.messenger
    )
    account = providers.Singleton(
        Account,
        register=register_user,
        balance=get_balance,
        conversations=Ports.conversations,
        messenger=Ports.messenger,
        users=Ports.users,
        welcome_photos=Ports.settings.provided.welcome_photos,
        packs=Ports.settings.provided.packs,
    )
    support_replies = providers.Singleton(
        SupportReplies, support=support_contact, messenger=Ports.messenger
    )
    health_replies = providers.Singleton(
        HealthReplies,
        health=health,
        balance=get_balance,
        messenger=Ports.messenger,
        admin_ids=Ports.admin_ids,
    )
    admin_tools = providers.Singleton(
        AdminTools,
        broadcast_to_all=providers.Singleton(
            Broadcast,
            users=Ports.users,
            messenger=Ports.messenger,
            pacer=pacer,
        ),
        messenger=Ports.messenger,
        # Telegram's limit for one text: the core knows no platform's.
        max_text_length=TELEGRAM_TEXT_LIMIT,
    )
    # Admin tools for users (/user, /grant, /ban, /unban, /stats, /jobs) and the operators'
    # `paintbot stats` and `paintbot ledger verify`.
    stats = providers.Singleton(
        Stats,
        users=Ports.users,
        jobs=Ports.jobs,
        payments=Ports.store.provided.payments,
        clock=Ports.clock,
    )
    verify_ledger = providers.Singleton(VerifyLedger, users=Ports.users, ledger=Ports.ledger)
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
            payments=Ports.store.provided.payments,
        ),
        stats=stats,
        jobs_report=providers.Singleton(JobsReport, jobs=Ports.jobs),
        messenger=Ports.messenger,
        max_text_length=TELEGRAM_TEXT_LIMIT,
        admin_ids=Ports.admin_ids,
    )
    # The shop: packs for Telegram Stars, the checkout, crediting once, /refund, reconciliation.
    packs = Ports.settings.provided.packs
    payments = Ports.store.provided.payments
    send_invoice = providers.Singleton(_if_paying, SendInvoice, Ports.payment_gateway, packs=packs)
    check_pre_checkout = providers.Singleton(
        _if_paying, CheckPreCheckout, Ports.payment_gateway, users=Ports.users, packs=packs
    )
    credit_payment = providers.Singleton(
        _if_paying,
        CreditPayment,
        Ports.payment_gateway,
        payments=payments,
        ledger=Ports.ledger,
        clock=Ports.clock,
        packs=packs,
    )
    refund_payment = providers.Singleton(
        _if_paying,
        RefundPayment,
        Ports.payment_gateway,
        payments=payments,
        ledger=Ports.ledger,
        clock=Ports.clock,
    )
    reconcile_payments = providers.Singleton(
        _if_paying,
        ReconcilePayments,
        Ports.payment_gateway,
        payments=payments,
        credit=credit_payment,
        clock=Ports.clock,
    )
    shop = providers.Singleton(
        Shop,
        packs=packs,
        messenger=Ports.messenger,
        users=Ports.users,
        support=support_contact,
        send_invoice=send_invoice,
        check_pre_checkout=check_pre_checkout,
        credit_payment=credit_payment,
        refund_payment=refund_payment,
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
            user_admin,
            shop,
        ),
        users=Ports.users,
        register=register_user,
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
        updates=Ports.store.provided.updates,  # handled once across restarts and instances
        clock=Ports.clock,
        workers=DIALOG_WORKERS,
        long_poll=LONG_POLL_SECONDS,
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
