"""Which adapter serves each port, chosen from settings: the first half of the composition root
(container.py wires the use cases, the dialog and the Telegram loop on top of it)."""

from __future__ import annotations

import sys
import time

from dependency_injector import containers, providers

from adapters.console import ConsoleMessenger
from adapters.memory import InMemoryStore
from adapters.metrics import PrometheusMetrics
from adapters.mongo import connect as connect_mongo
from adapters.offline_images import OfflinePhotoTracer, OfflineSubjectGenerator
from adapters.openai_images import (
    OpenAIImageGenerator,
    OpenAIModerator,
    OpenAIPhotoTracer,
    make_client,
)
from adapters.pages import ColoringPageFinisher
from adapters.rq_queue import connect_redis
from adapters.sqlite import SqliteStore
from adapters.system_clock import SystemClock
from adapters.telegram import (
    TelegramCaller,
    TelegramFiles,
    TelegramMessenger,
    TelegramStars,
    make_bot,
)
from adapters.yookassa import YooKassaGateway
from paintcore.domain.moderation import KidSafetyWordList
from paintcore.metrics import NO_METRICS
from paintcore.moderation import ModerationChain
from paintcore.pacing import TokenBucket
from paintcore.ports import Metrics, Storage

from .settings import Settings

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


class Ports(containers.DeclarativeContainer):
    """Adapters are singletons (one store, one client); tests override any of them."""

    settings: providers.Dependency[Settings] = providers.Dependency(instance_of=Settings)
    out = providers.Callable(lambda: sys.stdout)  # as it is when the console is built
    prompt = providers.Object("")  # "you> " when a person types at a terminal

    clock = providers.Singleton(SystemClock)
    # How to reach MongoDB: `connect(uri, clock=...)`; tests override it with a mongomock one.
    mongo_connector = providers.Object(connect_mongo)
    # Storage (PAINTBOT_STORAGE; by default MongoDB when MONGODB_URI is set, else SQLite). Every
    # store satisfies the Storage port; connect() pings MongoDB and fails fast.
    store: providers.Provider[Storage] = providers.Selector(
        settings.provided.storage_kind,
        memory=providers.Singleton(InMemoryStore, clock=clock),
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
    updates = providers.Callable(lambda store: store.updates, store)
    flags = providers.Callable(lambda store: store.flags, store)
    payments = providers.Callable(lambda store: store.payments, store)
    broadcasts = providers.Callable(lambda store: store.broadcasts, store)
    checkout_orders = providers.Callable(lambda store: store.checkout_orders, store)

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
    # Which chat the bot talks through: Telegram when BOT_TOKEN is set (the bot, and any process
    # that delivers its pages), else the terminal; `paintbot console` overrides it to "console".
    channel = providers.Callable(
        lambda s: "telegram" if s.bot_token is not None else "console", settings
    )
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
    payment_gateway = providers.Selector(
        channel,
        telegram=providers.Singleton(TelegramStars, bot=telegram_bot, caller=telegram_caller),
        console=providers.Object(None),  # a terminal cannot pay
    )
    # Cards and SBP (YooKassa) when YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY are set, else None.
    checkout_gateway = providers.Selector(
        providers.Callable(lambda s: "yookassa" if s.yookassa_enabled else "off", settings),
        yookassa=providers.Singleton(
            YooKassaGateway,
            shop_id=settings.provided.yookassa_shop_id,
            secret_key=settings.provided.yookassa_secret_key.get_secret_value.call(),
            api_url=settings.provided.yookassa_api_url,
        ),
        off=providers.Object(None),
    )

    # Waiting real time (the pacer, a 429's retry_after, backoff); tests move a ManualClock.
    sleep = providers.Object(time.sleep)
    # PAINTBOT_BROADCAST_RATE: no one-second window holds more broadcast messages than that.
    pacer = providers.Singleton(
        TokenBucket, settings.provided.broadcast_rate, clock=clock, sleep=sleep
    )
    admin_ids: providers.Callable[frozenset[int]] = providers.Callable(
        frozenset, settings.provided.admin_ids
    )
    # The task queue's engine: "rq" (RQ on Redis: every process enqueues there, `paintbot worker`
    # runs the tasks) when REDIS_URL is set, else "in_process" (this process's worker pool);
    # `paintbot console` overrides it to "in_process" (its pages go to its own terminal).
    queue_kind = providers.Callable(
        lambda s: "rq" if s.redis_url is not None else "in_process", settings
    )
    # One client per process for enqueueing and the periodic lock; connect_redis pings it (a
    # start-up with Redis down stops with one message and exit 2: cli.py asks for it first).
    redis = providers.Singleton(connect_redis, settings.provided.redis_url.get_secret_value.call())
    # Metrics: Prometheus counters when PAINTBOT_METRICS_LISTEN is set (entrypoints/metrics.py
    # serves them), else none kept.
    metrics: providers.Provider[Metrics] = providers.Selector(
        providers.Callable(lambda s: "on" if s.metrics_listen else "off", settings),
        on=providers.Singleton(PrometheusMetrics),
        off=providers.Object(NO_METRICS),
    )
