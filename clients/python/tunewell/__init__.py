"""Tunewell's Python client: the REST API of ``tunewell serve``, ask/tell, and report_metrics.

Standard library only, Python 3.9 or later::

    from tunewell import Client

    client = Client()                      # TUNEWELL_URL / TUNEWELL_TOKEN
    client.create_experiment(open("experiment.yaml").read())
    client.optimize("my-experiment", lambda trial: (trial.params["x"] - 2) ** 2)
    print(client.best("my-experiment"))
"""
from .client import DEFAULT_URL, Client
from .errors import TunewellError
from .report import report_metrics
from .trial import Trial

__version__ = "0.1.0"
__all__ = ["Client", "DEFAULT_URL", "Trial", "TunewellError", "report_metrics", "__version__"]
