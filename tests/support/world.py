"""A whole bot for unit tests of use cases and the dialog: the application as the container
builds it, on in-memory storage, with fakes for the image backend, the chat and the queue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from dependency_injector import providers

from adapters.memory import (
    CountingPacer,
    FakeImageGenerator,
    FakePageFinisher,
    FakePhotoTracer,
    InMemoryAttachments,
    InMemoryCheckoutGateway,
    InMemoryCheckoutOrders,
    InMemoryConversations,
    InMemoryJobQueue,
    InMemoryJobs,
    InMemoryLedger,
    InMemoryMessenger,
    InMemoryPaymentGateway,
    InMemoryPreferences,
    InMemoryStore,
    InMemoryUsers,
    ManualClock,
)
from entrypoints.container import Container
from entrypoints.settings import Settings
from paintcore.dialog import Dialog, IncomingMessage, MessageKind
from paintcore.domain.users import Profile, UserId
from paintcore.ports import Metrics
from paintcore.usecases import RecoverJobs, RegisterUser, RequestColoringPage, RunGeneration

ADMIN = 900


@dataclass
class World:
    container: Container
    clock: ManualClock
    users: InMemoryUsers
    ledger: InMemoryLedger
    jobs: InMemoryJobs
    conversations: InMemoryConversations
    queue: InMemoryJobQueue
    messenger: InMemoryMessenger
    generator: FakeImageGenerator
    finisher: FakePageFinisher
    preferences: InMemoryPreferences
    attachments: InMemoryAttachments
    tracer: FakePhotoTracer
    register: RegisterUser
    request_page: RequestColoringPage
    run_generation: RunGeneration
    recover: RecoverJobs
    dialog: Dialog
    gateway: InMemoryPaymentGateway
    checkout: InMemoryCheckoutGateway  # YooKassa (cards, SBP); `build_world(cards=False)`: off
    checkout_orders: InMemoryCheckoutOrders
    update_id: int = 0

    def say(
        self,
        user_id: int,
        text: str | None,
        *,
        kind: MessageKind = MessageKind.TEXT,
        language: str = "ru",
        first_name: str = "Аня",
    ) -> None:
        """`user_id` sends a message in their private chat."""
        self.update_id += 1
        profile = Profile(
            UserId(user_id), first_name=first_name, username=f"u{user_id}", language_code=language
        )
        self.dialog.handle(
            IncomingMessage(self.update_id, user_id, profile, kind, text, message_id=self.update_id)
        )

    def last_text(self, chat_id: int) -> str:
        return self.messenger.texts(chat_id)[-1]


def build_world(
    *,
    free_credits: int = 10,
    support: str = "@paint_support",
    admins: frozenset[int] = frozenset({ADMIN}),
    metrics: Metrics | None = None,  # counted by the use cases (RecordingMetrics, Prometheus)
    cards: bool = True,  # YooKassa on, with PAINTBOT_PACKS_RUB's default packs
) -> World:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        PAINTBOT_STORAGE="memory",
        ADMIN_IDS=",".join(map(str, sorted(admins))),
        PAINTBOT_FREE_GENERATIONS=free_credits,
        PAINTBOT_SUPPORT_CONTACT=support,
        PAINTBOT_LANGUAGE="ru",
    )
    container = Container(settings=settings)
    clock, messenger, queue = ManualClock(), InMemoryMessenger(), InMemoryJobQueue()
    generator, finisher, tracer = FakeImageGenerator(), FakePageFinisher(), FakePhotoTracer()
    attachments = InMemoryAttachments()
    gateway, checkout = InMemoryPaymentGateway(), InMemoryCheckoutGateway()
    for provider, fake in (
        (container.clock, clock),
        (container.messenger, messenger),
        (container.queue, queue),
        (container.generator, generator),
        (container.finisher, finisher),
        (container.tracer, tracer),
        (container.attachments, attachments),
        (container.payment_gateway, gateway),
        (container.checkout_gateway, checkout if cards else None),
        (container.pacer, CountingPacer()),
        (container.moderator, container.word_list()),  # never OpenAI's, whatever the env says
    ):
        provider.override(providers.Object(fake))
    container.sleep.override(providers.Object(clock.advance))  # waits move the manual clock
    if metrics is not None:
        container.metrics.override(providers.Object(metrics))
    queue.handlers.update(container.task_handlers())
    store = cast(InMemoryStore, container.store())
    return World(
        container,
        clock,
        cast(InMemoryUsers, store.users),
        cast(InMemoryLedger, store.ledger),
        cast(InMemoryJobs, store.jobs),
        cast(InMemoryConversations, store.conversations),
        queue,
        messenger,
        generator,
        finisher,
        cast(InMemoryPreferences, store.preferences),
        attachments,
        tracer,
        container.register_user(),
        container.request_page(),
        container.run_generation(),
        container.recover_jobs(),
        container.dialog(),
        gateway,
        checkout,
        cast(InMemoryCheckoutOrders, store.checkout_orders),
    )
