"""Which failures mean "our infrastructure is away" (retry) and which do not."""

from __future__ import annotations

import asyncpg
import pytest
from aiokafka.errors import KafkaConnectionError, MessageSizeTooLargeError, NodeNotReadyError
from sqlalchemy import exc as sa

from servicekit.consumer import BadEvent
from servicekit.failures import is_database_unavailable, is_infrastructure_error


def raised_from(error: BaseException, cause: BaseException) -> BaseException:
    try:
        raise error from cause
    except BaseException as raised:
        return raised


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connect call failed"),
        ConnectionResetError(104, "Connection reset by peer"),
        TimeoutError(),
        sa.TimeoutError("QueuePool limit of size 5 overflow 5 reached, connection timed out"),
        sa.OperationalError("SELECT 1", {}, OSError("server closed the connection")),
        sa.InterfaceError("SELECT 1", {}, Exception("connection is closed")),
        sa.DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        KafkaConnectionError("Unable to bootstrap"),
        NodeNotReadyError(),
        raised_from(RuntimeError("wrapped"), ConnectionRefusedError(111, "refused")),
    ],
    ids=lambda error: type(error).__name__,
)
def test_infrastructure_failures_are_recognised(error: BaseException) -> None:
    assert is_infrastructure_error(error)


@pytest.mark.parametrize(
    "error",
    [
        BadEvent("ends before it starts"),
        ValueError("badly formed hexadecimal UUID string"),
        KeyError("entitlement_id"),
        sa.IntegrityError("INSERT", {}, Exception("duplicate key")),
        sa.DataError("INSERT", {}, Exception("value too long")),
        MessageSizeTooLargeError(),
    ],
    ids=lambda error: type(error).__name__,
)
def test_other_failures_are_not_infrastructure(error: BaseException) -> None:
    assert not is_infrastructure_error(error)


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connect call failed"),
        sa.TimeoutError("QueuePool limit of size 5 overflow 5 reached, connection timed out"),
        sa.DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.InterfaceError("connection is closed"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_a_database_outage_that_makes_the_api_answer_503_is_retried_by_the_consumer(
    error: BaseException,
) -> None:
    assert is_database_unavailable(error)
    assert is_infrastructure_error(error)


@pytest.mark.parametrize(
    "error",
    [
        # The driver's own view, whatever it says: the consumer waits, an API request is a 500.
        sa.OperationalError("SELECT 1", {}, Exception("server closed the connection")),
        asyncpg.InterfaceError("another operation is in progress"),
        KafkaConnectionError("Unable to bootstrap"),
        NodeNotReadyError(),
    ],
    ids=lambda error: type(error).__name__,
)
def test_driver_and_broker_failures_are_retried_without_being_a_database_outage(
    error: BaseException,
) -> None:
    assert is_infrastructure_error(error)
    assert not is_database_unavailable(error)
