"""Root conftest: the service kit's fixtures (real PostgreSQL and Kafka) for every test folder."""

# With --import-mode=importlib pytest names gateway/tests/* "gateway.tests.*" after the folder;
# importing the real package first keeps that folder from shadowing it as a namespace package.
import gateway  # noqa: F401

pytest_plugins = ["servicekit.testing"]
