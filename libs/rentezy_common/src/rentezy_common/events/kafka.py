"""Kafka client configuration shared by the relay, consumers, health checks and tests."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def kafka_config(**overrides: Any) -> dict[str, Any]:
    """librdkafka configuration: bootstrap servers plus KAFKA_CLIENT_CONFIG extras
    (e.g. security settings in production), then the caller's overrides."""
    config: dict[str, Any] = {
        "bootstrap.servers": settings.KAFKA_BOOTSTRAP_SERVERS,
        "client.id": f"rentezy-{settings.SERVICE_NAME}",
    }
    config.update(getattr(settings, "KAFKA_CLIENT_CONFIG", {}))
    config.update(overrides)
    return config


def producer_config(**overrides: Any) -> dict[str, Any]:
    """An idempotent producer: acks=all, no duplicates or reordering from retries."""
    return kafka_config(
        **{
            "enable.idempotence": True,
            "acks": "all",
            # Small linger batches bursts (the relay produces hundreds at once) at a
            # cost of a few milliseconds of latency.
            "linger.ms": 5,
            "compression.type": "lz4",
            **overrides,
        }
    )
