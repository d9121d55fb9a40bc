"""The use cases, wired on the adapters `Ports` chooses: the middle of the composition root
(container.py adds the dialog and the Telegram loop on top)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from dependency_injector import providers

from adapters.queue import InProcessJobQueue
from adapters.rq_queue import RedisPeriodLock, RqTaskQueue, RqWorker, connect_redis
from paintcore.dialog import BroadcastReports, DialogNotifier
from paintcore.domain.broadcasts import senders_for
from paintcore.domain.tasks import BROADCAST, PAGE, page_handler
from paintcore.ports import PaymentGateway
from paintcore.usecases import (
    CancelBroadcast,
    CheckPreCheckout,
    CreditPayment,
    GetBalance,
    HealthCheck,
    MakePage,
    ReconcilePayments,
    RecoverJobs,
    RefundPayment,
    RegisterUser,
    RequestColoringPage,
    ResumeBroadcast,
    RunBroadcast,
    RunGeneration,
    SendInvoice,
    StartBroadcast,
    Stats,
    Support,
    VerifyLedger,
)
from paintcore.usecases.broadcast_lease import BroadcastStops
from paintcore.usecases.lease import Revocations
from paintcore.usecases.run_broadcast import broadcast_handler

from .periodic import EveryProcess
from .ports_container import Ports
from .rq_jobs import RUN_TASK
from .workers import this_worker, worker_gone

T = TypeVar("T")


def _if_paying(kind: Callable[..., T], gateway: PaymentGateway | None, **ports: object) -> T | None:
    """A use case of the shop when there is a payment provider (Telegram), else None (the
    console: the shop then points at Telegram)."""
    return None if gateway is None else kind(gateway=gateway, **ports)


class UseCases(Ports):
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
        metrics=Ports.metrics,
    )
    # Broadcasts: one step (a page of recipients) per task, at PAINTBOT_BROADCAST_RATE, holding
    # the broadcast's lease; the admin's status message is edited as it goes.
    broadcast_reports = providers.Singleton(
        BroadcastReports,
        messenger=Ports.messenger,
        users=Ports.users,
        clock=Ports.clock,
        fallback_language=Ports.settings.provided.language,
    )
    # This process's cancels, seen by its own steps before every send.
    broadcast_stops = providers.Singleton(BroadcastStops)
    run_broadcast = providers.Singleton(
        RunBroadcast,
        broadcasts=Ports.broadcasts,
        users=Ports.users,
        copier=Ports.messenger,
        pacer=Ports.pacer,
        clock=Ports.clock,
        sleep=Ports.sleep,
        notifier=broadcast_reports,
        worker=worker,
        worker_gone=providers.Object(worker_gone),
        stops=broadcast_stops,
        senders=providers.Callable(senders_for, Ports.settings.provided.broadcast_rate),
        metrics=Ports.metrics,
    )
    # Background tasks by name -> the handler a worker runs them with.
    task_handlers = providers.Dict(
        {
            PAGE: providers.Callable(page_handler, run_generation),
            BROADCAST: providers.Callable(broadcast_handler, run_broadcast),
        }
    )
    # Without REDIS_URL, this process's worker pool runs them; with it, they are RQ jobs on Redis
    # (the task id is the job id) that `paintbot worker` processes run (rq_jobs.run_task).
    queue = providers.Selector(
        Ports.queue_kind,
        in_process=providers.Singleton(
            InProcessJobQueue,
            handlers=task_handlers,
            workers=Ports.settings.provided.generation_concurrency,
        ),
        rq=providers.Singleton(
            RqTaskQueue,
            Ports.redis,
            function=RUN_TASK,
            worker_gone=providers.Object(worker_gone),  # RQ workers are named this_worker()
        ),
    )
    # `paintbot worker`: RQ's SimpleWorker on that queue, with a connection of its own (RQ
    # lengthens its socket timeout for the blocking wait for work).
    rq_worker = providers.Factory(
        RqWorker,
        providers.Factory(connect_redis, Ports.settings.provided.redis_url.get_secret_value.call()),
        name=worker,  # this_worker(): its jobs' and its scheduler lock's holder, as leases are
        worker_gone=providers.Object(worker_gone),
    )
    # Which process takes a periodic task's turn (recovery.py): one per period with Redis.
    period_lock = providers.Selector(
        Ports.queue_kind,
        in_process=providers.Singleton(EveryProcess),
        rq=providers.Singleton(RedisPeriodLock, Ports.redis, owner=worker),
    )
    start_broadcast = providers.Singleton(
        StartBroadcast,
        broadcasts=Ports.broadcasts,
        queue=queue,
        clock=Ports.clock,
        paid=Ports.settings.provided.broadcast_paid,
    )
    cancel_broadcast = providers.Singleton(
        CancelBroadcast,
        broadcasts=Ports.broadcasts,
        clock=Ports.clock,
        notifier=broadcast_reports,
        stops=broadcast_stops,
        sleep=Ports.sleep,
    )
    resume_broadcast = providers.Singleton(
        ResumeBroadcast,
        broadcasts=Ports.broadcasts,
        queue=queue,
        clock=Ports.clock,
        worker_gone=providers.Object(worker_gone),
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
        metrics=Ports.metrics,
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
        metrics=Ports.metrics,
    )
    # Replies the dialog and the operators' commands share.
    get_balance = providers.Singleton(GetBalance, ledger=Ports.ledger)
    support_contact = providers.Singleton(Support, contact=Ports.settings.provided.support_contact)
    # /stats and `paintbot stats`; `paintbot ledger verify`.
    stats = providers.Singleton(
        Stats,
        users=Ports.users,
        jobs=Ports.jobs,
        payments=Ports.payments,
        clock=Ports.clock,
    )
    verify_ledger = providers.Singleton(VerifyLedger, users=Ports.users, ledger=Ports.ledger)
    # The shop: packs for Telegram Stars, the checkout, crediting once, /refund, reconciliation.
    packs = Ports.settings.provided.packs
    send_invoice = providers.Singleton(_if_paying, SendInvoice, Ports.payment_gateway, packs=packs)
    check_pre_checkout = providers.Singleton(
        _if_paying, CheckPreCheckout, Ports.payment_gateway, users=Ports.users, packs=packs
    )
    credit_payment = providers.Singleton(
        _if_paying,
        CreditPayment,
        Ports.payment_gateway,
        payments=Ports.payments,
        ledger=Ports.ledger,
        clock=Ports.clock,
        packs=packs,
        metrics=Ports.metrics,
    )
    refund_payment = providers.Singleton(
        _if_paying,
        RefundPayment,
        Ports.payment_gateway,
        payments=Ports.payments,
        ledger=Ports.ledger,
        clock=Ports.clock,
        metrics=Ports.metrics,
        checkout=Ports.checkout_gateway,
    )
    reconcile_payments = providers.Singleton(
        _if_paying,
        ReconcilePayments,
        Ports.payment_gateway,
        payments=Ports.payments,
        credit=credit_payment,
        clock=Ports.clock,
    )
