"""Vocabularies that are part of the event contracts (docs/contracts/), in one place so
the producer and every consumer use the same lists."""
