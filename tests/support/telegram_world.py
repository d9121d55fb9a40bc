"""A whole PaintBot (container, SQLite, worker pool, the real telebot) on a fake Bot API server."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dependency_injector import providers

from adapters.memory import FakeImageGenerator, FakePageFinisher, FakePhotoTracer
from adapters.telegram import TelegramPolling
from entrypoints.container import Container
from entrypoints.settings import Settings
from entrypoints.telegram_modes import commands_by_language
from paintcore.domain.credits import Balance
from paintcore.domain.users import UserId
from support.fake_telegram import FakeBotAPI

ADMIN = 900


@dataclass
class RunningBot:
    fake: FakeBotAPI
    container: Container
    generator: FakeImageGenerator
    polling: TelegramPolling

    def balance(self, user_id: int) -> Balance:
        return self.container.ledger().balance(UserId(user_id))

    def idle(self, user_id: int) -> bool:
        """No page of the user is queued or running (delivered pages are closed a moment later)."""
        return self.container.jobs().in_flight(UserId(user_id)) is None

    def stop(self) -> None:
        self.polling.stop(timeout=10)
        self.container.queue().close(timeout=10, drain=False)
        self.container.store().close()


def start_bot(
    fake: FakeBotAPI,
    tmp_path: Path,
    *,
    generator: FakeImageGenerator | None = None,
    real_pages: bool = False,
    **settings: object,
) -> RunningBot:
    values: dict[str, object] = {
        "BOT_TOKEN": fake.token,
        "PAINTBOT_TELEGRAM_API_URL": fake.base_url,
        "PAINTBOT_DB_PATH": str(tmp_path / "bot.sqlite3"),
        "ADMIN_IDS": str(ADMIN),
        "PAINTBOT_SUPPORT_CONTACT": "@paint_help",
        "PAINTBOT_BROADCAST_RATE": 30,
    }
    values.update(settings)
    container = Container(settings=Settings(_env_file=None, **values))  # type: ignore[call-arg]
    container.channel.override("telegram")
    generator = generator or FakeImageGenerator()
    if not real_pages:  # real_pages: the offline generator and the real finisher, as deployed
        container.generator.override(providers.Object(generator))
        container.tracer.override(providers.Object(FakePhotoTracer()))
        container.finisher.override(providers.Object(FakePageFinisher()))
    container.telegram_polling.add_kwargs(long_poll=1)  # quick shutdown in tests
    polling = container.telegram_polling()
    polling.prepare(commands_by_language("ru"))
    container.recover_jobs()(requeue=True)
    polling.start()
    return RunningBot(fake, container, generator, polling)
