"""One `paintbot worker` for the bench (`python -m bench.worker_process SECONDS`): settings from the
environment and the container exactly as `paintbot worker` builds them (entrypoints.worker_mode),
with the image generator replaced by a fake that takes SECONDS per page, the finisher by a fake
one and the chat by the memory messenger: a container override, as tests do, not a hook in the
product."""

from __future__ import annotations

import sys

from dependency_injector import providers

from adapters.memory import FakeImageGenerator, FakePageFinisher, InMemoryMessenger
from entrypoints.container import Container
from entrypoints.logging import configure_logging
from entrypoints.settings_loading import load_settings
from entrypoints.worker_mode import run_worker


def main(argv: list[str]) -> int:
    seconds = float(argv[0]) if argv else 1.0
    settings = load_settings(None)
    configure_logging(fmt="json", level="WARNING", secrets=settings.secrets())
    container = Container(settings=settings)
    container.generator.override(providers.Object(FakeImageGenerator(delay=seconds)))
    container.finisher.override(providers.Object(FakePageFinisher()))
    container.messenger.override(providers.Object(InMemoryMessenger()))
    return run_worker(container, settings)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
