"""The calls of Katib's Python SDK (kubeflow-katib's KatibClient) a notebook user makes,
re-expressed on the Kubernetes Python client the SDK wraps, against tunewell serve.

Each method does what KatibClient's method of the same name does, with the same API calls
(sdk/python/v1beta1/kubeflow/katib/api/katib_client.py in kubeflow/katib): the SDK itself is not
packaged for Debian, and these are all it asks of the API server. Run by
test/kube-api/python-client.test.ts with KUBECONFIG set: `katib_sdk_calls.py EXPERIMENT_JSON`;
prints one JSON report for the test to assert on.
"""

import json
import sys
import time

from kubernetes import client, config
from kubernetes.client.rest import ApiException

GROUP, VERSION = "kubeflow.org", "v1beta1"
EXPERIMENT_LABEL = "katib.kubeflow.org/experiment"


def has_condition(conditions, condition_type):
    """utils.has_condition: the condition is there with status True."""
    return any(c.get("type") == condition_type and c.get("status") == "True" for c in conditions or [])


class KatibCalls:
    def __init__(self, namespace):
        config.load_kube_config()
        self.custom_api = client.CustomObjectsApi()
        self.namespace = namespace

    def create_experiment(self, experiment):
        outputs = self.custom_api.create_namespaced_custom_object(GROUP, VERSION, self.namespace, "experiments", experiment)
        # With generateName the server picks the name.
        return outputs["metadata"]["name"]

    def get_experiment(self, name):
        return self.custom_api.get_namespaced_custom_object(GROUP, VERSION, self.namespace, "experiments", name)

    def wait_for_experiment_condition(self, name, expected_condition="Succeeded", timeout=180, polling_interval=0.5, done=None):
        """Polls get_experiment as the SDK does; raises once the experiment is Failed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            experiment = self.get_experiment(name)
            conditions = (experiment.get("status") or {}).get("conditions")
            if expected_condition != "Failed" and has_condition(conditions, "Failed"):
                raise RuntimeError(f"Experiment: {self.namespace}/{name} is Failed. Experiment conditions: {conditions}")
            if has_condition(conditions, expected_condition) and (done is None or done(experiment)):
                return experiment
            time.sleep(polling_interval)
        raise TimeoutError(f"Timeout waiting for Experiment: {self.namespace}/{name} to reach {expected_condition} state")

    def get_optimal_hyperparameters(self, name):
        status = self.get_experiment(name).get("status") or {}
        optimal = status.get("currentOptimalTrial")
        if optimal and (optimal.get("observation") or {}).get("metrics"):
            return optimal
        return None

    def get_trial(self, name):
        return self.custom_api.get_namespaced_custom_object(GROUP, VERSION, self.namespace, "trials", name)

    def get_suggestion(self, name):
        return self.custom_api.get_namespaced_custom_object(GROUP, VERSION, self.namespace, "suggestions", name)

    def list_trials(self, experiment_name):
        response = self.custom_api.list_namespaced_custom_object(
            GROUP, VERSION, namespace=self.namespace, plural="trials", label_selector=f"{EXPERIMENT_LABEL}={experiment_name}",
        )
        return response["items"]

    def get_success_trial_details(self, experiment_name):
        result = []
        for trial in self.list_trials(experiment_name):
            if has_condition((trial.get("status") or {}).get("conditions"), "Succeeded"):
                result.append({
                    "name": trial["metadata"]["name"],
                    "parameter_assignments": trial["spec"]["parameterAssignments"],
                    "metrics": trial["status"]["observation"]["metrics"],
                })
        return result

    def edit_experiment_budget(self, name, max_trial_count):
        # The SDK patches with the whole object it got, status and resourceVersion included.
        experiment = self.get_experiment(name)
        experiment["spec"]["maxTrialCount"] = max_trial_count
        self.custom_api.patch_namespaced_custom_object(GROUP, VERSION, self.namespace, "experiments", name, experiment)

    def delete_experiment(self, name, delete_options=None):
        self.custom_api.delete_namespaced_custom_object(GROUP, VERSION, self.namespace, "experiments", name, body=delete_options)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        experiment = json.load(f)
    katib = KatibCalls(experiment["metadata"].get("namespace", "default"))
    report = {}
    name = katib.create_experiment(experiment)
    report["name"] = name
    succeeded = katib.wait_for_experiment_condition(name)
    report["succeeded"] = succeeded
    report["optimal"] = katib.get_optimal_hyperparameters(name)
    report["successTrials"] = katib.get_success_trial_details(name)
    if report["optimal"]:
        report["bestTrial"] = katib.get_trial(report["optimal"]["bestTrialName"])
    report["suggestion"] = katib.get_suggestion(name)

    budget = experiment["spec"]["maxTrialCount"] + 1
    katib.edit_experiment_budget(name, budget)
    resumed = katib.wait_for_experiment_condition(name, done=lambda e: (e.get("status") or {}).get("trialsSucceeded") == budget)
    report["resumed"] = resumed
    report["resumedSuccessTrials"] = katib.get_success_trial_details(name)
    try:
        katib.delete_experiment(name)
        report["deleteWithoutOptions"] = None
    except ApiException as error:
        # Recorded for the test; DeleteOptions go along so the rest still runs.
        report["deleteWithoutOptions"] = {"code": error.status, "body": error.body}
        katib.delete_experiment(name, client.V1DeleteOptions())
    try:
        katib.get_experiment(name)
        report["afterDelete"] = None
    except ApiException as error:
        report["afterDelete"] = error.status
    print(json.dumps(report))


if __name__ == "__main__":
    try:
        main()
    except ApiException as error:
        print(f"unexpected refusal: {error.status} {error.reason}\n{error.body}", file=sys.stderr)
        sys.exit(1)
