"""Integration events billing publishes (through the outbox) on topic ``billing.v1``."""
