"""A real redis-server for tests: Debian's binary on a free loopback port, in a temp dir, no
persistence; `redis_server` (a fixture) starts one per test and stops it, or skips the test with
the reason printed where the binary is missing (.ci/run installs it)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import RedisError

MISSING = (
    "redis-server is not installed (apt-get install redis-server): the Redis tests are skipped"
)


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> Redis:
        return Redis.from_url(self.url)

    def stop(self) -> None:
        """Stop the server (a test of Redis going away); harmless twice."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_redis() -> Iterator[RedisServer]:
    """A redis-server until the block ends; RuntimeError when the binary is missing or it does
    not answer within 10 s."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError(MISSING)
    with tempfile.TemporaryDirectory(prefix="paintbot-redis-") as folder:
        port = free_port()
        log = (Path(folder) / "redis.log").open("wb")
        command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", folder]
        process = subprocess.Popen(
            [*command, "--save", "", "--appendonly", "no", "--daemonize", "no"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        server = RedisServer(port, process)
        try:
            _wait_until_up(server, log_path=Path(folder) / "redis.log")
            yield server
        finally:
            server.stop()
            log.close()


def _wait_until_up(server: RedisServer, *, log_path: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            if server.client().ping():
                return
        except RedisError:
            time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"redis-server did not start: {log_path.read_text(errors='replace')}")


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        print(MISSING)
        pytest.skip(reason="redis-server is not installed (apt-get install redis-server)")
    with running_redis() as server:
        yield server
