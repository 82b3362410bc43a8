"""Privacy helpers: keyed pseudonyms (HMAC-SHA256 via libsodium) with key rotation.

Consent, the audit chain and the rest of the privacy model live on the Workspace
(``ws.set_consent``, ``ws.consent``, ``ws.consent_of``, ``ws.configure_privacy``, ``ws.verify_audit``,
``ws.pseudonymize``); docs/privacy.md describes the model.

Example::

    key = cdp.privacy.PseudonymKey("k1", b"a secret of at least 16 bytes")
    cdp.privacy.pseudonymize(["ann@shop.com"], key)   # ['k1:...']
"""
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _core
from .errors import InvalidArgumentError

PURPOSES = ("analytics", "marketing", "personalization", "advertising", "sale_of_data")


def k_anonymity(frame, quasi_identifiers, k=5):
    """k-anonymity of a release over its quasi-identifiers (e.g. age band, postcode, gender): the
    smallest equivalence class (``k`` achieved), number of classes, and the classes and rows below
    the asked `k` (nulls form their own value). Generalize (``age_band``, ``truncate_postcode``,
    ``coarsen_time``) until ``rows_below`` is 0.

    Example: ``k_anonymity(export, ["age_band", "postcode", "gender"], k=5)["rows_below"]``
    """
    if isinstance(quasi_identifiers, str):
        quasi_identifiers = [quasi_identifiers]
    missing = [c for c in quasi_identifiers if c not in frame.columns]
    if missing or not quasi_identifiers:
        raise InvalidArgumentError(f"k_anonymity: no column(s) {missing or quasi_identifiers} in {list(frame.columns)}")
    codes = [pd.factorize(frame[c].astype(str).where(frame[c].notna(), "\0null"))[0].astype(np.int64)
             for c in quasi_identifiers]
    return _core.k_anonymity(codes, int(k))


def age_band(age, width=10, top=80):
    """Ages generalized to bands ("30-39", ..., "80+"); nulls stay null.

    Example: ``age_band(pd.Series([34, 81]))  # ['30-39', '80+']``
    """
    a = pd.to_numeric(pd.Series(age), errors="coerce")
    lo = (a // width * width).astype("Int64")
    out = lo.astype(str) + "-" + (lo + width - 1).astype(str)
    out = out.where(a < top, f"{top}+")
    return out.where(a.notna(), None)


def truncate_postcode(code, keep=3):
    """Postcodes cut to their first `keep` characters (spaces removed), e.g. "SW1A 1AA" -> "SW1".

    Example: ``truncate_postcode(df["postcode"], keep=2)``
    """
    s = pd.Series(code, dtype=object)
    return s.where(s.isna(), s.astype(str).str.replace(" ", "", regex=False).str[:keep])


def coarsen_time(ts, unit="D"):
    """Timestamps floored to a unit ("h", "D", "W" weeks, "M" months).

    Example: ``coarsen_time(events["ts"], "W")``
    """
    t = pd.to_datetime(pd.Series(ts))
    if unit == "M":
        return t.dt.to_period("M").dt.start_time.dt.tz_localize(t.dt.tz) if t.dt.tz is not None else t.dt.to_period("M").dt.start_time
    if unit == "W":
        return (t - pd.to_timedelta(t.dt.dayofweek, unit="D")).dt.floor("D")
    return t.dt.floor(unit)


def hmac_sha256(key, value):
    """HMAC-SHA256 of `value` under `key` (str or bytes) as 64 hex digits.

    Example: ``hmac_sha256(b"Jefe", b"what do ya want for nothing?")  # RFC 4231 case 2``
    """
    enc = lambda v: v.encode() if isinstance(v, str) else bytes(v)  # noqa: E731
    return _core.hmac_sha256(enc(key), enc(value))


@dataclass(frozen=True)
class PseudonymKey:
    """A pseudonymization key: `id` goes into every pseudonym ("k2:..."), so after a rotation one
    can tell which key made a value; `expires` (a Timestamp or None) refuses the key afterwards.

    Example: ``PseudonymKey("k2", os.urandom(32), expires="2027-01-01")``
    """
    id: str
    secret: bytes
    expires: object = None

    def _expires_us(self):
        if self.expires is None:
            return 2**63 - 1
        t = pd.Timestamp(self.expires)
        if t.tzinfo is None:
            t = t.tz_localize("UTC")
        return int(t.value // 1000)


def pseudonymize(values, key, digits=32, now=None):
    """Keyed pseudonyms "<key id>:<first `digits` hex digits of HMAC-SHA256(secret, value)>"; the
    same value and key always give the same pseudonym, so joins still work. A Series keeps its
    index; nulls stay null. An expired key or a secret under 16 bytes is an error.

    Example: ``pseudonymize(df["email"], key)``
    """
    secret = key.secret.encode() if isinstance(key.secret, str) else bytes(key.secret)
    now_us = int((pd.Timestamp(now).value // 1000) if now is not None else time.time() * 1e6)
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    mask = series.notna()
    out = pd.Series([None] * len(series), index=series.index, dtype=object)
    if mask.any():
        out[mask] = _core.pseudonyms(series[mask].astype(str).tolist(), key.id, secret, key._expires_us(), now_us,
                                     int(digits))
    return out if isinstance(values, pd.Series) else out.tolist()
