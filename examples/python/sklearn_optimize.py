"""Tunes a scikit-learn classifier with Tunewell's Python client, the way Optuna's optimize runs.

    tunewell serve &                      # in another terminal (or TUNEWELL_URL of yours)
    PYTHONPATH=clients/python python3 examples/python/sklearn_optimize.py

Needs scikit-learn (``pip install scikit-learn`` or Debian's ``python3-sklearn``); the client itself
needs nothing but the standard library. Run it several times at once to tune with several workers.
"""
import sys

from tunewell import Client, TunewellError

try:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import cross_val_score
    from sklearn.svm import SVC
except ImportError:
    sys.exit("this example needs scikit-learn: pip install scikit-learn (or apt-get install python3-sklearn)")

NAME = sys.argv[1] if len(sys.argv) > 1 else "sklearn-svc-digits"

EXPERIMENT = {
    "apiVersion": "kubeflow.org/v1beta1",
    "kind": "Experiment",
    "metadata": {"name": NAME},
    "spec": {
        "objective": {"type": "maximize", "objectiveMetricName": "accuracy", "goal": 0.995},
        "algorithm": {"algorithmName": "tpe", "algorithmSettings": [{"name": "random_state", "value": "1"}]},
        "parallelTrialCount": 2,
        "maxTrialCount": 30,
        "parameters": [
            {"name": "C", "parameterType": "double", "feasibleSpace": {"min": "0.01", "max": "100", "distribution": "logUniform"}},
            {"name": "gamma", "parameterType": "double", "feasibleSpace": {"min": "0.00001", "max": "0.1", "distribution": "logUniform"}},
            {"name": "kernel", "parameterType": "categorical", "feasibleSpace": {"list": ["rbf", "sigmoid"]}},
        ],
    },
}

X, y = load_digits(return_X_y=True)


def objective(trial):
    model = SVC(C=trial.params["C"], gamma=trial.params["gamma"], kernel=trial.params["kernel"])
    scores = []
    for fold, score in enumerate(cross_val_score(model, X, y, cv=3)):
        scores.append(score)
        # Intermediate values: the dashboard's curves, and early stopping when the experiment has a rule.
        if trial.report({"accuracy": sum(scores) / len(scores)}, step=fold):
            return None
    return sum(scores) / len(scores)


client = Client()
try:
    client.create_experiment(EXPERIMENT)
except TunewellError as error:
    if error.code != "EXPERIMENT_EXISTS":
        raise
    print(f"{NAME} exists already: adding this process as another worker")

client.optimize(NAME, objective)
best = client.best(NAME)
if best:
    print(f"best trial {best['name']}: accuracy={best['objective']:.4f}")
    for key, value in best["params"].items():
        print(f"  {key} = {value}")
