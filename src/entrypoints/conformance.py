"""Static proof that every adapter fits its port: mypy checks these, nothing calls them.

The container wires adapters through dependency-injector, which mypy cannot see through, so
without this module an adapter could drift from its Protocol unnoticed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adapters import memory
    from adapters.console import ConsoleMessenger
    from adapters.metrics import PrometheusMetrics
    from adapters.mongo import (
        MongoCheckoutOrders,
        MongoConversations,
        MongoJobs,
        MongoLedger,
        MongoOrders,
        MongoPayments,
        MongoPreferences,
        MongoStore,
        MongoUsers,
    )
    from adapters.offline_images import (
        OfflinePatternGenerator,
        OfflinePhotoTracer,
        OfflineSubjectGenerator,
    )
    from adapters.openai_images import OpenAIImageGenerator, OpenAIModerator, OpenAIPhotoTracer
    from adapters.pages import ColoringPageFinisher
    from adapters.queue import InProcessJobQueue
    from adapters.rq_queue import RedisPeriodLock, RqTaskQueue
    from adapters.sqlite import SqliteStore
    from adapters.sqlite.checkout_orders import SqliteCheckoutOrders
    from adapters.sqlite.conversations import SqliteConversations
    from adapters.sqlite.jobs import SqliteJobs
    from adapters.sqlite.ledger import SqliteLedger
    from adapters.sqlite.payments import SqlitePayments
    from adapters.sqlite.preferences import SqlitePreferences
    from adapters.sqlite.users import SqliteUsers
    from adapters.system_clock import SystemClock
    from adapters.telegram import TelegramFiles, TelegramMessenger, TelegramStars
    from paintcore.dialog import DialogNotifier
    from paintcore.domain.moderation import KidSafetyWordList
    from paintcore.metrics import NoMetrics
    from paintcore.moderation import ModerationChain
    from paintcore.orders import StepwiseOrders
    from paintcore.pacing import TokenBucket
    from paintcore.ports import (
        Attachments,
        CheckoutOrders,
        Clock,
        Conversations,
        ImageGenerator,
        JobNotifier,
        Jobs,
        Ledger,
        Messenger,
        Metrics,
        Moderator,
        Pacer,
        PageFinisher,
        PageOrders,
        Payments,
        PhotoTracer,
        Preferences,
        Storage,
        TaskQueue,
        Users,
    )
    from paintcore.ports.payments import PaymentGateway

    from .lifecycle import WorkerPool
    from .periodic import EveryProcess, PeriodLock

    def clocks(a: SystemClock, b: memory.ManualClock) -> tuple[Clock, Clock]:
        return a, b

    def storage(
        users: tuple[SqliteUsers, MongoUsers, memory.InMemoryUsers],
        ledgers: tuple[SqliteLedger, MongoLedger, memory.InMemoryLedger],
        jobs: tuple[SqliteJobs, MongoJobs, memory.InMemoryJobs],
        talks: tuple[SqliteConversations, MongoConversations, memory.InMemoryConversations],
        prefs: tuple[SqlitePreferences, MongoPreferences, memory.InMemoryPreferences],
        pays: tuple[SqlitePayments, MongoPayments, memory.InMemoryPayments],
        checkouts: tuple[SqliteCheckoutOrders, MongoCheckoutOrders, memory.InMemoryCheckoutOrders],
    ) -> tuple[
        tuple[Users, Users, Users],
        tuple[Ledger, Ledger, Ledger],
        tuple[Jobs, Jobs, Jobs],
        tuple[Conversations, Conversations, Conversations],
        tuple[Preferences, Preferences, Preferences],
        tuple[Payments, Payments, Payments],
        tuple[CheckoutOrders, CheckoutOrders, CheckoutOrders],
    ]:
        return users, ledgers, jobs, talks, prefs, pays, checkouts

    def stores(
        a: SqliteStore, b: MongoStore, c: memory.InMemoryStore
    ) -> tuple[Storage, Storage, Storage]:
        return a, b, c

    def orders(books: tuple[MongoOrders, StepwiseOrders]) -> tuple[PageOrders, PageOrders]:
        return books

    def images(
        generators: tuple[
            OpenAIImageGenerator,
            OfflineSubjectGenerator,
            OfflinePatternGenerator,
            memory.FakeImageGenerator,
        ],
        tracers: tuple[OpenAIPhotoTracer, OfflinePhotoTracer, memory.FakePhotoTracer],
        finishers: tuple[ColoringPageFinisher, memory.FakePageFinisher],
    ) -> tuple[
        tuple[ImageGenerator, ImageGenerator, ImageGenerator, ImageGenerator],
        tuple[PhotoTracer, PhotoTracer, PhotoTracer],
        tuple[PageFinisher, PageFinisher],
    ]:
        return generators, tracers, finishers

    def moderators(
        a: KidSafetyWordList, b: OpenAIModerator, c: ModerationChain
    ) -> tuple[Moderator, Moderator, Moderator]:
        return a, b, c

    def messaging(
        messengers: tuple[TelegramMessenger, ConsoleMessenger, memory.InMemoryMessenger],
        files: tuple[TelegramFiles, memory.InMemoryAttachments],
        notifier: DialogNotifier,
    ) -> tuple[
        tuple[Messenger, Messenger, Messenger], tuple[Attachments, Attachments], JobNotifier
    ]:
        return messengers, files, notifier

    def work(
        queues: tuple[InProcessJobQueue, memory.InMemoryJobQueue],
        pool: InProcessJobQueue,
        pacers: tuple[TokenBucket, memory.CountingPacer],
    ) -> tuple[tuple[TaskQueue, TaskQueue], WorkerPool, tuple[Pacer, Pacer]]:
        return queues, pool, pacers

    def payments(
        gateways: tuple[TelegramStars, memory.InMemoryPaymentGateway],
    ) -> tuple[PaymentGateway, PaymentGateway]:
        return gateways

    def metrics(
        a: PrometheusMetrics, b: memory.RecordingMetrics, c: NoMetrics
    ) -> tuple[Metrics, Metrics, Metrics]:
        return a, b, c

    def rq(
        queue: RqTaskQueue, locks: tuple[RedisPeriodLock, EveryProcess]
    ) -> tuple[TaskQueue, WorkerPool, tuple[PeriodLock, PeriodLock]]:
        return queue, queue, locks
