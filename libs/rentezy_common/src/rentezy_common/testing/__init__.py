"""Test helpers for every service: signed clients, Kafka topics, SMTP (pytest plugin)."""
