"""The log of the HTTP server's connections: a request it cannot parse is one line, not a traceback.

aiohttp answers a request line or header over its limits (8190 bytes) or otherwise malformed
with 400 and then logs the parser's exception with its traceback at ERROR. Anyone on the
network can send such a request, so it is a client's mistake, said in one WARNING line that
does not echo the client's bytes; every other exception keeps its traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp.http_exceptions import HttpProcessingError

__all__ = ["RequestErrorLog"]

_MESSAGE_CHARS = 120


class RequestErrorLog(logging.LoggerAdapter):  # type: ignore[type-arg]
    """The logger aiohttp's request handler writes to (web.Application handler_args)."""

    def __init__(self, logger: logging.Logger) -> None:
        super().__init__(logger, {})

    def exception(self, msg: object, *args: object, exc_info: Any = True, **kwargs: Any) -> None:
        error = exc_info if isinstance(exc_info, BaseException) else None
        if isinstance(error, HttpProcessingError) and 400 <= (error.code or 400) < 500:
            # The parser's message ends with the offending bytes: keep only what it says.
            reason = str(error.message).split(":", 1)[0][:_MESSAGE_CHARS]
            peer = args[0] if args else "?"
            self.logger.warning(
                "bad request from %s refused (%d): %s", peer, error.code or 400, reason
            )
            return
        self.logger.exception(msg, *args, exc_info=exc_info, **kwargs)
