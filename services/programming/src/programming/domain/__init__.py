"""Pure logic of the programming service: no web framework, no database."""
