"""Incoming events: the handlers of the events billing consumes (an entry layer, like api)."""
