"""AOS API gateway."""
