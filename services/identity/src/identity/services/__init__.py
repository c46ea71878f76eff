"""Use cases of the identity service; they receive a session (or the database) and raise
typed problems from :mod:`identity.errors`."""
