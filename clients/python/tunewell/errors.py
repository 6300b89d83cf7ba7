"""The one exception the client raises for an answer it cannot use."""
from __future__ import annotations

from typing import Any, List, Optional


class TunewellError(Exception):
    """A request the server refused, or could not be reached for.

    ``status`` is the HTTP status (None when the server was unreachable), ``code`` the server's
    error code (``EXPERIMENT_NOT_FOUND``, ``SPEC_INVALID``...), ``issues`` every problem of a
    refused experiment (each with ``path``, ``message`` and, for YAML, ``line``/``col``).
    """

    def __init__(self, message: str, *, status: Optional[int], code: Optional[str] = None, issues: Optional[List[Any]] = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.issues = issues or []

    @classmethod
    def from_answer(cls, method: str, path: str, status: int, payload: Any) -> "TunewellError":
        code = None
        message = ""
        issues: List[Any] = []
        if isinstance(payload, dict):
            error = payload.get("error") if isinstance(payload.get("error"), dict) else payload
            code = error.get("code") if isinstance(error.get("code"), str) else None
            message = str(error.get("message") or "")
            found = error.get("issues") or payload.get("issues")
            if isinstance(found, list):
                issues = found
        elif isinstance(payload, str):
            message = payload.strip()
        text = f"{method} {path} answered {status}" + (f" {code}" if code else "") + (f": {message}" if message else "")
        for issue in issues[:20]:
            if isinstance(issue, dict):
                where = issue.get("path", "")
                if issue.get("line") is not None:
                    where = f"line {issue.get('line')}:{issue.get('col')} {where}"
                text += f"\n  {where}: {issue.get('message', '')}"
        return cls(text, status=status, code=code, issues=issues)
