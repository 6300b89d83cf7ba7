"""The client against a real ``tunewell serve`` (TUNEWELL_URL, TUNEWELL_TOKEN), started by
test/clients/python-client.test.ts. Each test makes experiments of its own (TUNEWELL_TEST_PREFIX)."""
import math
import os
import signal
import subprocess
import sys
import threading
import time
import unittest
import uuid

from tunewell import Client, Trial, TunewellError, report_metrics

HERE = os.path.dirname(os.path.abspath(__file__))
PREFIX = os.environ.get("TUNEWELL_TEST_PREFIX", "py")


def unique(name):
    return f"{PREFIX}-{name}-{uuid.uuid4().hex[:6]}"


def ask_tell_yaml(name, *, parallel=2, max_trials=6, algorithm="random", failed=None):
    return f"""apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: {name}
spec:
  objective:
    type: minimize
    objectiveMetricName: loss
  algorithm:
    algorithmName: {algorithm}
    algorithmSettings:
      - name: random_state
        value: "3"
  parallelTrialCount: {parallel}
  maxTrialCount: {max_trials}
{f"  maxFailedTrialCount: {failed}" if failed is not None else ""}
  parameters:
    - name: x
      parameterType: double
      feasibleSpace: {{min: "-3", max: "3"}}
    - name: layers
      parameterType: int
      feasibleSpace: {{min: "1", max: "4"}}
    - name: optimizer
      parameterType: categorical
      feasibleSpace: {{list: [sgd, adam]}}
"""


class ClientTest(unittest.TestCase):
    client: Client

    @classmethod
    def setUpClass(cls):
        cls.client = Client()

    def wait_completed(self, name, timeout=60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            experiment = self.client.get_experiment(name)
            if experiment["status"]["state"] in ("Succeeded", "Failed"):
                return experiment
            time.sleep(0.2)
        self.fail(f"{name} did not complete within {timeout} s: {experiment['status']}")

    def test_create_get_and_typed_params(self):
        name = unique("typed")
        created = self.client.create_experiment(ask_tell_yaml(name))
        self.assertEqual(created["metadata"]["name"], name)
        self.assertEqual(self.client.get_experiment(name)["spec"]["maxTrialCount"], 6)
        trial = self.client.ask(name)
        self.assertIsInstance(trial, Trial)
        self.assertIsInstance(trial.params["x"], float)
        self.assertIsInstance(trial.params["layers"], int)
        self.assertIn(trial.params["optimizer"], ("sgd", "adam"))
        self.assertEqual(trial.assignments["layers"], str(trial.params["layers"]))
        self.assertFalse(trial.report({"loss": 2.0}))
        self.assertFalse(trial.report({"loss": float("nan")}, step=5))
        told = trial.tell(0.5)
        self.assertEqual(told["state"], "Succeeded")
        # A tell repeated after a lost answer is no error.
        self.assertEqual(trial.tell(0.5)["state"], "finished already")
        rows = self.client.trials(name)
        self.assertEqual([r["name"] for r in rows if r["state"] == "Succeeded"], [trial.name])

    def test_dict_experiment_and_refusals_with_their_place(self):
        with self.assertRaises(TunewellError) as refused:
            self.client.create_experiment(ask_tell_yaml(unique("bad")).replace('max: "4"', 'max: "four"'))
        error = refused.exception
        self.assertEqual(error.status, 422)
        self.assertEqual(error.code, "SPEC_INVALID")
        self.assertTrue(any(issue.get("line") for issue in error.issues), error.issues)
        self.assertIn("feasibleSpace", str(error))
        with self.assertRaises(TunewellError) as missing:
            self.client.get_experiment(unique("nobody"))
        self.assertEqual(missing.exception.status, 404)
        name = unique("dict")
        spec = {
            "apiVersion": "kubeflow.org/v1beta1", "kind": "Experiment", "metadata": {"name": name},
            "spec": {"objective": {"type": "maximize", "objectiveMetricName": "acc"}, "algorithm": {"algorithmName": "random"},
                     "maxTrialCount": 2, "parallelTrialCount": 1,
                     "parameters": [{"name": "c", "parameterType": "double", "feasibleSpace": {"min": "0", "max": "1"}}]},
        }
        self.assertEqual(self.client.create_experiment(spec)["metadata"]["name"], name)

    def test_enqueue_runs_the_sets_first_and_refuses_a_value_outside_the_space(self):
        name = unique("enqueue")
        self.client.create_experiment(ask_tell_yaml(name, parallel=1, max_trials=3))
        with self.assertRaises(TunewellError) as refused:
            self.client.enqueue(name, [{"x": 0.5, "layers": 2, "optimizer": "adam"}, {"x": 9, "layers": 2, "optimizer": "adam"}])
        self.assertEqual(refused.exception.status, 422)
        self.assertEqual([issue.get("path") for issue in refused.exception.issues], ["/params/1/x"])
        self.assertEqual(self.client.enqueue(name, {"x": 0.5, "layers": 2, "optimizer": "adam"}), 1)
        trial = self.client.ask(name)
        self.assertEqual(trial.params, {"x": 0.5, "layers": 2, "optimizer": "adam"})
        trial.tell(1.0)

    def test_optimize_with_workers_failures_and_best(self):
        name = unique("optimize")
        self.client.create_experiment(ask_tell_yaml(name, parallel=2, max_trials=8, failed=3))
        seen = []
        lock = threading.Lock()

        def objective(trial):
            with lock:
                seen.append(trial.number)
                count = len(seen)
            if count == 2:
                raise RuntimeError("diverged")
            for step in range(3):
                if trial.report({"loss": (trial.params["x"] - 1) ** 2 + 1 / (step + 1)}, step=step):
                    return None
            return (trial.params["x"] - 1) ** 2

        ran = self.client.optimize(name, objective, workers=2)
        self.assertEqual(ran, 8)
        experiment = self.wait_completed(name)
        self.assertEqual(experiment["status"]["state"], "Succeeded")
        trials = self.client.trials(name)
        states = sorted(t["state"] for t in trials)
        self.assertEqual(states.count("Failed"), 1, states)
        self.assertEqual(states.count("Succeeded"), 7, states)
        failed = next(t for t in trials if t["state"] == "Failed")
        self.assertIn("RuntimeError: diverged", failed.get("message") or "")
        best = self.client.best(name)
        succeeded = [t for t in trials if t["state"] == "Succeeded"]
        self.assertEqual(best["objective"], min(t["objective"] for t in succeeded))
        self.assertTrue(math.isclose(best["objective"], (best["params"]["x"] - 1) ** 2, rel_tol=1e-9, abs_tol=1e-12))
        # Completed: ask answers None, optimize runs nothing.
        self.assertIsNone(self.client.ask(name))
        self.assertEqual(self.client.optimize(name, objective), 0)
        frame = self.client.trials_dataframe(name)
        rows = frame.to_dict("records") if hasattr(frame, "to_dict") else frame
        self.assertEqual(len(rows), 8)
        self.assertIn("params_x", rows[0])
        self.assertIn("metrics_loss", rows[0])

    def test_several_objectives_tell_a_list_and_best_trials_is_the_front(self):
        name = unique("front")
        yaml = ask_tell_yaml(name, parallel=3, max_trials=3).replace(
            "    objectiveMetricName: loss\n",
            "    objectiveMetricName: loss\n    objectives: [{metric: size, direction: Minimize}]\n    constraints: [\"size <= 10\"]\n",
        )
        self.client.create_experiment(yaml)
        a, b, c = (self.client.ask(name) for _ in range(3))
        a.tell([1.0, 5.0])
        b.tell({"loss": 2.0, "size": 1.0})
        c.tell([0.5, 20.0])  # the lowest loss, but too large: infeasible
        front = self.client.best_trials(name)
        self.assertEqual([t["name"] for t in front], [a.name, b.name])
        self.assertEqual([t["values"] for t in front], [[1.0, 5.0], [2.0, 1.0]])
        self.assertEqual(self.client.best(name)["name"], a.name)
        infeasible = [t for t in self.client.trials(name) if t["name"] == c.name][0]
        self.assertFalse(infeasible["feasible"])
        self.assertEqual(infeasible["violations"], [{"constraint": "size <= 10", "violation": 10}])

    def test_n_trials_and_waiting_for_a_free_slot(self):
        name = unique("slots")
        self.client.create_experiment(ask_tell_yaml(name, parallel=1, max_trials=5))
        first = self.client.ask(name)
        # The only slot is taken: without waiting, no trial; with waiting, the next one once it frees.
        self.assertIsNone(self.client.ask(name, wait=False))
        got = []
        waiter = threading.Thread(target=lambda: got.append(self.client.ask(name)))
        waiter.start()
        time.sleep(0.5)
        self.assertEqual(got, [])
        first.tell(1.0)
        waiter.join(30)
        self.assertEqual(len(got), 1)
        self.assertNotEqual(got[0].name, first.name)
        got[0].tell(2.0)
        self.assertEqual(self.client.optimize(name, lambda t: t.params["x"] ** 2, n_trials=2), 2)
        self.assertEqual(len([t for t in self.client.trials(name) if t["state"] == "Succeeded"]), 4)

    def test_ctrl_c_fails_the_running_trial_and_stops(self):
        name = unique("sigint")
        self.client.create_experiment(ask_tell_yaml(name, parallel=1, max_trials=3))
        env = dict(os.environ, PYTHONPATH=os.path.dirname(HERE))
        child = subprocess.Popen([sys.executable, os.path.join(HERE, "interrupted.py"), name], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        try:
            line = child.stdout.readline()
            self.assertTrue(line.startswith("running "), line + child.stderr.read() if not line else line)
            trial_name = line.split()[1]
            child.send_signal(signal.SIGINT)
            out, err = child.communicate(timeout=60)
        finally:
            if child.poll() is None:
                child.kill()
        self.assertEqual(child.returncode, 130, out + err)
        trial = next(t for t in self.client.trials(name) if t["name"] == trial_name)
        self.assertEqual(trial["state"], "Failed")
        self.assertIn("interrupted", trial.get("message") or "")

    def test_report_metrics_from_a_trial_the_server_runs(self):
        name = unique("push")
        yaml = f"""apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: {name}
spec:
  objective:
    type: minimize
    objectiveMetricName: loss
  metricsCollectorSpec:
    collector:
      kind: Push
  algorithm:
    algorithmName: random
  parallelTrialCount: 2
  maxTrialCount: 2
  parameters:
    - name: x
      parameterType: double
      feasibleSpace: {{min: "-3", max: "3"}}
  trialTemplate:
    command: [{sys.executable}, {os.path.join(HERE, "push_trial.py")}, "--x=${{trialParameters.x}}"]
"""
        self.client.create_experiment(yaml)
        experiment = self.wait_completed(name, timeout=120)
        self.assertEqual(experiment["status"]["state"], "Succeeded", experiment["status"])
        for trial in self.client.trials(name):
            self.assertEqual(trial["state"], "Succeeded", trial)
            expected = (trial["params"]["x"] - 1.0) ** 2 + 1.0 / 3
            self.assertTrue(math.isclose(trial["objective"], expected, rel_tol=1e-9), (trial["objective"], expected))

    def test_report_metrics_outside_a_trial_says_why(self):
        saved = {k: os.environ.pop(k) for k in ("TUNEWELL_REPORT_URL", "TUNEWELL_REPORT_TOKEN") if k in os.environ}
        try:
            with self.assertRaises(TunewellError) as refused:
                report_metrics({"loss": 1.0})
            self.assertIn("TUNEWELL_REPORT_URL", str(refused.exception))
        finally:
            os.environ.update(saved)
        os.environ["TUNEWELL_REPORT_URL"] = self.client.url + "/nowhere"
        os.environ["TUNEWELL_REPORT_TOKEN"] = "x"
        try:
            with self.assertRaises(ValueError):
                report_metrics({"loss": "not a number"})
        finally:
            del os.environ["TUNEWELL_REPORT_URL"]
            del os.environ["TUNEWELL_REPORT_TOKEN"]

    def test_a_wrong_token_is_refused_at_once(self):
        if not os.environ.get("TUNEWELL_TOKEN"):
            self.skipTest("the server runs without a token")
        with self.assertRaises(TunewellError) as refused:
            Client(token="wrong", retry_seconds=0).list_experiments()
        self.assertEqual(refused.exception.status, 401)
        self.assertEqual(refused.exception.code, "UNAUTHORIZED")


if __name__ == "__main__":
    unittest.main()
