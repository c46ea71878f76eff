"""Incoming events: handlers of what the AIR service consumes (an entry layer, like api)."""
