"""Integration events the AIR service consumes."""
