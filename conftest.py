"""Root conftest: the service kit's fixtures (real PostgreSQL and Kafka) for every test folder."""

pytest_plugins = ["servicekit.testing"]
