"""optimize() in a process of its own, interrupted by the test with SIGINT while a trial runs."""
import sys
import time

from tunewell import Client

client = Client()


def objective(trial):
    print(f"running {trial.name}", flush=True)
    time.sleep(60)
    return 0.0


try:
    client.optimize(sys.argv[1], objective)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(130)
