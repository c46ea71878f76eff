"""AOS programming service."""
