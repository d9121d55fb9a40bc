"""The platform-neutral conversation: incoming events -> use cases -> replies in ru/en."""

from .account import Account
from .admin import AdminTools
from .broadcast_reports import BroadcastReports
from .broadcasting import Broadcasting
from .card_payments import CardPayments
from .events import (
    IncomingCallback,
    IncomingMessage,
    MessageKind,
    PreCheckoutQuery,
    SuccessfulPayment,
)
from .health import HealthReplies
from .notifier import DialogNotifier, what_was_drawn
from .page_requests import PageRequests
from .page_settings import PageSettings
from .router import Dialog
from .routes import ROUTES, command_menu
from .routing import Press, Route, RouteTable
from .shop import Shop
from .support import SupportReplies
from .texts import SUPPORTED, Texts, pick_language
from .tools import FileIdTool
from .user_admin import UserAdmin

__all__ = [
    "ROUTES",
    "SUPPORTED",
    "Account",
    "AdminTools",
    "BroadcastReports",
    "Broadcasting",
    "CardPayments",
    "Dialog",
    "DialogNotifier",
    "FileIdTool",
    "HealthReplies",
    "IncomingCallback",
    "IncomingMessage",
    "MessageKind",
    "PageRequests",
    "PageSettings",
    "PreCheckoutQuery",
    "Press",
    "Route",
    "RouteTable",
    "Shop",
    "SuccessfulPayment",
    "SupportReplies",
    "Texts",
    "UserAdmin",
    "command_menu",
    "pick_language",
    "what_was_drawn",
]
