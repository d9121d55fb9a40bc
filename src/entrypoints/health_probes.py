"""Readiness for load balancers (`GET /healthz` of `paintbot webhook`): storage answers, and Redis
too when REDIS_URL is set. Each check is a bool, never an exception: a probe must answer."""

from __future__ import annotations

from collections.abc import Callable

import structlog
from pydantic import SecretStr

from paintcore.ports import Storage

log = structlog.get_logger(__name__)

# A load balancer's probe times out in a few seconds; a Redis that does not answer by then is down.
REDIS_PROBE_TIMEOUT = 2.0


def readiness(store: Storage, redis_url: SecretStr | None) -> Callable[[], dict[str, bool]]:
    """The checks `/healthz` runs on every probe: {"storage": ok} and, with Redis, "redis"."""
    redis_ping = _redis_ping(redis_url.get_secret_value()) if redis_url is not None else None

    def checks() -> dict[str, bool]:
        found = {"storage": _answers("storage", store.ping)}
        if redis_ping is not None:
            found["redis"] = _answers("redis", redis_ping)
        return found

    return checks


def _redis_ping(url: str) -> Callable[[], object]:
    # A client of its own (not Ports.redis): the queue's client waits up to 10 s for a command,
    # longer than a load balancer waits for a probe. It connects on the first probe, not here.
    import redis

    client = redis.Redis.from_url(
        url, socket_timeout=REDIS_PROBE_TIMEOUT, socket_connect_timeout=REDIS_PROBE_TIMEOUT
    )
    return client.ping


def _answers(name: str, ping: Callable[[], object]) -> bool:
    try:
        ping()
    except Exception as exc:  # whatever the driver raises, the answer is "not ready"
        log.warning("readiness check failed", check=name, error=type(exc).__name__)
        return False
    return True
