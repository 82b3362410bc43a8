"""Conversion of native tables (numpy columns) to pandas DataFrames."""
import numpy as np
import pandas as pd

# Columns holding int64 microseconds since the epoch, shown as UTC datetimes.
TIME_COLUMNS = {"ts", "signup_ts", "date"}


def to_frame(table, time_columns=TIME_COLUMNS):
    """Build a DataFrame from the dict the native module returns (names, columns)."""
    data = {}
    for name, col in zip(table["names"], table["columns"]):
        kind = col[0]
        if kind == "string":
            codes, cats = col[1], col[2]
            data[name] = pd.Categorical.from_codes(codes, categories=pd.Index(cats, dtype=object)) \
                if len(set(cats)) == len(cats) else pd.Series(np.asarray(cats, dtype=object)[codes])
        elif kind == "int64":
            arr = col[1]
            null = arr == np.iinfo(np.int64).min
            if name in time_columns:
                # int64 min is NaT in datetime64, so nulls need no mask (a Series.where with NaT
                # would fall back to object dtype).
                data[name] = pd.DatetimeIndex(arr.view("M8[us]").astype("M8[ns]")).tz_localize("UTC")
            elif null.any():
                data[name] = pd.array(np.where(null, 0, arr), dtype="Int64")
                data[name][null] = pd.NA
            else:
                data[name] = arr
        elif kind == "double":
            data[name] = col[1]
        elif kind == "bool":
            arr = col[1]
            null = arr < 0
            if null.any():
                b = pd.array(arr.astype(bool), dtype="boolean")
                b[null] = pd.NA
                data[name] = b
            else:
                data[name] = arr.astype(bool)
    if not data:
        return pd.DataFrame(columns=list(table["names"]))
    # Without columns=: pandas 1.5 turns tz-aware columns into objects on that path (50x slower).
    return pd.DataFrame(data)
