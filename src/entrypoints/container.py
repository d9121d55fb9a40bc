"""The composition root: picks adapters from settings and wires the use cases and the dialog."""

from __future__ import annotations

import sys
from datetime import timedelta

from dependency_injector import containers, providers

from adapters.console import ConsoleMessenger
from adapters.mongo import connect as connect_mongo
from adapters.offline_images import OfflinePhotoTracer, OfflineSubjectGenerator
from adapters.openai_images import (
    OpenAIImageGenerator,
    OpenAIModerator,
    OpenAIPhotoTracer,
    make_client,
)
from adapters.pacing import IntervalPacer
from adapters.pages import ColoringPageFinisher
from adapters.queue import InProcessJobQueue
from adapters.sqlite import SqliteStore
from adapters.system_clock import SystemClock
from adapters.telegram import (
    TelegramCaller,
    TelegramFiles,
    TelegramMessenger,
    TelegramPolling,
    make_bot,
)
from paintcore.dialog import Dialog, DialogNotifier, FileIdTool
from paintcore.domain.moderation import KidSafetyWordList
from paintcore.moderation import ModerationChain
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

from .settings import Settings
from .workers import this_worker, worker_gone

# Threads that run the dialog for Telegram updates: handlers only touch storage and send a reply
# (generation runs in the job queue), so a few threads keep every chat responsive.
DIALOG_WORKERS = 8
# Shorter than the stop timeout in telegram_modes, so a stop can wait for the last poll to return
# and confirm what was handled.
LONG_POLL_SECONDS = 10
# Per request. The image client does not retry on its own: the adapter's 3 attempts (backoff,
# retry-after) share a 300 s budget that also caps each request's timeout, so one drawing ends
# within 300 s and a page (a drawing and at most one redraw) within about 10 minutes. A worker's
# job lease is renewed meanwhile, so PAINTBOT_JOB_TIMEOUT need not exceed that: it only says how
# long a worker that vanished keeps its page's credit held.
OPENAI_IMAGE_TIMEOUT = 120.0
OPENAI_MODERATION_TIMEOUT = 5.0


def _backend(settings: Settings) -> str:
    key = settings.openai_api_key.get_secret_value().strip() if settings.openai_api_key else ""
    return "openai" if key else "offline"


class Container(containers.DeclarativeContainer):
    """Adapters are singletons (one store, one pool); use cases are cheap frozen dataclasses."""

    settings: providers.Dependency[Settings] = providers.Dependency(instance_of=Settings)
    out = providers.Object(sys.stdout)
    prompt = providers.Object("")  # "you> " when a person types at a terminal

    clock = providers.Singleton(SystemClock)
    # How to reach MongoDB: `connect(uri, clock=...)`; tests override it with a mongomock one.
    mongo_connector = providers.Object(connect_mongo)
    # Storage: MongoDB when MONGODB_URI is set (connect() pings and fails fast), else SQLite.
    store = providers.Selector(
        providers.Callable(lambda s: "mongo" if s.mongodb_uri else "sqlite", settings),
        sqlite=providers.Singleton(SqliteStore, path=settings.provided.db_path, clock=clock),
        mongo=providers.Singleton(
            connect_mongo, uri=settings.provided.mongodb_uri.get_secret_value.call(), clock=clock
        ),
    )
    users = providers.Callable(lambda store: store.users, store)
    ledger = providers.Callable(lambda store: store.ledger, store)
    jobs = providers.Callable(lambda store: store.jobs, store)
    orders = providers.Callable(lambda store: store.orders, store)
    conversations = providers.Callable(lambda store: store.conversations, store)
    preferences = providers.Callable(lambda store: store.preferences, store)

    # The image backend: OpenAI when OPENAI_API_KEY is set, else the offline generator and tracer.
    backend = providers.Callable(_backend, settings)
    openai_client = providers.Singleton(
        make_client,
        api_key=settings.provided.openai_api_key.get_secret_value.call(),
        timeout=OPENAI_IMAGE_TIMEOUT,
        max_retries=0,
        base_url=settings.provided.openai_base_url,  # also from .env, which the SDK cannot see
    )
    # Moderation runs while the user waits for "Рисую…": short timeout, one SDK retry.
    openai_moderation_client = providers.Singleton(
        make_client,
        api_key=settings.provided.openai_api_key.get_secret_value.call(),
        timeout=OPENAI_MODERATION_TIMEOUT,
        max_retries=1,
        base_url=settings.provided.openai_base_url,
    )
    generator = providers.Selector(
        backend,
        openai=providers.Singleton(
            OpenAIImageGenerator, client=openai_client, model=settings.provided.image_model
        ),
        offline=providers.Singleton(OfflineSubjectGenerator),
    )
    tracer = providers.Selector(
        backend,
        openai=providers.Singleton(
            OpenAIPhotoTracer, client=openai_client, model=settings.provided.image_model
        ),
        offline=providers.Singleton(OfflinePhotoTracer),
    )
    word_list = providers.Singleton(KidSafetyWordList)
    moderator = providers.Selector(
        backend,
        openai=providers.Singleton(
            ModerationChain,
            moderators=providers.List(
                word_list, providers.Singleton(OpenAIModerator, client=openai_moderation_client)
            ),
        ),
        offline=word_list,
    )
    finisher = providers.Singleton(ColoringPageFinisher)
    # Which chat the bot talks through: "console" (stdin/stdout) or "telegram"; main() decides.
    channel = providers.Object("console")
    console_messenger = providers.Singleton(
        ConsoleMessenger, out=out, output_dir=settings.provided.output_dir, prompt=prompt
    )
    telegram_bot = providers.Singleton(
        make_bot,
        token=settings.provided.require_bot_token.call(),
        api_url=settings.provided.telegram_api_url,
    )
    telegram_caller = providers.Singleton(TelegramCaller)
    telegram_messenger = providers.Singleton(
        TelegramMessenger, bot=telegram_bot, caller=telegram_caller
    )
    messenger = providers.Selector(channel, console=console_messenger, telegram=telegram_messenger)
    attachments = providers.Selector(
        channel,
        console=providers.Object(None),  # a terminal sends no photos
        telegram=providers.Singleton(TelegramFiles, bot=telegram_bot, caller=telegram_caller),
    )

    admin_ids: providers.Callable[frozenset[int]] = providers.Callable(
        frozenset, settings.provided.admin_ids
    )
    notifier = providers.Singleton(
        DialogNotifier,
        messenger=messenger,
        admin_ids=admin_ids,
        fallback_language=settings.provided.language,
    )
    # A running job's lease lasts PAINTBOT_JOB_TIMEOUT and its worker renews it every quarter
    # of that while drawing; recovery takes a job only from a worker whose lease ran out or whose
    # process is known to be dead (entrypoints/workers.py).
    job_lease = providers.Callable(lambda s: timedelta(seconds=s), settings.provided.job_timeout)
    worker = providers.Callable(this_worker)
    revoked = providers.Singleton(Revocations)
    run_generation = providers.Singleton(
        RunGeneration,
        orders=orders,
        users=users,
        generator=generator,
        finisher=finisher,
        notifier=notifier,
        clock=clock,
        tracer=tracer,
        attachments=attachments,
        worker=worker,
        lease_for=job_lease,
        revoked=revoked,
    )
    queue = providers.Singleton(
        InProcessJobQueue, handler=run_generation, workers=settings.provided.generation_concurrency
    )
    register_user = providers.Singleton(
        RegisterUser,
        users=users,
        ledger=ledger,
        clock=clock,
        free_credits=settings.provided.free_generations,
    )
    request_page = providers.Singleton(
        RequestColoringPage,
        orders=orders,
        queue=queue,
        clock=clock,
        moderator=moderator,
    )
    make_page = providers.Singleton(MakePage, generator=generator, finisher=finisher, tracer=tracer)
    health = providers.Singleton(
        HealthCheck, users=users, jobs=jobs, generator=generator, queue=queue
    )
    recover_jobs = providers.Singleton(
        RecoverJobs,
        jobs=jobs,
        orders=orders,
        queue=queue,
        notifier=notifier,
        clock=clock,
        running_timeout=job_lease,
        owner=providers.Callable(lambda: f"recovery@{this_worker()}"),
        worker_gone=providers.Object(worker_gone),
        revoked=revoked,
    )
    dialog = providers.Singleton(
        Dialog,
        register=register_user,
        request_page=request_page,
        balance=providers.Singleton(GetBalance, ledger=ledger),
        health=health,
        support=providers.Singleton(Support, contact=settings.provided.support_contact),
        broadcast=providers.Singleton(
            Broadcast,
            users=users,
            messenger=messenger,
            pacer=providers.Singleton(IntervalPacer, rate=settings.provided.broadcast_rate),
        ),
        users=users,
        conversations=conversations,
        preferences=preferences,
        messenger=messenger,
        clock=clock,
        admin_ids=admin_ids,
        fallback_language=settings.provided.language,
        welcome_photos=settings.provided.welcome_photos,
    )
    telegram_polling = providers.Singleton(
        TelegramPolling,
        bot=telegram_bot,
        on_message=dialog.provided.handle,
        on_callback=dialog.provided.handle_callback,
        apology=dialog.provided.apology,
        workers=DIALOG_WORKERS,
        long_poll=LONG_POLL_SECONDS,
    )
    file_id_tool = providers.Singleton(
        FileIdTool, messenger=telegram_messenger, fallback_language=settings.provided.language
    )
    get_id_polling = providers.Singleton(
        TelegramPolling,
        bot=telegram_bot,
        on_message=file_id_tool.provided.handle,
        workers=2,
        long_poll=LONG_POLL_SECONDS,
    )
