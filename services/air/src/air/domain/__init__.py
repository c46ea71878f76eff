"""Pure AIR domain logic: VIN decoding, content pack, access decisions (no I/O)."""
