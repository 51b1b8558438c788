"""What /metrics exposes (Prometheus text format, prometheus-client), handler errors included
(never in health: one user's input must not make the bot look broken, bot/web.py).

Counters the handlers update live here; the rest (broadcast outcomes, 429s, queue depths) is
read from the services when scraped, so no feature depends on Prometheus."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from bot.services import Services

# Latency buckets for answers: the keywords answer in milliseconds, the model in tens.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self) -> None:
        disable_created_metrics()       # "*_created" series would only add noise
        self.registry = CollectorRegistry()
        self.updates = Counter("suara_updates", "Updates handled, by kind", ["kind"],
                               registry=self.registry)
        self.answers = Counter("suara_free_text", "Free-text messages, by what they got",
                               ["outcome"], registry=self.registry)
        self.answer_seconds = Histogram("suara_answer_seconds",
                                        "Time from a free-text message to its reply",
                                        buckets=BUCKETS, registry=self.registry)
        self.duplicates = Counter("suara_duplicate_updates",
                                  "Updates delivered again (a webhook retry, a replay), not handled",
                                  registry=self.registry)
        self.errors = Counter("suara_handler_errors", "Updates whose handling raised, by type",
                              ["type"], registry=self.registry)
        self.last_update: float | None = None    # time.time() of the last update

    def error(self, kind: str) -> None:
        self.errors.labels(kind).inc()

    def handler_errors(self) -> int:
        """Updates whose handling raised, of every type, since the start."""
        return int(sum(sample.value for family in self.errors.collect()
                       for sample in family.samples if sample.name.endswith("_total")))

    def update(self, kind: str) -> None:
        self.updates.labels(kind).inc()
        self.last_update = time.time()

    def bind(self, services: Services, queue_depth: Callable[[], int]) -> None:
        self.registry.register(_ServicesCollector(services, queue_depth))

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _ServicesCollector(Collector):
    def __init__(self, services: Services, queue_depth: Callable[[], int]) -> None:
        self.services, self.queue_depth = services, queue_depth

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        engine = self.services.engine
        stats = engine.stats if engine is not None else {}
        messages = CounterMetricFamily("suara_broadcast_messages",
                                       "Broadcast messages, by outcome", labels=["outcome"])
        for outcome in ("sent", "blocked", "failed", "unknown", "rate_limited", "capped"):
            messages.add_metric([outcome], stats.get(f"outcome:{outcome}", 0))
        yield messages
        yield CounterMetricFamily("suara_broadcast_429", "429 answers to broadcast sends",
                                  value=stats.get("429", 0))
        answers = self.services.answers
        yield GaugeMetricFamily("suara_model_queue", "Questions waiting for or in the model",
                                value=answers.queued)
        shed = CounterMetricFamily("suara_model_answers", "Free-text questions, by which signal "
                                   "answered", labels=["how"])
        for how, count in answers.stats.items():
            shed.add_metric([how], count)
        yield shed
        yield GaugeMetricFamily("suara_update_queue", "Updates received, not yet handled",
                                value=self.queue_depth())
        trips = getattr(self.services.db, "round_trips", None)   # PostgreSQL only
        if trips is not None:
            yield CounterMetricFamily("suara_db_round_trips", "Requests the storage API sent "
                                      "to PostgreSQL", value=trips.count)
