"""Incoming events: the handlers of the events programming consumes (an entry layer, like api)."""
