"""A trial handed out by ``Client.ask``: its parameters, and how to report, tell and fail it."""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Sequence, Union
from urllib.parse import quote

from ._http import encode_number
from .errors import TunewellError

if TYPE_CHECKING:
    from .client import Client

ParamValue = Union[int, float, str]


class Trial:
    """One ask/tell trial. ``params`` are typed: ints, floats and strings as the search space says.

    While the trial is open a background thread heartbeats (every third of the server's
    heartbeat timeout), so a long step never makes it stale. ``should_stop`` turns True once the
    server says the trial should end (killed, the experiment stopped or completed, an early
    stopping rule, or the trial handed to another worker after this one went quiet).
    """

    def __init__(self, client: "Client", experiment: str, answer: Mapping[str, Any]) -> None:
        self._client = client
        self.experiment = experiment
        self.name: str = answer["name"]
        self.number: int = answer["number"]
        self.params: Dict[str, ParamValue] = dict(answer.get("params") or {})
        #: Katib's form: every value as the string a trial template would receive.
        self.assignments: Dict[str, str] = {a["name"]: a["value"] for a in answer.get("parameterAssignments") or []}
        self.attempt: int = answer.get("attempt", 1)
        self.should_stop = False
        self.stop_reason: Optional[str] = None
        self._closed = threading.Event()
        self._steps: Dict[str, int] = {}
        timeout = float(answer.get("heartbeatTimeoutSeconds") or 300)
        self._heartbeat = threading.Thread(target=self._beat, args=(max(timeout / 3.0, 0.5),), daemon=True, name=f"tunewell-heartbeat-{self.name}")
        self._heartbeat.start()

    def __repr__(self) -> str:
        return f"Trial(name={self.name!r}, number={self.number}, params={self.params!r})"

    @property
    def _path(self) -> str:
        return f"/api/v1/experiments/{quote(self.experiment, safe='')}/trials/{quote(self.name, safe='')}"

    def report(self, metrics: Mapping[str, float], step: Optional[int] = None) -> bool:
        """Stores intermediate values (one point per metric at ``step``); answers whether to stop.

        Without ``step``, each metric counts its own reports 0, 1, 2... Resending a step
        overwrites it, so the request is retried safely. NaN and infinities are kept as reported.
        """
        if not metrics:
            raise ValueError("report: no metrics given")
        points = []
        for metric, value in metrics.items():
            at = step if step is not None else self._steps.get(metric, 0)
            if not isinstance(at, int) or isinstance(at, bool) or at < 0:
                raise ValueError(f"report: step must be a whole number >= 0, got {at!r}")
            points.append({"metric": metric, "step": at, "value": encode_number(value)})
            self._steps[metric] = at + 1
        _, _, answer = self._client._http.request("POST", self._path + "/observations", {"attempt": self.attempt, "points": points})
        return self._note_stop(answer)

    def tell(self, value: Union[float, Sequence[float], Mapping[str, float]]) -> Dict[str, Any]:
        """Ends the trial as Succeeded with the objective's value (a number), final values by metric
        name, or, with several objectives, a list of every objective's value in objective order."""
        body: Dict[str, Any] = {"attempt": self.attempt, "state": "Succeeded"}
        if isinstance(value, Mapping):
            body["values"] = {k: encode_number(v) for k, v in value.items()}
        elif isinstance(value, Sequence) and not isinstance(value, str):
            body["values"] = [encode_number(v) for v in value]
        else:
            body["value"] = encode_number(value)
        return self._finish(body)

    def fail(self, reason: str = "failed") -> Dict[str, Any]:
        """Ends the trial as Failed with ``reason`` (it counts towards maxFailedTrialCount)."""
        return self._finish({"attempt": self.attempt, "state": "Failed", "message": str(reason)[:4000]})

    def heartbeat(self) -> bool:
        """Keeps the trial from going stale; answers whether to stop. The background thread calls it."""
        _, _, answer = self._client._http.request("POST", self._path + ":heartbeat", {"attempt": self.attempt})
        return self._note_stop(answer)

    def close(self) -> None:
        """Stops the heartbeats without telling anything (the trial goes stale and is handed out again)."""
        self._closed.set()

    def _finish(self, body: Mapping[str, Any]) -> Dict[str, Any]:
        self._closed.set()
        # A tell repeated after a lost answer meets TRIAL_FINISHED: the first one was stored.
        status, _, answer = self._client._http.request("POST", self._path + ":tell", body, allow=(409,))
        if status == 409:
            code = (answer or {}).get("error", {}).get("code") if isinstance(answer, dict) else None
            if code == "TRIAL_FINISHED":
                return {"name": self.name, "state": "finished already"}
            raise TunewellError.from_answer("POST", self._path + ":tell", status, answer)
        return answer if isinstance(answer, dict) else {}

    def _note_stop(self, answer: Any) -> bool:
        if isinstance(answer, dict) and answer.get("shouldStop"):
            self.should_stop = True
            self.stop_reason = answer.get("reason")
        return self.should_stop

    def _beat(self, every: float) -> None:
        while not self._closed.wait(every):
            try:
                if self.heartbeat():
                    return
            except TunewellError as error:
                if error.status == 409:
                    # Finished, or handed to another worker after this one went quiet.
                    self.should_stop = True
                    self.stop_reason = error.code
                    return
                # The server away for longer than the retries: keep beating, the tell will say.
                continue
