"""Integration events the identity service publishes (through the outbox)."""
