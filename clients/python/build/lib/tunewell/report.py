"""``report_metrics`` for trial programs the controller runs (the Push collector)."""
from __future__ import annotations

import datetime
import os
from typing import Any, Dict, Mapping, Optional

from ._http import Http, encode_number
from .errors import TunewellError

URL_ENV = "TUNEWELL_REPORT_URL"
TOKEN_ENV = "TUNEWELL_REPORT_TOKEN"
RETRY_ENV = "TUNEWELL_REPORT_RETRY_SECONDS"


def report_metrics(
    metrics: Mapping[str, Any],
    db_manager_address: Optional[str] = None,
    timeout: Optional[float] = None,
    *,
    step: Optional[int] = None,
) -> None:
    """Sends metrics of the running trial, as Katib's SDK ``kubeflow.katib.report_metrics`` does.

    The trial must run under Tunewell with ``metricsCollectorSpec.collector.kind: Push``: the
    controller gives it ``TUNEWELL_REPORT_URL`` and ``TUNEWELL_REPORT_TOKEN``. Values are numbers
    (or strings that read as numbers, as Katib's SDK sends them); NaN and infinities are kept.
    ``db_manager_address`` is accepted for Katib's signature and not used (the URL comes from the
    environment); ``timeout`` bounds the retries in seconds (default
    ``TUNEWELL_REPORT_RETRY_SECONDS``, else 60). ``step`` numbers the report (an epoch); without
    it each metric's reports are numbered 0, 1, 2... in order.
    """
    url = os.environ.get(URL_ENV)
    token = os.environ.get(TOKEN_ENV)
    hint = "run this program as a Tunewell trial with metricsCollectorSpec.collector.kind: Push"
    if not url:
        raise TunewellError(f"report_metrics needs {URL_ENV}: {hint}", status=None)
    if not token:
        raise TunewellError(f"report_metrics needs {TOKEN_ENV}: {hint}", status=None)
    if not metrics:
        raise ValueError("report_metrics: no metrics given")
    encoded: Dict[str, Any] = {}
    for name, value in metrics.items():
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise ValueError(f"report_metrics: metric {name} must be a number, got {value!r}") from None
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"report_metrics: metric {name} must be a number, got {type(value).__name__}")
        encoded[str(name)] = encode_number(value)
    if step is not None and (isinstance(step, bool) or not isinstance(step, int) or step < 0):
        raise ValueError(f"report_metrics: step must be a whole number >= 0, got {step!r}")
    body: Dict[str, Any] = {"metrics": encoded, "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")}
    if step is not None:
        body["step"] = step
    if timeout is None:
        try:
            timeout = float(os.environ.get(RETRY_ENV, "60"))
        except ValueError:
            timeout = 60.0
    # The receiver's URL is complete; Http joins paths onto a base, so the base is the URL itself.
    Http(url, token, retry_seconds=timeout).request("POST", "", body)
