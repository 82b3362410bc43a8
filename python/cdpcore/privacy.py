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

import pandas as pd

from . import _core

PURPOSES = ("analytics", "marketing", "personalization", "advertising", "sale_of_data")


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
