"""A trial program for the Push collector: reports a loss per epoch with report_metrics."""
import sys

from tunewell import report_metrics

x = float(sys.argv[1].split("=", 1)[1])
for epoch in range(3):
    # Katib's SDK sends values as strings; numbers work too.
    report_metrics({"loss": str((x - 1.0) ** 2 + 1.0 / (epoch + 1))}, step=epoch)
