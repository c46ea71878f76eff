"""HTTP endpoints of the AIR service."""
