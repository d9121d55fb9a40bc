"""A whole bot wired from the in-memory fakes, for unit tests of use cases and the dialog."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.memory import (
    CountingPacer,
    FakeImageGenerator,
    FakePageFinisher,
    FakePhotoTracer,
    InMemoryAttachments,
    InMemoryConversations,
    InMemoryJobQueue,
    InMemoryJobs,
    InMemoryLedger,
    InMemoryMessenger,
    InMemoryPreferences,
    InMemoryUsers,
    ManualClock,
)
from paintcore.dialog import Dialog, DialogNotifier, IncomingMessage, MessageKind
from paintcore.domain.users import Profile, UserId
from paintcore.orders import StepwiseOrders
from paintcore.usecases import (
    Broadcast,
    GetBalance,
    HealthCheck,
    RecoverJobs,
    RegisterUser,
    RequestColoringPage,
    RunGeneration,
    Support,
)
from paintcore.usecases.lease import Revocations

ADMIN = 900


@dataclass
class World:
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
        self.dialog.handle(IncomingMessage(self.update_id, user_id, profile, kind, text))

    def last_text(self, chat_id: int) -> str:
        return self.messenger.texts(chat_id)[-1]


def build_world(
    *,
    free_credits: int = 10,
    support: str = "@paint_support",
    admins: frozenset[int] = frozenset({ADMIN}),
) -> World:
    clock = ManualClock()
    users, ledger, jobs = InMemoryUsers(), InMemoryLedger(clock), InMemoryJobs()
    conversations, queue, messenger = (
        InMemoryConversations(),
        InMemoryJobQueue(),
        InMemoryMessenger(),
    )
    generator, finisher = FakeImageGenerator(), FakePageFinisher()
    pacer = CountingPacer()
    notifier = DialogNotifier(messenger, admin_ids=admins, fallback_language="ru")
    register = RegisterUser(users, ledger, clock, free_credits=free_credits)
    orders = StepwiseOrders(users, ledger, jobs)
    request_page = RequestColoringPage(orders, queue, clock)
    preferences, attachments = InMemoryPreferences(), InMemoryAttachments()
    tracer = FakePhotoTracer()
    revoked = Revocations()  # as the container shares it between workers and recovery
    run_generation = RunGeneration(
        orders,
        users,
        generator,
        finisher,
        notifier,
        clock,
        tracer=tracer,
        attachments=attachments,
        revoked=revoked,
    )
    queue.handler = lambda job_id: run_generation(job_id=job_id)
    recover = RecoverJobs(jobs, orders, queue, notifier, clock, revoked=revoked)
    dialog = Dialog(
        register=register,
        request_page=request_page,
        balance=GetBalance(ledger),
        health=HealthCheck(users, jobs, generator, queue),
        support=Support(support),
        broadcast=Broadcast(users, messenger, pacer),
        users=users,
        conversations=conversations,
        preferences=preferences,
        messenger=messenger,
        clock=clock,
        admin_ids=admins,
        fallback_language="ru",
    )
    return World(
        clock,
        users,
        ledger,
        jobs,
        conversations,
        queue,
        messenger,
        generator,
        finisher,
        preferences,
        attachments,
        tracer,
        register,
        request_page,
        run_generation,
        recover,
        dialog,
    )
