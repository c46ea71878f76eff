"""Tables and repositories (all SQL of the service lives here)."""
