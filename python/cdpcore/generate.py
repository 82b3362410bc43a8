"""The built-in synthetic data set (deterministic by seed)."""
import os

from . import _core
from ._tables import to_frame


def generate(customers=10_000, days=120, seed=7, *, b2b_share=0.15, junk_id_rate=0.01, churn_share=0.30,
             events_scale=1.0):
    """Synthetic customers and their events as a dict of DataFrames: "events", "customers",
    "campaigns". ``true_person_id`` is the hidden ground truth for identity resolution.

    Example: ``data = cdpcore.generate(customers=1000, seed=1); data["events"].head()``
    """
    if customers <= 0:
        raise ValueError(f"generate: customers must be positive, got {customers}")
    if days <= 0:
        raise ValueError(f"generate: days must be positive, got {days}")
    raw = _core.generate(int(customers), int(days), int(seed), float(b2b_share), float(junk_id_rate),
                         float(churn_share), float(events_scale))
    return {name: to_frame(table) for name, table in raw.items()}


def generate_files(directory, customers=10_000, days=120, seed=7, *, format="csv", events_scale=1.0):
    """Write the synthetic data set as files (events.csv, customers.csv, campaigns.csv or .ndjson).

    Example: ``cdpcore.generate_files("data", customers=1000)``
    """
    if format not in ("csv", "ndjson"):
        raise ValueError(f"generate_files: format must be 'csv' or 'ndjson', got {format!r}")
    os.makedirs(directory, exist_ok=True)
    _core.write_generated(str(directory), format, int(customers), int(days), int(seed), float(events_scale))
    return {name: os.path.join(str(directory), f"{name}.{format}") for name in ("events", "customers", "campaigns")}
