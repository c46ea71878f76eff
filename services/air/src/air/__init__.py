"""AOS air service."""
