"""Use cases: one per module, each a frozen dataclass of ports with one keyword-only __call__."""

from .balance import GetBalance
from .ban import BanChange, SetBanned
from .cancel_broadcast import CancelBroadcast, ResumeBroadcast
from .check_pre_checkout import CheckPreCheckout
from .credit_payment import Crediting, CreditOutcome, CreditPayment
from .grant_credits import MAX_GRANT, Grant, GrantCredits
from .health import HealthCheck, HealthReport
from .jobs_report import JobsReport, JobsSnapshot
from .make_page import MakePage
from .payment_rules import PaymentProblem
from .poll_checkouts import PollCheckouts
from .reconcile_payments import ReconcilePayments, ReconciliationReport
from .recover_jobs import RecoverJobs, RecoveryReport
from .refund_payment import Refund, RefundOutcome, RefundPayment
from .register_user import RegisterUser, Registration
from .request_page import RequestColoringPage
from .run_broadcast import RunBroadcast
from .run_generation import RunGeneration
from .send_invoice import SendInvoice
from .settle_checkout import SettleCheckout, SettleOutcome, Settling
from .start_broadcast import StartBroadcast
from .start_checkout import Checkout, CheckoutStart, StartCheckout
from .stats import Stats, StatsReport
from .support import Support
from .user_report import UserReport, UserSummary
from .verify_ledger import LedgerCheck, VerifyLedger, WalletDifference

__all__ = [
    "MAX_GRANT",
    "BanChange",
    "CancelBroadcast",
    "CheckPreCheckout",
    "Checkout",
    "CheckoutStart",
    "CreditOutcome",
    "CreditPayment",
    "Crediting",
    "GetBalance",
    "Grant",
    "GrantCredits",
    "HealthCheck",
    "HealthReport",
    "JobsReport",
    "JobsSnapshot",
    "LedgerCheck",
    "MakePage",
    "PaymentProblem",
    "PollCheckouts",
    "ReconcilePayments",
    "ReconciliationReport",
    "RecoverJobs",
    "RecoveryReport",
    "Refund",
    "RefundOutcome",
    "RefundPayment",
    "RegisterUser",
    "Registration",
    "RequestColoringPage",
    "ResumeBroadcast",
    "RunBroadcast",
    "RunGeneration",
    "SendInvoice",
    "SetBanned",
    "SettleCheckout",
    "SettleOutcome",
    "Settling",
    "StartBroadcast",
    "StartCheckout",
    "Stats",
    "StatsReport",
    "Support",
    "UserReport",
    "UserSummary",
    "VerifyLedger",
    "WalletDifference",
]
