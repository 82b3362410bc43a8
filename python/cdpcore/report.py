"""IngestReport: what happened to every row of one ingest call."""
import html


class IngestReport:
    """Counts of one ingest call. ``read == accepted + quarantined + duplicates`` always holds.

    Example: ``rep = ws.ingest_csv("events.csv"); rep.accepted``
    """

    def __init__(self, d):
        self.source = d["source"]
        self.read = int(d["read"])
        self.accepted = int(d["accepted"])
        self.quarantined = int(d["quarantined"])
        self.duplicates = int(d["duplicates"])
        self.reasons = dict(d["reasons"])     # quarantine code -> rows
        self.warnings = dict(d["warnings"])   # accepted rows with a field set aside
        self.bytes = int(d["bytes"])
        self.seconds = float(d["seconds"])

    @property
    def erased(self):
        """Rows rejected because they carry an identifier of an erased person (counted in
        ``quarantined`` under the reason ``erased_subject``, with no quarantine row)."""
        return int(self.reasons.get("erased_subject", 0))

    @property
    def consistent(self):
        """True when read == accepted + quarantined + duplicates."""
        return self.read == self.accepted + self.quarantined + self.duplicates

    def to_dict(self):
        return {k: getattr(self, k) for k in ("source", "read", "accepted", "quarantined", "duplicates",
                                              "reasons", "warnings", "bytes", "seconds")}

    def __repr__(self):
        reasons = ", ".join(f"{k}={v}" for k, v in sorted(self.reasons.items()))
        return (f"IngestReport(source={self.source!r}, read={self.read}, accepted={self.accepted}, "
                f"quarantined={self.quarantined}, duplicates={self.duplicates}"
                + (f", reasons: {reasons}" if reasons else "") + ")")

    def __str__(self):
        lines = [f"{self.source}: read {self.read:,}  accepted {self.accepted:,}  "
                 f"quarantined {self.quarantined:,}  duplicates {self.duplicates:,}  ({self.seconds:.2f} s)"]
        for k, v in sorted(self.reasons.items(), key=lambda kv: -kv[1]):
            lines.append(f"    quarantined {k:<22} {v:>10,}")
        for k, v in sorted(self.warnings.items(), key=lambda kv: -kv[1]):
            lines.append(f"    warning     {k:<22} {v:>10,}")
        return "\n".join(lines)

    def _repr_html_(self):
        rows = [("read", self.read), ("accepted", self.accepted), ("quarantined", self.quarantined),
                ("duplicates", self.duplicates)]
        body = "".join(f"<tr><td>{k}</td><td style='text-align:right'>{v:,}</td></tr>" for k, v in rows)
        for k, v in sorted(self.reasons.items(), key=lambda kv: -kv[1]):
            body += f"<tr><td>&nbsp;&nbsp;quarantined: {html.escape(k)}</td><td style='text-align:right'>{v:,}</td></tr>"
        for k, v in sorted(self.warnings.items(), key=lambda kv: -kv[1]):
            body += f"<tr><td>&nbsp;&nbsp;warning: {html.escape(k)}</td><td style='text-align:right'>{v:,}</td></tr>"
        return (f"<table><caption>IngestReport: {html.escape(self.source)} ({self.seconds:.2f} s)</caption>"
                f"{body}</table>")
