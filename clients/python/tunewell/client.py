"""The client of a Tunewell server's REST API (``tunewell serve``)."""
from __future__ import annotations

import os
import threading
import uuid
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Union
from urllib.parse import quote, urlencode

from ._http import Http, retry_after_seconds
from .errors import TunewellError
from .trial import Trial

DEFAULT_URL = "http://127.0.0.1:8080"


class Client:
    """A Tunewell server. ``url`` defaults to ``TUNEWELL_URL`` (else http://127.0.0.1:8080),
    ``token`` to ``TUNEWELL_TOKEN``. Requests that are safe to repeat are retried for up to
    ``retry_seconds`` on network errors and 5xx answers (a server restarting, a database away).
    """

    def __init__(self, url: Optional[str] = None, token: Optional[str] = None, *, retry_seconds: float = 60.0) -> None:
        self.url = (url or os.environ.get("TUNEWELL_URL") or DEFAULT_URL).rstrip("/")
        self._http = Http(self.url, token if token is not None else os.environ.get("TUNEWELL_TOKEN") or None, retry_seconds)

    def __repr__(self) -> str:
        return f"Client(url={self.url!r})"

    # Experiments -----------------------------------------------------------------------------

    def create_experiment(self, experiment: Union[str, Mapping[str, Any]]) -> Dict[str, Any]:
        """Submits an Experiment: Katib YAML text, or the same as a dict. Answers the stored resource.

        Refused experiments raise TunewellError with every problem in ``issues`` (with line and
        column for YAML). Not retried blindly: a lost answer would meet EXPERIMENT_EXISTS, which
        is then checked against what was sent.
        """
        if isinstance(experiment, str):
            body: Any = experiment
            content_type = "application/yaml"
        else:
            body = dict(experiment)
            content_type = "application/json"
        _, _, answer = self._http.request("POST", "/api/v1/experiments", body, content_type=content_type)
        resource = answer.get("experiment", answer) if isinstance(answer, dict) else answer
        for warning in (answer.get("warnings") or []) if isinstance(answer, dict) else []:
            where = warning.get("path", "") if isinstance(warning, dict) else ""
            message = warning.get("message", warning) if isinstance(warning, dict) else warning
            _warn(f"{where}: {message}" if where else str(message))
        return resource

    def get_experiment(self, name: str) -> Dict[str, Any]:
        """The experiment as Katib shows it: metadata, spec (with defaults) and status."""
        return self._get(f"/api/v1/experiments/{_q(name)}")

    def list_experiments(self, **filters: Any) -> List[Dict[str, Any]]:
        """Every experiment, newest first; filters as the API's (status, name, label)."""
        return list(self._pages("/api/v1/experiments", filters))

    def stop_experiment(self, name: str) -> Dict[str, Any]:
        return self._http.request("POST", f"/api/v1/experiments/{_q(name)}:stop", {})[2]

    def enqueue(self, name: str, params: Union[Mapping[str, Any], Sequence[Mapping[str, Any]]]) -> int:
        """Queue parameter sets for the next trials, before the algorithm's suggestions (Optuna's
        ``enqueue_trial``): one dict or a list of them, each giving every parameter a value inside
        its feasible space; a problem raises TunewellError (422) with ``issues`` at
        ``/params/<i>/<name>``, and nothing is queued. Returns how many sets wait for a trial."""
        sets = [dict(params)] if isinstance(params, Mapping) else [dict(p) for p in params]
        answer = self._http.request("POST", f"/api/v1/experiments/{_q(name)}/trials:enqueue", {"params": sets})[2]
        return int(answer["queued"])

    def delete_experiment(self, name: str) -> None:
        self._http.request("DELETE", f"/api/v1/experiments/{_q(name)}", allow=(404,))

    # Trials ----------------------------------------------------------------------------------

    def trials(self, name: str, *, state: Optional[str] = None, sort: str = "number") -> List[Dict[str, Any]]:
        """Every trial of the experiment (all pages), each with params, state, objective and metrics."""
        query: Dict[str, Any] = {"sort": sort}
        if state:
            query["state"] = state
        return list(self._pages(f"/api/v1/experiments/{_q(name)}/trials", query))

    def best(self, name: str) -> Optional[Dict[str, Any]]:
        """The best trial so far (as the experiment's status names it), or None before any succeeded."""
        status = self.get_experiment(name).get("status") or {}
        optimal = status.get("currentOptimalTrial") or {}
        trial_name = optimal.get("bestTrialName")
        if not trial_name:
            return None
        return self._get(f"/api/v1/experiments/{_q(name)}/trials/{_q(trial_name)}")

    def best_trials(self, name: str) -> List[Dict[str, Any]]:
        """With several objectives the Pareto front (feasible trials no other dominates, each with
        ``values``), else the best trial alone; empty before any (Optuna's ``study.best_trials``)."""
        return list(self._get(f"/api/v1/experiments/{_q(name)}/best")["trials"])

    def trials_dataframe(self, name: str) -> Any:
        """The trials as a pandas DataFrame (one row per trial: number, name, state, objective,
        ``params_<name>`` and ``metrics_<name>`` columns), or a list of such dicts without pandas.
        Every row has every column, None where a trial has no value (a failed trial's metrics), as
        a DataFrame would, whichever trial comes first."""
        flat = [_flat_row(t) for t in self.trials(name)]
        columns = list(dict.fromkeys(key for row in flat for key in row))
        rows = [{key: row.get(key) for key in columns} for row in flat]
        try:
            import pandas  # type: ignore[import-not-found]
        except ImportError:
            return rows
        return pandas.DataFrame(rows)

    # Ask/tell --------------------------------------------------------------------------------

    def ask(self, name: str, *, worker: Optional[str] = None, wait: bool = True) -> Optional[Trial]:
        """A trial to run, or None once the experiment is completed.

        While every slot is taken (parallelTrialCount) the server answers NO_TRIAL_AVAILABLE with
        Retry-After; with ``wait`` this waits and asks again, else it answers None at once. One
        idempotency key per call, so a lost answer retried gives the same trial, never a second.
        """
        body: Dict[str, Any] = {"idempotencyKey": str(uuid.uuid4())}
        if worker:
            body["worker"] = worker
        path = f"/api/v1/experiments/{_q(name)}/trials:ask"
        while True:
            status, headers, answer = self._http.request("POST", path, body, allow=(409,))
            if status != 409:
                return Trial(self, name, answer)
            code = (answer or {}).get("error", {}).get("code") if isinstance(answer, dict) else None
            if code == "EXPERIMENT_COMPLETED":
                return None
            if code != "NO_TRIAL_AVAILABLE":
                raise TunewellError.from_answer("POST", path, status, answer)
            if not wait:
                return None
            _sleep(max(retry_after_seconds(headers.get("Retry-After")), 0.2))

    def optimize(
        self,
        name: str,
        objective: Callable[[Trial], Any],
        n_trials: Optional[int] = None,
        workers: int = 1,
        *,
        catch: tuple = (Exception,),
    ) -> int:
        """Runs ``objective(trial)`` on asked trials until the experiment completes or ``n_trials``
        have run, as Optuna's ``study.optimize``; answers how many trials this call ran.

        What ``objective`` returns is told (a number, or a dict of final values by metric; None
        when it told or failed the trial itself). An exception in ``catch`` fails that trial and
        the loop goes on; any other propagates after failing it. Ctrl-C fails the trials in
        progress with "interrupted" (they count towards maxFailedTrialCount) and re-raises.
        With ``workers`` > 1, that many threads ask and run at once.
        """
        if workers < 1:
            raise ValueError("workers must be at least 1")
        lock = threading.Lock()
        # started: slots taken (an ask in flight counts, so n_trials is never overshot); ran: trials run.
        state = {"started": 0, "ran": 0, "stop": False}
        errors: List[BaseException] = []
        open_trials: Dict[str, Trial] = {}

        def take() -> bool:
            with lock:
                if state["stop"] or (n_trials is not None and state["started"] >= n_trials):
                    return False
                state["started"] += 1
                return True

        def loop() -> None:
            while take():
                trial = self.ask(name)
                if trial is None:
                    with lock:
                        state["stop"] = True
                        state["started"] -= 1
                    return
                with lock:
                    open_trials[trial.name] = trial
                    state["ran"] += 1
                try:
                    value = objective(trial)
                except KeyboardInterrupt:
                    # Left in open_trials: the handler below fails it.
                    raise
                except catch as error:  # the caller's choice of exceptions
                    _forget(trial)
                    _fail_quietly(trial, f"{type(error).__name__}: {error}")
                    continue
                except BaseException as error:
                    _forget(trial)
                    _fail_quietly(trial, f"{type(error).__name__}: {error}")
                    with lock:
                        state["stop"] = True
                        errors.append(error)
                    return
                _forget(trial)
                if trial._closed.is_set():
                    continue  # the objective told or failed it itself
                if value is None:
                    _fail_quietly(trial, "the objective returned None without telling the trial")
                else:
                    trial.tell(value)

        def _forget(trial: Trial) -> None:
            with lock:
                open_trials.pop(trial.name, None)

        try:
            if workers == 1:
                loop()
            else:
                threads = [threading.Thread(target=_guard(loop, errors, lock), daemon=True, name=f"tunewell-optimize-{i}") for i in range(workers)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    while thread.is_alive():
                        thread.join(0.2)
        except KeyboardInterrupt:
            with lock:
                state["stop"] = True
                pending = list(open_trials.values())
            for trial in pending:
                _fail_quietly(trial, "interrupted (Ctrl-C)")
            raise
        if errors:
            raise errors[0]
        return state["ran"]

    # Internals -------------------------------------------------------------------------------

    def _get(self, path: str) -> Dict[str, Any]:
        return self._http.request("GET", path)[2]

    def _pages(self, path: str, query: Mapping[str, Any]) -> Iterator[Dict[str, Any]]:
        params = {k: v for k, v in query.items() if v is not None}
        params.setdefault("limit", 1000)
        while True:
            answer = self._get(f"{path}?{urlencode(params)}")
            yield from answer.get("items", [])
            cursor = answer.get("nextCursor")
            if not cursor:
                return
            params["cursor"] = cursor


def _q(name: str) -> str:
    return quote(name, safe="")


def _flat_row(trial: Mapping[str, Any]) -> Dict[str, Any]:
    row: Dict[str, Any] = {k: trial.get(k) for k in ("number", "name", "state", "objective", "createdAt", "startedAt", "finishedAt")}
    for key, value in (trial.get("params") or {}).items():
        row[f"params_{key}"] = value
    metrics = ((trial.get("observation") or {}).get("metrics")) or []
    for metric in metrics:
        if isinstance(metric, dict) and "name" in metric:
            row[f"metrics_{metric['name']}"] = metric.get("latest")
    return row


def _fail_quietly(trial: Trial, reason: str) -> None:
    try:
        trial.fail(reason)
    except TunewellError:
        pass


def _guard(loop: Callable[[], None], errors: List[BaseException], lock: threading.Lock) -> Callable[[], None]:
    def run() -> None:
        try:
            loop()
        except BaseException as error:  # a worker thread's error ends optimize in the caller
            with lock:
                errors.append(error)
    return run


def _sleep(seconds: float) -> None:
    threading.Event().wait(seconds)


def _warn(message: str) -> None:
    import warnings
    warnings.warn(f"tunewell: {message}", stacklevel=3)


