"""Stream sources for the signal consumer: a small protocol, NATS JetStream and Redis Streams.

The consumer fetches a batch, stores it in one transaction, and only then acknowledges the batch. A
consumer killed in between leaves the batch unacknowledged, so the stream delivers it again and the
(source, external_id) key absorbs whatever had been committed already: nothing lost, nothing doubled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from ..extras import need


@dataclass
class Delivery:
    data: bytes
    handle: Any  # what the source needs to acknowledge it


class StreamSource(Protocol):
    """Where signals come from. Implementations: :class:`JetStreamSource`, :class:`RedisStreamSource`."""

    name: str

    async def connect(self) -> None: ...

    async def fetch(self, max_messages: int, timeout: float) -> list[Delivery]:
        """Up to ``max_messages`` deliveries; an empty list after ``timeout`` seconds without any."""
        ...

    async def ack(self, deliveries: list[Delivery]) -> None:
        """Acknowledge deliveries whose signals are committed."""
        ...

    async def close(self) -> None: ...


class JetStreamSource:
    """A durable pull consumer on a JetStream stream (created if missing)."""

    name = "nats"

    def __init__(self, *, url: str, stream: str, subject: str, durable: str, ack_wait: float = 30) -> None:
        self.url, self.stream, self.subject, self.durable, self.ack_wait = url, stream, subject, durable, ack_wait
        self._nc: Any = None
        self._sub: Any = None

    async def connect(self) -> None:
        nats = need("nats", "streams")
        from nats.js.api import AckPolicy, ConsumerConfig

        try:
            self._nc = await nats.connect(self.url, connect_timeout=5, max_reconnect_attempts=1, allow_reconnect=False)
        except Exception as exc:  # nats-py raises its own errors for refused and timed-out connections
            raise ConnectionError(f"{self.url}: {exc!r}") from exc
        js = self._nc.jetstream()
        try:
            await js.stream_info(self.stream)
        except nats.js.errors.NotFoundError:
            await js.add_stream(name=self.stream, subjects=[self.subject])
        self._sub = await js.pull_subscribe(
            self.subject, durable=self.durable, stream=self.stream,
            config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, ack_wait=self.ack_wait, max_ack_pending=-1))

    async def fetch(self, max_messages: int, timeout: float) -> list[Delivery]:
        try:
            msgs = await self._sub.fetch(max_messages, timeout=timeout)
        except TimeoutError:  # nats-py raises its own subclass or, when the deadline passes early, the base one
            return []
        return [Delivery(m.data, m) for m in msgs]

    async def ack(self, deliveries: list[Delivery]) -> None:
        for d in deliveries:
            await d.handle.ack()
        await self._nc.flush()

    async def close(self) -> None:
        if self._nc is not None:  # every acknowledgement was flushed with its batch: nothing left to drain
            await self._nc.close()


class RedisStreamSource:
    """A consumer group on a Redis stream; a restarted consumer first re-reads its own pending entries."""

    name = "redis"

    def __init__(self, *, url: str, stream: str, group: str, consumer: str) -> None:
        self.url, self.stream, self.group, self.consumer = url, stream, group, consumer
        self._redis: Any = None
        self._pending = True

    async def connect(self) -> None:
        need("redis", "streams")
        import redis.asyncio as aioredis
        from redis.exceptions import ResponseError

        self._redis = aioredis.from_url(self.url)
        try:
            await self._redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def fetch(self, max_messages: int, timeout: float) -> list[Delivery]:
        if self._pending:  # entries delivered to this consumer before it died, never acknowledged
            got = await self._redis.xreadgroup(self.group, self.consumer, {self.stream: "0"}, count=max_messages)
            entries = got[0][1] if got else []
            if entries:
                return [Delivery(_redis_data(fields), eid) for eid, fields in entries]
            self._pending = False
        got = await self._redis.xreadgroup(self.group, self.consumer, {self.stream: ">"}, count=max_messages,
                                           block=max(1, int(timeout * 1000)))
        entries = got[0][1] if got else []
        return [Delivery(_redis_data(fields), eid) for eid, fields in entries]

    async def ack(self, deliveries: list[Delivery]) -> None:
        if deliveries:
            await self._redis.xack(self.stream, self.group, *[d.handle for d in deliveries])

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()


def _redis_data(fields: dict[Any, Any]) -> bytes:
    value = fields.get(b"data", fields.get("data"))
    if value is None:
        return json.dumps({k.decode() if isinstance(k, bytes) else k: v.decode() if isinstance(v, bytes) else v
                           for k, v in fields.items()}).encode()
    return value if isinstance(value, bytes) else str(value).encode()
