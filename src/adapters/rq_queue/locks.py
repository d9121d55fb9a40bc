"""RedisPeriodLock: one turn per task name per period across every process sharing a Redis."""

from __future__ import annotations

from redis import Redis
from redis.exceptions import RedisError

from paintcore.domain.errors import StorageUnavailable

PREFIX = "paintbot:periodic:"


class RedisPeriodLock:
    """`once(name, seconds)` is True for the one process whose `SET key owner NX PX period`
    lands while the key is absent: the key then lives for the period, so every other process's
    tick in that period gets False, and the first tick after it expires (whoever's) runs next.
    Nobody deletes the key: a run that ends early must not let another process run again within
    the same period, and a process that dies holding it loses nothing but that period's run."""

    def __init__(self, connection: Redis, *, owner: str, prefix: str = PREFIX) -> None:
        self._redis = connection
        self._owner = owner
        self._prefix = prefix

    def once(self, name: str, seconds: float) -> bool:
        """Whether this process takes `name`'s turn for the next `seconds`; StorageUnavailable
        when Redis does not answer."""
        try:
            taken = self._redis.set(
                self._prefix + name, self._owner, nx=True, px=max(1, round(seconds * 1000))
            )
        except RedisError as exc:
            raise StorageUnavailable(f"Redis (periodic lock {name}): {exc}") from None
        return bool(taken)
