"""The record of every AWS request served, so tests and benchmarks can count calls by action.

Bounded so a long-lived sandbox cannot grow without limit; the admin endpoint reads and clears it.
"""

import threading
import time
from collections import deque

MAX_ENTRIES = 200_000


class RequestRecord:
    """Append-only log of requests (service, action, account, region, HTTP status, injected fault)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries: deque = deque(maxlen=MAX_ENTRIES)
        self._seq = 0

    def add(self, service: str, action: str, account_id: str, region: str, status: int, principal: str,
            fault: str | None = None, target_account_id: str | None = None) -> None:
        with self._lock:
            self._seq += 1
            entry = {
                "seq": self._seq,
                "time": time.time(),
                "service": service,
                "action": action,
                "account_id": account_id,
                "region": region,
                "status": status,
                "principal": principal,
                "fault": fault,
            }
            if target_account_id:
                entry["target_account_id"] = target_account_id
            self._entries.append(entry)

    def query(self, filters: dict) -> list[dict]:
        """The entries whose fields equal every given filter (service, action, account_id, principal)."""
        with self._lock:
            return [e for e in self._entries if all(e.get(k) == v for k, v in filters.items())]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
