"""AOS identity service."""
