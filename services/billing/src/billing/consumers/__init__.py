"""Incoming events: the consumers billing runs (its entry layer beside ``api/``)."""
