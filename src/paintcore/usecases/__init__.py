"""Use cases: one per module, each a frozen dataclass of ports with one keyword-only __call__."""

from .balance import GetBalance
from .broadcast import Broadcast, BroadcastReport
from .health import HealthCheck, HealthReport
from .make_page import MakePage
from .recover_jobs import RecoverJobs, RecoveryReport
from .register_user import RegisterUser, Registration
from .request_page import RequestColoringPage
from .run_generation import RunGeneration
from .support import Support

__all__ = [
    "Broadcast",
    "BroadcastReport",
    "GetBalance",
    "HealthCheck",
    "HealthReport",
    "MakePage",
    "RecoverJobs",
    "RecoveryReport",
    "RegisterUser",
    "Registration",
    "RequestColoringPage",
    "RunGeneration",
    "Support",
]
