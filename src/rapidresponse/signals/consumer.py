"""The stream consumer loop: fetch a batch, commit it, then acknowledge it."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import structlog

from ..auth import Actor, Perm
from ..db import unit_of_work
from ..schemas import bounded_json
from . import service
from .streams import Delivery, StreamSource

log = structlog.get_logger("rapidresponse.signals.consumer")
MAX_MESSAGE_BYTES = 1_048_576


@dataclass
class ConsumeStats:
    batches: int = 0
    received: int = 0
    inserted: int = 0
    duplicates: int = 0
    rejected: int = 0


def _decode(d: Delivery) -> dict[str, Any]:
    if len(d.data) > MAX_MESSAGE_BYTES:
        return {"_error": f"message is over {MAX_MESSAGE_BYTES} bytes"}
    try:
        data = bounded_json(d.data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {"_error": f"not a UTF-8 JSON message ({exc})"}
    except ValueError as exc:
        return {"_error": str(exc)}
    return data if isinstance(data, dict) else {"_error": "a message must hold one JSON object"}


def store(actor: Actor, deliveries: list[Delivery], stats: ConsumeStats, channel: str) -> None:
    rows = [_decode(d) for d in deliveries]
    with unit_of_work() as s:
        result = service.ingest(s, actor, rows, channel=channel)
    stats.batches += 1
    stats.received += result.received
    stats.inserted += result.inserted
    stats.duplicates += result.duplicates
    stats.rejected += len(result.rejected)
    for err in result.rejected[:5]:  # poison messages are acknowledged too, or they would come back forever
        log.warning("signal rejected", channel=channel, external_id=err.external_id, reason=err.reason)


async def consume(source: StreamSource, actor: Actor, *, batch: int = 500, timeout: float = 2.0,
                  until_idle: bool = False, stop: asyncio.Event | None = None) -> ConsumeStats:
    """Run until ``stop`` is set (or, with ``until_idle``, until a fetch comes back empty)."""
    actor.require(Perm.SIGNALS_WRITE)
    stats = ConsumeStats()
    await source.connect()
    try:
        while not (stop and stop.is_set()):
            deliveries = await source.fetch(batch, timeout)
            if not deliveries:
                if until_idle:
                    break
                continue
            await asyncio.to_thread(store, actor, deliveries, stats, f"stream:{source.name}")
            await source.ack(deliveries)  # only after the commit
    finally:
        await source.close()
    return stats
