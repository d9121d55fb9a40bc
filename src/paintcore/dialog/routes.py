"""The route table: which handler group answers each command, button, file and expected reply."""

from __future__ import annotations

from ..domain.conversation import Awaiting
from .account import Account
from .admin import AdminTools
from .broadcast_texts import BROADCAST_PREFIX
from .broadcasting import Broadcasting
from .card_payments import CHECK_PREFIX
from .events import MessageKind
from .health import HealthReplies
from .menu import BUY, GET_PAGE, SETTINGS, SUPPORT
from .page_requests import PageRequests
from .page_settings import PageSettings
from .routing import Press, Route, RouteTable
from .settings import LEVEL_PREFIX, STYLE_PREFIX
from .shop import Shop
from .shop_texts import CARD_PREFIX, PACK_PREFIX, STARS_PREFIX
from .support import SupportReplies
from .texts import Texts
from .user_admin import UserAdmin

# Commands in the order the messenger's menu lists those with in_menu.
ROUTES = RouteTable(
    routes=(
        Route(Account, Account.welcome, command="start", registers=True, in_menu=True),
        Route(PageRequests, PageRequests.ask, command="draw", in_menu=True),
        Route(PageRequests, PageRequests.ask, command="page"),
        Route(PageSettings, PageSettings.show, command="settings", in_menu=True),
        Route(Account, Account.show_balance, command="balance", in_menu=True),
        Route(Account, Account.help, command="help", in_menu=True),
        Route(HealthReplies, HealthReplies.check, command="check", in_menu=True),
        Route(Account, Account.cancel, command="cancel", in_menu=True),
        Route(SupportReplies, SupportReplies.contact, command="support", in_menu=True),
        Route(Shop, Shop.offer, command="buy", in_menu=True),
        # Telegram's rules for digital goods: both in the command menu.
        Route(Shop, Shop.show_paysupport, command="paysupport", in_menu=True),
        Route(Shop, Shop.show_terms, command="terms", in_menu=True),
        Route(Shop, Shop.refund, command="refund", admin_only=True),
        Route(Broadcasting, Broadcasting.compose, command="broadcast", admin_only=True),
        Route(Broadcasting, Broadcasting.status, command="broadcast_status", admin_only=True),
        Route(Broadcasting, Broadcasting.cancel, command="broadcast_cancel", admin_only=True),
        Route(UserAdmin, UserAdmin.show_user, command="user", admin_only=True),
        Route(UserAdmin, UserAdmin.grant, command="grant", admin_only=True),
        Route(UserAdmin, UserAdmin.ban, command="ban", admin_only=True),
        Route(UserAdmin, UserAdmin.unban, command="unban", admin_only=True),
        Route(UserAdmin, UserAdmin.show_stats, command="stats", admin_only=True),
        Route(UserAdmin, UserAdmin.show_jobs, command="jobs", admin_only=True),
        Route(PageRequests, PageRequests.ask, button=GET_PAGE),
        Route(SupportReplies, SupportReplies.contact, button=SUPPORT),
        Route(PageSettings, PageSettings.show, button=SETTINGS),
        Route(Shop, Shop.offer, button=BUY),
        # An admin learns a file's id to use it as a welcome photo; with a caption, an admin's
        # photo is a page request, as everyone's is.
        Route(
            AdminTools,
            AdminTools.file_id,
            file=MessageKind.PHOTO,
            uncaptioned=True,
            admin_only=True,
        ),
        Route(PageRequests, PageRequests.from_photo, file=MessageKind.PHOTO),
        Route(AdminTools, AdminTools.file_id, file=MessageKind.DOCUMENT, admin_only=True),
        Route(AdminTools, AdminTools.file_id, file=MessageKind.STICKER, admin_only=True),
        Route(PageRequests, PageRequests.describe, awaiting=Awaiting.DESCRIPTION),
        Route(
            Broadcasting,
            Broadcasting.receive,
            awaiting=Awaiting.BROADCAST_MESSAGE,
            any_kind=True,
            admin_only=True,
        ),
        # Another message under a preview replaces the one previewed.
        Route(
            Broadcasting,
            Broadcasting.receive,
            awaiting=Awaiting.BROADCAST_CONFIRMATION,
            any_kind=True,
            admin_only=True,
        ),
    ),
    presses=(
        Press(PageSettings, PageSettings.press, prefix=LEVEL_PREFIX),
        Press(PageSettings, PageSettings.press, prefix=STYLE_PREFIX),
        Press(Shop, Shop.press, prefix=PACK_PREFIX),
        Press(Shop, Shop.press_stars, prefix=STARS_PREFIX),
        Press(Shop, Shop.press_card, prefix=CARD_PREFIX),
        Press(Shop, Shop.check_card, prefix=CHECK_PREFIX),
        Press(Broadcasting, Broadcasting.press, prefix=BROADCAST_PREFIX, admin_only=True),
    ),
)


def command_menu(t: Texts) -> list[tuple[str, str]]:
    """The (command, description) pairs a messenger shows in its command menu."""
    return [
        (route.command, t(f"cmd_{route.command}"))
        for route in ROUTES.routes
        if route.in_menu and route.command is not None
    ]
