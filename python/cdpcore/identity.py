"""IdentityReport and Profile: what identity resolution found, and one person's 360° view."""
import html

import pandas as pd

from ._tables import to_frame


def _rows_html(rows):
    return "".join(f"<tr><td>{html.escape(str(k))}</td><td style='text-align:right'>{html.escape(str(v))}</td></tr>"
                   for k, v in rows)


class IdentityReport:
    """Counts of a resolution: profiles, identifiers, links, merges, conflicts, blocked values.

    Example: ``rep = ws.resolve_identities(); rep.profiles, rep.merges, rep.conflicts``
    """

    _FIELDS = ("events", "events_unassigned", "profiles", "identifiers", "links", "merges", "conflicts",
               "removed", "blocked", "invalid", "replays")

    def __init__(self, d):
        for k in self._FIELDS:
            setattr(self, k, int(d[k]))
        self.conflicts_by_type = dict(d["conflicts_by_type"])  # identifier type -> refused links
        self.blocked_by_value = dict(d["blocked_by_value"])    # junk value -> occurrences dropped
        self.seconds = float(d["seconds"])

    def to_dict(self):
        out = {k: getattr(self, k) for k in self._FIELDS}
        out.update(conflicts_by_type=self.conflicts_by_type, blocked_by_value=self.blocked_by_value,
                   seconds=self.seconds)
        return out

    def __repr__(self):
        return (f"IdentityReport(events={self.events}, profiles={self.profiles}, identifiers={self.identifiers}, "
                f"merges={self.merges}, conflicts={self.conflicts}, blocked={self.blocked})")

    def __str__(self):
        lines = [f"identity: {self.events:,} events -> {self.profiles:,} profiles from {self.identifiers:,} "
                 f"identifiers ({self.seconds:.2f} s)",
                 f"    links {self.links:,}  merges {self.merges:,}  conflicts {self.conflicts:,}  "
                 f"removed {self.removed:,}",
                 f"    blocked identifier values {self.blocked:,}  too long {self.invalid:,}  "
                 f"events without a profile {self.events_unassigned:,}"]
        for k, v in sorted(self.conflicts_by_type.items()):
            lines.append(f"    conflicts on {k:<18} {v:>10,}")
        for k, v in sorted(self.blocked_by_value.items(), key=lambda kv: -kv[1])[:8]:
            lines.append(f"    blocked {k!r:<23} {v:>10,}")
        return "\n".join(lines)

    def _repr_html_(self):
        rows = [(k.replace("_", " "), f"{getattr(self, k):,}") for k in self._FIELDS]
        rows += [(f"conflicts on {k}", f"{v:,}") for k, v in sorted(self.conflicts_by_type.items())]
        rows += [(f"blocked {k!r}", f"{v:,}") for k, v in sorted(self.blocked_by_value.items(), key=lambda kv: -kv[1])]
        return f"<table><caption>IdentityReport ({self.seconds:.2f} s)</caption>{_rows_html(rows)}</table>"


class Profile:
    """One resolved person: identifiers, activity and recent events.

    Example: ``p = ws.profile("email:ann@shop.com"); p.identifiers, p.recent_events``
    """

    def __init__(self, d):
        self.id = int(d["id"])
        self.key = d["key"]                      # canonical identifier, "type:value"
        self.identifiers = list(d["identifiers"])
        self.events = int(d["events"])
        self.first_seen = pd.Timestamp(d["first_seen"], unit="us", tz="UTC") if self.events else None
        self.last_seen = pd.Timestamp(d["last_seen"], unit="us", tz="UTC") if self.events else None
        self.sessions = int(d["sessions"])
        self.returning = bool(d["returning"])
        # name -> current value (text); attribute_sources: name -> (source, time of the write)
        self.attributes = {name: value for name, value, _, _ in d["attributes"]}
        self.attribute_sources = {name: (source, pd.Timestamp(ts, unit="us", tz="UTC"))
                                  for name, _, ts, source in d["attributes"]}
        self.traits = {name: value for name, value in d["traits"]}
        self.recent_events = to_frame(d["recent_events"])

    def __repr__(self):
        return (f"Profile({self.id}, key={self.key!r}, identifiers={len(self.identifiers)}, events={self.events}, "
                f"returning={self.returning})")

    def _repr_html_(self):
        facts = [("key", self.key), ("events", f"{self.events:,}"), ("first seen", self.first_seen),
                 ("last seen", self.last_seen), ("sessions", self.sessions),
                 ("visitor", "returning" if self.returning else "new")]
        ids = "".join(f"<li>{html.escape(i)}</li>" for i in self.identifiers)
        attrs = _rows_html((k, f"{v}  ({self.attribute_sources[k][0]})") for k, v in self.attributes.items())
        traits = _rows_html(self.traits.items())
        cols = [c for c in ("ts", "type", "channel", "campaign", "revenue", "url") if c in self.recent_events]
        recent = self.recent_events[cols].to_html(index=False, na_rep="") if cols else ""
        return (f"<div><table><caption>Profile {self.id}</caption>{_rows_html(facts)}</table>"
                f"<b>Identifiers</b><ul>{ids}</ul>"
                + (f"<b>Attributes</b><table>{attrs}</table>" if self.attributes else "")
                + (f"<b>Traits</b><table>{traits}</table>" if self.traits else "")
                + f"<b>Recent events</b>{recent}</div>")
