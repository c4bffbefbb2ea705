"""Fault injection: rules set through the admin endpoint, off until a test or benchmark adds one.

A rule matches requests by service, action and account (absent = any), lets the first `after` of them
through unharmed (absent = none), and affects at most `count` of the rest (absent = all). Kinds:
`deny_assume_role`, `deny`, `throttle`, `error`, `latency` (sandbox/README.md).
"""

import threading
from dataclasses import asdict, dataclass

KINDS = ("deny_assume_role", "deny", "throttle", "error", "latency")


@dataclass
class FaultRule:
    """One fault rule, as the admin endpoint shows it."""

    id: int
    kind: str
    service: str | None = None
    action: str | None = None
    account_id: str | None = None
    count: int | None = None
    after: int | None = None
    ms: int | None = None
    status: int | None = None
    applied: int = 0
    passed: int = 0

    def matches(self, service: str, action: str, account_id: str) -> bool:
        return (
            (self.service is None or self.service == service)
            and (self.action is None or self.action == action)
            and (self.account_id is None or self.account_id == account_id)
            and (self.count is None or self.applied < self.count)
        )


def is_int(value) -> bool:
    """An integer, and not a bool (which Python counts as one)."""
    return isinstance(value, int) and not isinstance(value, bool)


class Faults:
    """The rules in force. Thread-safe: requests consult it concurrently."""

    def __init__(self):
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._next_id = 1

    def add(self, spec: dict) -> FaultRule:
        """Validates and adds a rule; raises ValueError naming the bad field."""
        unknown = set(spec) - {"kind", "service", "action", "account_id", "count", "after", "ms", "status"}
        if unknown:
            raise ValueError(f"unknown field(s) {sorted(unknown)}")
        kind = spec.get("kind")
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {list(KINDS)}, not {kind!r}")
        if kind == "deny_assume_role":
            spec = {**spec, "service": "sts", "action": "AssumeRole"}
            if not spec.get("account_id"):
                raise ValueError("deny_assume_role needs account_id")
        if kind == "latency" and not (is_int(spec.get("ms")) and spec["ms"] >= 0):
            raise ValueError("latency needs ms, an integer >= 0")
        status = spec.get("status")
        if status is not None and not (is_int(status) and 400 <= status <= 599):
            raise ValueError("status must be an HTTP error status, 400 to 599")
        count = spec.get("count")
        if count is not None and not (is_int(count) and count >= 1):
            raise ValueError("count must be a positive integer")
        after = spec.get("after")
        if after is not None and not (is_int(after) and after >= 0):
            raise ValueError("after must be an integer >= 0")
        with self._lock:
            rule = FaultRule(id=self._next_id, **spec)
            if kind == "error" and rule.status is None:
                rule.status = 500
            self._next_id += 1
            self._rules.append(rule)
            return rule

    def take(self, service: str, action: str, account_id: str) -> tuple[int, FaultRule | None]:
        """For one request: the latency to add (ms) and the failing rule that applies, if any.

        Every matching latency rule adds its delay; the first matching failing rule answers the
        request. Each applied rule uses up one of its count. A rule with `after` lets that many
        matching requests through first (counted in arrival order, whether or not another rule
        answers them), so a test can fail the Nth call of a run.
        """
        latency = 0
        failure = None
        with self._lock:
            for rule in self._rules:
                if not rule.matches(service, action, account_id):
                    continue
                if rule.passed < (rule.after or 0):
                    rule.passed += 1
                    continue
                if rule.kind == "latency":
                    latency += rule.ms or 0
                    rule.applied += 1
                elif failure is None:
                    failure = rule
                    rule.applied += 1
        return latency, failure

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def describe(self) -> list[dict]:
        with self._lock:
            return [
                {**asdict(r), "remaining": None if r.count is None else r.count - r.applied}
                for r in self._rules
            ]
