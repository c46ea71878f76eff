"""Identity rules in plain Python: no web framework, no database, unit-testable."""
