"""AOS billing service: catalog, orders, payments, entitlements."""

__version__ = "0.1.0"
