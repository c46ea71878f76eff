"""Incoming event handlers: an entry layer beside ``api/``, calling services."""
