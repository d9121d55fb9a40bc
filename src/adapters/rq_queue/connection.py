"""Reaching Redis: a client from REDIS_URL, pinged, and the URL as it may be shown (no password)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from redis import Redis
from redis.exceptions import RedisError

from paintcore.domain.errors import StorageUnavailable

# A start-up that cannot reach Redis says so within seconds instead of hanging on a black hole.
CONNECT_TIMEOUT_SECONDS = 3.0
# Every command but a worker's blocking wait for work (RQ gives its own connection a longer one).
COMMAND_TIMEOUT_SECONDS = 10.0


def shown_url(url: str) -> str:
    """The URL with its password (if any) replaced by ***, for messages and logs."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # a malformed port or netloc: show the scheme only
        return url.partition("://")[0] + "://***"
    if not password:
        return url
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def connect_redis(url: str, *, ping: bool = True) -> Redis:
    """A client for `url` (redis://, rediss:// or unix://), pinged once unless `ping` is False;
    StorageUnavailable naming the URL without its password when Redis does not answer."""
    try:
        client = Redis.from_url(
            url,
            socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
            socket_timeout=COMMAND_TIMEOUT_SECONDS,
            health_check_interval=30,
        )
        if ping:
            client.ping()
    except (RedisError, ValueError, OSError) as exc:
        raise StorageUnavailable(
            f"cannot reach Redis at {shown_url(url)} (REDIS_URL): {_reason(exc)}"
        ) from None
    return client


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__
