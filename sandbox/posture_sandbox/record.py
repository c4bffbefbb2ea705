"""The record of every AWS request served, so tests and benchmarks can count calls by action.

Bounded so a long-lived sandbox cannot grow without limit (the oldest entries go first, and the
answer says how many went); the admin endpoint reads it (from a `since` sequence number on) and
clears it.
"""

import threading
import time
from collections import deque

MAX_ENTRIES = 200_000


class RequestRecord:
    """Requests in order of arrival (service, action, account, region, HTTP status, injected fault)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries: deque = deque(maxlen=MAX_ENTRIES)
        self._seq = 0
        self._dropped = 0

    def add(self, service: str, action: str, iam_action: str, account_id: str, region: str, status: int,
            principal: str, fault: str | None = None, target_account_id: str | None = None) -> None:
        with self._lock:
            self._seq += 1
            entry = {
                "seq": self._seq,
                "time": time.time(),
                "service": service,
                "action": action,
                "iam_action": iam_action,
                "account_id": account_id,
                "region": region,
                "status": status,
                "principal": principal,
                "fault": fault,
            }
            if target_account_id:
                entry["target_account_id"] = target_account_id
            if len(self._entries) == self._entries.maxlen:
                self._dropped += 1
            self._entries.append(entry)

    def query(self, filters: dict, since: int = 0) -> tuple[list[dict], int]:
        """The entries after sequence number `since` whose fields equal every filter (service,
        action, account_id, principal), and how many entries were dropped for space so far."""
        with self._lock:
            entries = [e for e in self._entries
                       if e["seq"] > since and all(e.get(k) == v for k, v in filters.items())]
            return entries, self._dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._dropped = 0
