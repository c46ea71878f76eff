"""Events: the entitlement consumer and what this service publishes."""
