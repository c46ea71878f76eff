"""Billing use cases. They receive the request's session and never commit it."""
