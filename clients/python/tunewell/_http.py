"""One JSON request to a Tunewell server, retried where retrying is safe.

Standard library only (urllib). Retries network errors, 5xx, 408 and 429 answers with
exponential backoff, honouring ``Retry-After``; any other 4xx raises :class:`TunewellError` at
once with the server's code and message.
"""
from __future__ import annotations

import json
import math
import random
import socket
import time
import urllib.error
import urllib.request
from typing import Any, Dict, Mapping, Optional, Tuple

from .errors import TunewellError

FIRST_BACKOFF_S = 0.1
MAX_BACKOFF_S = 5.0
ATTEMPT_TIMEOUT_S = 30.0


def encode_number(value: float) -> Any:
    """JSON has no NaN or Infinity: the server takes them as the strings "NaN", "Infinity", "-Infinity"."""
    if isinstance(value, bool):
        raise TypeError("a metric value must be a number, not a bool")
    if isinstance(value, float) and not math.isfinite(value):
        if math.isnan(value):
            return "NaN"
        return "Infinity" if value > 0 else "-Infinity"
    return value


def retry_after_seconds(header: Optional[str]) -> float:
    """Retry-After in seconds (an HTTP date is not worth parsing here); 0 when absent or unreadable."""
    if not header:
        return 0.0
    try:
        return max(0.0, float(header))
    except ValueError:
        return 0.0


class Http:
    """The connection settings of a Client: base URL, token, and how long to keep retrying."""

    def __init__(self, url: str, token: Optional[str], retry_seconds: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.retry_seconds = retry_seconds

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        content_type: str = "application/json",
        retry: bool = True,
        allow: Tuple[int, ...] = (),
    ) -> Tuple[int, Mapping[str, str], Any]:
        """Sends one request; answers (status, headers, decoded JSON or None).

        Statuses in ``allow`` are answered rather than raised (e.g. 409 for "no trial yet").
        With ``retry`` False, only one attempt is made (for requests that are not idempotent).
        """
        data: Optional[bytes]
        if body is None:
            data = None
        elif isinstance(body, (bytes, str)):
            data = body.encode("utf-8") if isinstance(body, str) else body
        else:
            data = json.dumps(body, allow_nan=False).encode("utf-8")
        headers: Dict[str, str] = {"accept": "application/json"}
        if data is not None:
            headers["content-type"] = content_type
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        give_up_at = time.monotonic() + (self.retry_seconds if retry else 0.0)
        attempts = 0
        wait = 0.0
        last: Optional[BaseException] = None
        while True:
            if attempts > 0:
                backoff = min(FIRST_BACKOFF_S * 2 ** (attempts - 1), MAX_BACKOFF_S)
                delay = max(backoff * (0.5 + random.random() / 2), wait)
                if time.monotonic() + delay > give_up_at:
                    break
                time.sleep(delay)
            attempts += 1
            wait = 0.0
            request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=ATTEMPT_TIMEOUT_S) as response:
                    return response.status, dict(response.headers.items()), _decode(response.read())
            except urllib.error.HTTPError as error:
                payload = _decode(error.read())
                status = error.code
                answer_headers = dict(error.headers.items()) if error.headers else {}
                if status in allow:
                    return status, answer_headers, payload
                failure = TunewellError.from_answer(method, path, status, payload)
                if status < 500 and status not in (408, 429):
                    raise failure from None
                last = failure
                wait = min(retry_after_seconds(answer_headers.get("Retry-After")), 30.0)
            except (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError) as error:
                last = error
            if not retry:
                break
        if isinstance(last, TunewellError):
            raise last
        raise TunewellError(f"{method} {self.url}{path}: the server could not be reached ({last})", status=None)


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return raw.decode("utf-8", "replace")
