"""SQLite storage: every acknowledged write is committed before the answer leaves.

One connection, one transaction per request (``BEGIN IMMEDIATE`` ... ``COMMIT``), under a
lock, so a request's writes are all there or none are. With a file, the database runs in
WAL mode with ``synchronous=FULL`` by default: a commit has reached the disk before the
HTTP answer is sent, so kill -9 (or a power cut) never loses an acknowledged write.
``synchronous="NORMAL"`` keeps that guarantee for a killed process (the WAL is in the OS
page cache) but not for a power cut; the bench uses it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from ._errors import SandboxConfigurationError
from ._json import dumps_text, loads

__all__ = ["Store"]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    owner TEXT,
    scope TEXT,
    state TEXT,
    updated_seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS docs_scope ON docs (kind, scope, updated_seq);
CREATE INDEX IF NOT EXISTS docs_owner ON docs (kind, owner, updated_seq);
CREATE TABLE IF NOT EXISTS journal (
    dossier_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    entry TEXT NOT NULL,
    PRIMARY KEY (dossier_id, seq)
);
CREATE TABLE IF NOT EXISTS blobs (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (
    principal TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (principal, key)
);
CREATE TABLE IF NOT EXISTS procedure_lines (
    dossier_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    line TEXT NOT NULL,
    PRIMARY KEY (dossier_id, seq)
);
CREATE TABLE IF NOT EXISTS permit_numbers (
    commune TEXT NOT NULL,
    number TEXT NOT NULL,
    dossier_id TEXT NOT NULL,
    PRIMARY KEY (commune, number)
);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    delivered INTEGER NOT NULL DEFAULT 0
);
"""


class Store:
    """A small document store on SQLite (``path=None``: in memory)."""

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
    ) -> None:
        self.path = Path(path) if path is not None else None
        target = str(self.path) if self.path is not None else ":memory:"
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so that a request
            # is exactly one transaction.
            self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
            if self.path is not None:
                mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise SandboxConfigurationError(
                        f"{self.path}: SQLite refused WAL mode (got {mode})"
                    )
                self._db.execute(f"PRAGMA synchronous={synchronous}")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise SandboxConfigurationError(
                f"cannot open the sandbox database {target}: {exc}; give a writable path to a "
                "SQLite file made by `rokhas sandbox serve --db`, or a new file name"
            ) from None
        self._lock = threading.RLock()
        self._in_tx = False
        self._outbox_buf: list[tuple[str, str, str]] = []
        # The sequence is recovered from the data itself, so no extra write per request.
        row = self._db.execute("SELECT MAX(updated_seq) FROM docs").fetchone()
        self._seq = max(int(row[0] or 0), int(self.meta_get("seq") or 0))

    # -- transactions ---------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """One atomic unit: committed on success, rolled back on any exception."""
        with self._lock:
            if self._in_tx:  # nested: part of the outer transaction
                yield self
                return
            # DEFERRED: reads (most GETs) never take the write lock; one connection, so no
            # other writer can slip in between the read and the upgrade.
            self._db.execute("BEGIN")
            self._in_tx = True
            seq_before = self._seq
            self._outbox_buf = []
            try:
                yield self
                if self._outbox_buf:
                    self._db.executemany(
                        "INSERT INTO outbox(event_id, type, body) VALUES(?,?,?)", self._outbox_buf
                    )
            except BaseException:
                self._db.execute("ROLLBACK")
                self._seq = seq_before
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._in_tx = False

    def close(self) -> None:
        """Close the database (a WAL checkpoint happens on close)."""
        with self._lock:
            self._db.close()

    def next_seq(self) -> int:
        """A strictly increasing sequence number (persisted with the transaction)."""
        self._seq += 1
        return self._seq

    # -- meta -------------------------------------------------------------------------
    def meta_get(self, key: str) -> str | None:
        """A stored setting."""
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def meta_set(self, key: str, value: str) -> None:
        """Store a setting."""
        with self.transaction():
            self._db.execute(
                "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET "
                "value=excluded.value",
                (key, value),
            )

    # -- documents --------------------------------------------------------------------
    def put(
        self,
        kind: str,
        id: str,
        body: dict[str, Any],
        *,
        owner: str | None = None,
        scope: str | None = None,
        state: str | None = None,
    ) -> None:
        """Insert or replace a document."""
        with self.transaction():
            self._db.execute(
                "INSERT INTO docs(kind, id, owner, scope, state, updated_seq, body) "
                "VALUES(?,?,?,?,?,?,?) "
                "ON CONFLICT(kind, id) DO UPDATE SET owner=excluded.owner, scope=excluded.scope, "
                "state=excluded.state, updated_seq=excluded.updated_seq, body=excluded.body",
                (
                    kind,
                    id,
                    owner,
                    scope,
                    state,
                    self.next_seq(),
                    dumps_text(body, lenient=False),
                ),
            )

    def get(self, kind: str, id: str) -> dict[str, Any] | None:
        """A document, or None."""
        row = self._db.execute("SELECT body FROM docs WHERE kind=? AND id=?", (kind, id)).fetchone()
        return None if row is None else loads(row[0])

    def delete(self, kind: str, id: str) -> None:
        """Remove a document."""
        with self.transaction():
            self._db.execute("DELETE FROM docs WHERE kind=? AND id=?", (kind, id))

    def scan(
        self,
        kind: str,
        *,
        owner: str | None = None,
        scope: str | None = None,
        state: str | None = None,
        after_seq: int = 0,
        limit: int = 1000,
    ) -> list[tuple[int, dict[str, Any]]]:
        """Documents of a kind, oldest change first, with their change sequence."""
        sql = "SELECT updated_seq, body FROM docs WHERE kind=? AND updated_seq>?"
        args: list[Any] = [kind, after_seq]
        if owner is not None:
            sql += " AND owner=?"
            args.append(owner)
        if scope is not None:
            sql += " AND scope=?"
            args.append(scope)
        if state is not None:
            sql += " AND state=?"
            args.append(state)
        sql += " ORDER BY updated_seq LIMIT ?"
        args.append(limit)
        return [(int(s), loads(b)) for s, b in self._db.execute(sql, args).fetchall()]

    def ids(self, kind: str, *, states: tuple[str, ...] = ()) -> list[str]:
        """Every id of a kind (optionally in some states)."""
        if states:
            marks = ",".join("?" * len(states))
            sql = f"SELECT id FROM docs WHERE kind=? AND state IN ({marks})"  # noqa: S608 - placeholders only
            rows = self._db.execute(sql, (kind, *states))
        else:
            rows = self._db.execute("SELECT id FROM docs WHERE kind=?", (kind,))
        return [str(r[0]) for r in rows.fetchall()]

    def count(self, kind: str) -> int:
        """How many documents of a kind."""
        return int(
            self._db.execute("SELECT COUNT(*) FROM docs WHERE kind=?", (kind,)).fetchone()[0]
        )

    # -- journal ----------------------------------------------------------------------
    def journal_append(self, dossier_id: str, entry: dict[str, Any], seq: int | None = None) -> int:
        """Append an entry to a dossier's journal; returns its sequence number (from 1).

        ``seq`` is the caller's count when it keeps one (saves a query); the primary key
        refuses a duplicate either way.
        """
        with self.transaction():
            if seq is None:
                row = self._db.execute(
                    "SELECT COALESCE(MAX(seq), 0) FROM journal WHERE dossier_id=?", (dossier_id,)
                ).fetchone()
                seq = int(row[0]) + 1
            self._db.execute(
                "INSERT INTO journal(dossier_id, seq, entry) VALUES(?,?,?)",
                (dossier_id, seq, dumps_text(entry)),
            )
        return seq

    def journal(self, dossier_id: str) -> list[dict[str, Any]]:
        """A dossier's journal, in order."""
        rows = self._db.execute(
            "SELECT entry FROM journal WHERE dossier_id=? ORDER BY seq", (dossier_id,)
        ).fetchall()
        return [loads(r[0]) for r in rows]

    # -- blobs ------------------------------------------------------------------------
    def put_blob(self, sha256: str, data: bytes) -> None:
        """Store bytes under their hash (content-addressed; storing twice is harmless)."""
        with self.transaction():
            self._db.execute(
                "INSERT OR IGNORE INTO blobs(sha256, data) VALUES(?, ?)", (sha256, data)
            )

    def get_blob(self, sha256: str) -> bytes | None:
        """Stored bytes, or None."""
        row = self._db.execute("SELECT data FROM blobs WHERE sha256=?", (sha256,)).fetchone()
        return None if row is None else bytes(row[0])

    # -- idempotency ------------------------------------------------------------------
    def idem_get(self, principal: str, key: str) -> tuple[str, int, dict[str, str], bytes] | None:
        """A stored answer to a write with this idempotency key."""
        row = self._db.execute(
            "SELECT fingerprint, status, headers, body FROM idempotency WHERE principal=? AND "
            "key=?",
            (principal, key),
        ).fetchone()
        if row is None:
            return None
        return str(row[0]), int(row[1]), loads(row[2]), bytes(row[3])

    def idem_put(
        self,
        principal: str,
        key: str,
        fingerprint: str,
        status: int,
        headers: dict[str, str],
        body: bytes,
        at: str,
    ) -> None:
        """Remember the answer to a write, in the write's own transaction."""
        with self.transaction():
            self._db.execute(
                "INSERT INTO idempotency(principal, key, fingerprint, status, headers, body, "
                "created_at) "
                "VALUES(?,?,?,?,?,?,?)",
                (principal, key, fingerprint, status, dumps_text(headers, lenient=False), body, at),
            )

    # -- procedure journals (append-only, as written) -----------------------------------
    def procedure_lines_extend(self, dossier_id: str, lines: tuple[bytes, ...]) -> None:
        """Append the lines of a dossier's procedure journal not stored yet."""
        with self.transaction():
            row = self._db.execute(
                "SELECT COUNT(*) FROM procedure_lines WHERE dossier_id=?", (dossier_id,)
            ).fetchone()
            have = int(row[0])
            self._db.executemany(
                "INSERT INTO procedure_lines(dossier_id, seq, line) VALUES(?,?,?)",
                [(dossier_id, i, lines[i].decode("utf-8")) for i in range(have, len(lines))],
            )

    def procedure_lines(self, dossier_id: str) -> list[str]:
        """A dossier's procedure journal, line by line, as written."""
        rows = self._db.execute(
            "SELECT line FROM procedure_lines WHERE dossier_id=? ORDER BY seq", (dossier_id,)
        ).fetchall()
        return [str(r[0]) for r in rows]

    # -- permit numbers ---------------------------------------------------------------
    def permit_number_holder(self, commune: str, number: str) -> str | None:
        """The dossier that holds a permit number in a commune, or None."""
        row = self._db.execute(
            "SELECT dossier_id FROM permit_numbers WHERE commune=? AND number=?",
            (commune, number),
        ).fetchone()
        return None if row is None else str(row[0])

    def permit_number_claim(self, commune: str, number: str, dossier_id: str) -> None:
        """Reserve a permit number for a dossier (in the caller's transaction); the
        primary key makes a second claim of the same number in a commune fail."""
        with self.transaction():
            self._db.execute(
                "INSERT INTO permit_numbers(commune, number, dossier_id) VALUES(?,?,?)",
                (commune, number, dossier_id),
            )

    def permit_numbers_count(self, commune: str) -> int:
        """How many permit numbers a commune has issued."""
        row = self._db.execute(
            "SELECT COUNT(*) FROM permit_numbers WHERE commune=?", (commune,)
        ).fetchone()
        return int(row[0])

    # -- outbox (webhook events) ------------------------------------------------------
    def outbox_add(self, event_id: str, type: str, body: dict[str, Any]) -> int:
        """Record an event to deliver; returns its position."""
        row = (event_id, type, dumps_text(body))
        if self._in_tx:  # written with the transaction's other changes, in one statement
            self._outbox_buf.append(row)
            return 0
        with self.transaction():
            cur = self._db.execute("INSERT INTO outbox(event_id, type, body) VALUES(?,?,?)", row)
            return int(cur.lastrowid or 0)

    def outbox(
        self, *, after: int = 0, undelivered: bool = False
    ) -> list[tuple[int, dict[str, Any]]]:
        """Recorded events, in order."""
        sql = "SELECT seq, body FROM outbox WHERE seq>?"
        if undelivered:
            sql += " AND delivered=0"
        rows = self._db.execute(sql + " ORDER BY seq", (after,)).fetchall()
        return [(int(s), loads(b)) for s, b in rows]

    def outbox_mark(self, seq: int) -> None:
        """Mark an event delivered."""
        with self.transaction():
            self._db.execute("UPDATE outbox SET delivered=1 WHERE seq=?", (seq,))
