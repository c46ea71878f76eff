"""Structured JSON logs with a request id bound per request (structlog), and the trace and span
ids of the current span (servicekit.tracing) on every line written inside one.

Warnings and errors of libraries (aiokafka retries a lost broker many times a second, each
time with an ERROR) pass a :class:`RepeatFilter`: the same message from the same logger is
written once per window, and the next one written says how many were held back.
"""

from __future__ import annotations

import io
import logging
import sys
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import TextIO, cast

import orjson
import structlog
from opentelemetry import trace

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


def _add_request_id(
    _logger: object, _method: str, event: structlog.types.EventDict
) -> structlog.types.EventDict:
    rid = request_id_var.get()
    if rid is not None:
        event.setdefault("request_id", rid)
    return event


def _add_trace_ids(
    _logger: object, _method: str, event: structlog.types.EventDict
) -> structlog.types.EventDict:
    """``trace_id`` and ``span_id`` of the span the line is written in (servicekit.tracing), so
    that a line leads to its trace and a trace to its lines."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event.setdefault("trace_id", format(context.trace_id, "032x"))
        event.setdefault("span_id", format(context.span_id, "016x"))
    return event


# Tracebacks as structured data, but never with local variables: they can hold secrets.
_EXCEPTIONS = structlog.processors.ExceptionRenderer(
    structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
)


def _dumps(obj: object, default: object = None) -> str:
    return orjson.dumps(obj, default=str).decode()


SUPPRESSED_FIELD = "repeats_suppressed"


class RepeatFilter(logging.Filter):
    """Lets one WARNING-or-worse record per (logger, level, message template) through per
    ``window_seconds``; the next one let through carries how many were dropped in between.

    Keyed by the template (``record.msg``), so "Unable connect to node %s: %s" repeats whatever
    its arguments. Records below WARNING pass untouched: INFO is what code says on purpose.
    """

    MAX_KEYS = 1000

    def __init__(
        self, window_seconds: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.window_seconds = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        # key -> [when the last record was let through, records dropped since]
        self._seen: dict[tuple[str, int, str], list[float]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING or self.window_seconds <= 0:
            return True
        key = (record.name, record.levelno, str(record.msg))
        now = self._clock()
        with self._lock:
            entry = self._seen.get(key)
            if entry is not None and now - entry[0] < self.window_seconds:
                entry[1] += 1
                return False
            if len(self._seen) >= self.MAX_KEYS:
                self._forget_before(now - self.window_seconds)
            self._seen[key] = [now, 0]
        if entry is not None and entry[1]:
            setattr(record, SUPPRESSED_FIELD, int(entry[1]))
        return True

    def _forget_before(self, moment: float) -> None:
        for key in [k for k, (last, _) in self._seen.items() if last < moment]:
            del self._seen[key]
        if len(self._seen) >= self.MAX_KEYS:
            self._seen.clear()


class _CurrentStderr(io.TextIOBase):
    """``sys.stderr`` as it is when a line is written, not when logging was configured.

    structlog caches each logger with its output file on first use; a test that captures
    stderr swaps ``sys.stderr`` and closes its stand-in afterwards, which must not leave cached
    loggers writing to a closed file.
    """

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def describe_error(error: BaseException) -> str:
    """``"ConnectionRefusedError: [Errno 111] ..."``: the type says more than the text alone."""
    text = str(error)
    name = type(error).__name__
    return f"{name}: {text}" if text and not text.startswith(name) else text or name


def configure_logging(
    *,
    service: str,
    level: str = "INFO",
    repeat_window_seconds: float = 30.0,
    stream: TextIO | None = None,
) -> None:
    """Send JSON lines to ``stream`` (stderr) for structlog and stdlib loggers alike.

    ``repeat_window_seconds``: see :class:`RepeatFilter` (0 writes every repeat).
    """
    output: TextIO = stream or cast(TextIO, _CurrentStderr())
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        _add_request_id,
        _add_trace_ids,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            *shared,
            _EXCEPTIONS,
            _bind_service(service),
            structlog.processors.JSONRenderer(serializer=_dumps),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=output),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(output)
    handler.addFilter(RepeatFilter(repeat_window_seconds))
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                _bind_service(service),
                structlog.processors.JSONRenderer(serializer=_dumps),
            ],
            foreign_pre_chain=[
                *shared,
                structlog.stdlib.add_logger_name,
                structlog.stdlib.ExtraAdder(allow=[SUPPRESSED_FIELD]),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's access log duplicates ours; aiokafka is chatty at INFO.
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("aiokafka").setLevel(logging.WARNING)


def _bind_service(service: str) -> structlog.types.Processor:
    def processor(
        _logger: object, _method: str, event: structlog.types.EventDict
    ) -> structlog.types.EventDict:
        event.setdefault("service", service)
        return event

    return processor


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return logger
