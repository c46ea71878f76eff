"""A simulated vehicle: a DoIP entity with UDS ECUs, for tests and demos without a car."""
