"""The composition root: the use cases, the dialog and the Telegram loop, wired on the adapters
that ports_container.py chooses from settings. Tests, the bench and the README build the
application from here and override what they replace (dependency-injector's `override`)."""

from __future__ import annotations

from datetime import timedelta

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
    SupportReplies,
)
from paintcore.domain.tasks import PAGE, page_handler
from paintcore.usecases import (
    Broadcast,
    GetBalance,
    HealthCheck,
    MakePage,
    RecoverJobs,
    RegisterUser,
    RequestColoringPage,
    RunGeneration,
    Support,
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
    dialog = providers.Singleton(
        Dialog,
        groups=providers.List(
            page_requests, page_settings, account, support_replies, health_replies, admin_tools
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
