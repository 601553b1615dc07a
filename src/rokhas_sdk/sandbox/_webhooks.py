"""Webhook delivery: every event goes to an outbox (in the write's own transaction),
then a background thread POSTs it, signed, to each endpoint subscribed to its type.

Delivery is at-least-once: an event is marked delivered only after every subscribed
endpoint answered 2xx; otherwise it is retried with backoff. Receivers de-duplicate on
the event id. The signature timestamp is real wall-clock time (receivers check it
against their own clock), while the event's ``created_at`` is sandbox time.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._core import Sandbox

__all__ = ["WebhookDispatcher"]

log = logging.getLogger("rokhas_sdk.sandbox.webhooks")


class WebhookDispatcher:
    """Delivers the outbox to registered endpoints from a daemon thread (started lazily)."""

    def __init__(self, sandbox: Sandbox, *, timeout_s: float = 5.0, max_attempts: int = 8) -> None:
        self.sandbox = sandbox
        self.timeout_s = timeout_s
        self.max_attempts = max_attempts
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._cursor = 0
        self._attempts: dict[tuple[int, str], int] = {}
        self.delivered: list[tuple[str, str, int]] = []  # (event id, endpoint id, status)
        self._client: Any = None
        self._known_endpoints: bool | None = None  # looked up once, then told
        self._round = threading.Lock()  # one delivery round at a time: no double sends

    def kick(self) -> None:
        """Tell the worker there may be something to deliver."""
        if not self.sandbox.deliver_webhooks:
            return
        if self._thread is None:
            # Checked once per request: the answer is cached until an endpoint appears.
            if self._known_endpoints is None:
                self._known_endpoints = self._has_endpoints()
            if not self._known_endpoints:
                return
            self._thread = threading.Thread(
                target=self._run, name="rokhas-sandbox-webhooks", daemon=True
            )
            self._thread.start()
        self._wake.set()

    def _has_endpoints(self) -> bool:
        return self.sandbox.store.count("webhook_endpoint") > 0

    def endpoint_added(self) -> None:
        """An endpoint was registered: deliveries may start."""
        self._known_endpoints = True

    def stop(self) -> None:
        """Stop the worker (pending events stay in the outbox)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._client is not None:
            self._client.close()

    def flush(self, timeout_s: float = 5.0) -> bool:
        """Deliver what is pending now, in the caller's thread; True when nothing is left."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._deliver_pending() == 0:
                return True
            time.sleep(0.05)
        return False

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(timeout=1.0)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self._deliver_pending()
            except Exception:  # a broken receiver must never stop the platform
                log.exception("sandbox webhooks: delivery round failed")

    def _may_receive(self, ep: dict[str, Any], event: dict[str, Any]) -> bool:
        """An endpoint gets the events of dossiers its owner may see (and its own tests)."""
        from ._authz import can_see_dossier

        owner = self.sandbox.users.get(ep.get("owner", ""))
        if owner is None:
            return False
        did = event.get("dossier_id")
        if did is None:
            return bool(event.get("object_id") == ep["id"])
        with self.sandbox._lock:
            record = self.sandbox.records.get(did)
        return record is not None and can_see_dossier(owner, record)

    def _deliver_pending(self) -> int:
        with self._round:
            return self._deliver_round()

    def _deliver_round(self) -> int:
        import httpx

        from ..api import (
            WEBHOOK_EVENT_ID_HEADER,
            WEBHOOK_SIGNATURE_HEADER,
            webhook_signature_header,
        )

        if self._client is None:
            self._client = httpx.Client(timeout=self.timeout_s)
        sb = self.sandbox
        with sb._lock:
            pending = sb.store.outbox(undelivered=True)
            endpoints = [body for _, body in sb.store.scan("webhook_endpoint", limit=10_000)]
        left = 0
        for seq, event in pending:
            ok = True
            for ep in endpoints:
                if event["type"] not in ep["event_types"] and event["type"] != "webhook.test":
                    continue
                if event["type"] == "webhook.test" and event.get("object_id") != ep["id"]:
                    continue
                if not self._may_receive(ep, event):
                    continue
                key = (seq, ep["id"])
                attempts = self._attempts.get(key, 0)
                if attempts >= self.max_attempts:
                    continue
                body = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
                secrets = [ep["secret"]]
                if (
                    ep.get("previous_secret")
                    and (ep.get("previous_secret_expires_at") or "") > sb.clock.now().isoformat()
                ):
                    secrets.append(ep["previous_secret"])
                headers = {
                    "content-type": "application/json",
                    WEBHOOK_SIGNATURE_HEADER: webhook_signature_header(
                        body, secrets, int(time.time())
                    ),
                    WEBHOOK_EVENT_ID_HEADER: event["id"],
                }
                try:
                    status = self._client.post(ep["url"], content=body, headers=headers).status_code
                except httpx.HTTPError:
                    status = 0
                self._attempts[key] = attempts + 1
                if 200 <= status < 300:
                    self.delivered.append((event["id"], ep["id"], status))
                    self._attempts[key] = self.max_attempts  # done for this endpoint
                else:
                    ok = False
            if ok:
                with sb._lock:
                    sb.store.outbox_mark(seq)
            else:
                left += 1
        return left
