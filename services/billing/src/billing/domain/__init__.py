"""Billing rules as plain Python: prices and VAT, entitlement windows, webhook signatures,
idempotency keys. No web framework, no database: everything here is unit-tested without I/O."""
