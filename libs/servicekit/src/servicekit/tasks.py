"""Stopping background tasks without swallowing the caller's own cancellation."""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["cancel_and_wait"]


async def cancel_and_wait(*tasks: asyncio.Task[Any]) -> None:
    """Cancel ``tasks`` and return once every one has ended.

    The usual ``with suppress(CancelledError): await task`` also swallows a cancellation aimed at
    the caller while it waits, so a shutdown with a deadline could run on past it. Waiting with
    ``asyncio.wait`` lets that cancellation through and leaves the tasks' outcomes alone.
    """
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks)
    for task in tasks:
        if not task.cancelled():
            task.exception()  # retrieved, so asyncio does not log it as never retrieved
