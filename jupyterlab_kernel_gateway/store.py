"""The session store: which notebook uses which kernel, on which backend.

Kept on the user's Jupyter server, so that every browser and device of the
user finds the same kernels, in SQLite (Python's standard library), as Jupyter
Server keeps its own sessions. The file survives server restarts and takes
concurrent writers (two servers of one user, two requests at once): each
change is one transaction, and a notebook has one kernel per backend: a
session can be created or moved to a notebook's path only with the kernel
the notebook's sessions there already use, so two devices opening the same
notebook at the same instant end on one kernel. (Several sessions may share
that kernel: JupyterLab starts a session under a temporary name, then moves
it to the notebook's path.)

A file that cannot be read as this store (corrupt, from another program, or
unreadable) is never emptied: it is renamed aside, the problem is logged and
kept in :attr:`KernelGatewaySessionStore.problem` for the page to show, and a
new store is started.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from traitlets import Unicode, default
from traitlets.config import LoggingConfigurable

#: The schema version written into ``PRAGMA user_version``.
SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    backend TEXT NOT NULL,
    path TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    kernel_id TEXT NOT NULL,
    kernel_name TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_path ON sessions (backend, path);
CREATE TABLE IF NOT EXISTS kernels (
    backend TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    started REAL NOT NULL,
    PRIMARY KEY (backend, id)
);
"""


class Conflict(Exception):
    """A change the store refuses because of another record."""

    def __init__(self, message: str, session: dict | None = None):
        super().__init__(message)
        self.session = session


class KernelGatewaySessionStore(LoggingConfigurable):
    """The SQLite store of session and kernel records.

    Configure its location with ``c.KernelGatewaySessionStore.database_path``.
    """

    database_path = Unicode(
        config=True,
        help=(
            "The SQLite file keeping which notebook uses which kernel on a "
            "Kernel Gateway. Default: jupyterlab_kernel_gateway/sessions.db in "
            "the Jupyter data directory. ':memory:' keeps them until the "
            "server stops."
        ),
    )

    @default("database_path")
    def _default_database_path(self) -> str:
        from jupyter_core.paths import jupyter_data_dir

        data_dir = getattr(self.parent, "data_dir", None) or jupyter_data_dir()
        return os.path.join(data_dir, "jupyterlab_kernel_gateway", "sessions.db")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        #: What went wrong opening the file, for people; ``None`` when all is well.
        self.problem: str | None = None
        self._db = self._open()

    @property
    def location(self) -> str:
        """Where the records are kept."""
        return self.database_path

    # Sessions

    def sessions(self, backend: str) -> list[dict]:
        rows = self._db.execute(
            "SELECT * FROM sessions WHERE backend = ? ORDER BY path, id", (backend,)
        ).fetchall()
        return [_session(row) for row in rows]

    def session(self, session_id: str) -> dict | None:
        row = self._db.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return _session(row) if row else None

    def create_session(self, record: dict) -> tuple[dict, bool]:
        """Add a session, unless its notebook has one on that backend already.

        :returns: the session in the store and whether it was created; when
            it was not, the notebook's existing session (join it).
        :raises Conflict: when the id is taken by a session of another
            notebook.
        """
        with self._transaction() as db:
            row = db.execute(
                "SELECT * FROM sessions WHERE backend = ? AND path = ?",
                (record["backend"], record["path"]),
            ).fetchone()
            if row:
                return _session(row), False
            if db.execute("SELECT 1 FROM sessions WHERE id = ?", (record["id"],)).fetchone():
                raise Conflict(f'A session with id "{record["id"]}" exists for another path.')
            db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    record["id"],
                    record["backend"],
                    record["path"],
                    record["name"],
                    record["type"],
                    record["kernel"]["id"],
                    record["kernel"]["name"],
                ),
            )
        return record, True

    def update_session(self, session_id: str, changes: dict) -> dict | None:
        """Rename or move a session, or change its kernel.

        :returns: the updated session, ``None`` when there is none with that id.
        :raises Conflict: when the notebook at the new path has another kernel
            (its session is the conflict's: join its kernel).
        """
        with self._transaction() as db:
            row = db.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if not row:
                return None
            current = _session(row)
            updated = {**current, **changes}
            new_kernel = updated["kernel"]["id"]
            # The same notebook's other sessions (on other devices: they share
            # its kernel) follow a rename or a change of kernel.
            followers = (current["path"], current["kernel"]["id"])
            for other in db.execute(
                "SELECT * FROM sessions WHERE backend = ? AND path = ? AND id != ? "
                "AND kernel_id != ?",
                (current["backend"], updated["path"], session_id, new_kernel),
            ).fetchall():
                if (other["path"], other["kernel_id"]) != followers:
                    raise Conflict(
                        f'"{updated["path"]}" has another kernel on this backend.',
                        _session(other),
                    )
            db.execute(
                "UPDATE sessions SET path = ?, kernel_id = ?, kernel_name = ? "
                "WHERE backend = ? AND path = ? AND kernel_id = ? AND id != ?",
                (
                    updated["path"],
                    new_kernel,
                    updated["kernel"]["name"],
                    current["backend"],
                    *followers,
                    session_id,
                ),
            )
            db.execute(
                "UPDATE sessions SET path = ?, name = ?, type = ?, kernel_id = ?, "
                "kernel_name = ? WHERE id = ?",
                (
                    updated["path"],
                    updated["name"],
                    updated["type"],
                    new_kernel,
                    updated["kernel"]["name"],
                    session_id,
                ),
            )
        return updated

    def delete_session(self, session_id: str, kernel_id: str | None = None) -> bool:
        """Remove a session; with ``kernel_id``, only while it uses that kernel.

        :returns: whether it was removed.
        :raises Conflict: when it uses another kernel than ``kernel_id``.
        """
        with self._transaction() as db:
            row = db.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if not row:
                return False
            if kernel_id is not None and row["kernel_id"] != kernel_id:
                raise Conflict(
                    f'The session "{session_id}" uses another kernel now.', _session(row)
                )
            db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        return True

    # Kernels

    def kernels(self, backend: str) -> list[dict]:
        rows = self._db.execute(
            "SELECT * FROM kernels WHERE backend = ? ORDER BY started", (backend,)
        ).fetchall()
        return [_kernel(row) for row in rows]

    def put_kernel(self, kernel_id: str, record: dict) -> bool:
        """Remember a kernel started on a backend.

        :returns: whether it was new.
        """
        with self._transaction() as db:
            existed = db.execute(
                "SELECT 1 FROM kernels WHERE backend = ? AND id = ?",
                (record["backend"], kernel_id),
            ).fetchone()
            db.execute(
                "INSERT OR REPLACE INTO kernels VALUES (?, ?, ?, ?)",
                (record["backend"], kernel_id, record["name"], record["started"]),
            )
        return not existed

    def delete_kernel(self, backend: str, kernel_id: str) -> bool:
        with self._transaction() as db:
            cursor = db.execute(
                "DELETE FROM kernels WHERE backend = ? AND id = ?", (backend, kernel_id)
            )
        return cursor.rowcount > 0

    def close(self) -> None:
        self._db.close()

    # Opening the file

    def _open(self) -> sqlite3.Connection:
        path = self.database_path
        if path == ":memory:":
            return self._connect(path)
        db = None
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            db = self._connect(path)
            self._check(db)
            return db
        except (sqlite3.DatabaseError, OSError) as error:
            if db is not None:
                db.close()
            return self._set_aside(path, error)

    def _connect(self, path: str) -> sqlite3.Connection:
        # Autocommit: every change is an explicit transaction (`_transaction`).
        db = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA busy_timeout = 10000")
        with _Transaction(db):
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = {
                row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if version not in (0, SCHEMA_VERSION) or (version == 0 and tables):
                raise sqlite3.DatabaseError(
                    f"not a session store of this version (schema {version}, tables "
                    f"{', '.join(sorted(tables)) or 'none'})"
                )
            # One statement at a time: `executescript` would commit midway.
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return db

    def _check(self, db: sqlite3.Connection) -> None:
        result = db.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise sqlite3.DatabaseError(f"integrity check failed: {result}")
        # Read every record once: a damaged page fails here, not later.
        db.execute("SELECT * FROM sessions").fetchall()
        db.execute("SELECT * FROM kernels").fetchall()

    def _set_aside(self, path: str, error: Exception) -> sqlite3.Connection:
        aside = f"{path}.unreadable-{time.strftime('%Y%m%dT%H%M%S')}"
        try:
            os.replace(path, aside)
            for suffix in ("-journal", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.replace(path + suffix, aside + suffix)
            db = self._connect(path)
            self.problem = (
                f"The session store {path} could not be read ({error}); it was set "
                f"aside as {aside} and a new one started: kernels started before "
                "may not be found (see the Running panel's kernels)."
            )
        except (sqlite3.DatabaseError, OSError) as second:
            db = self._connect(":memory:")
            self.problem = (
                f"The session store {path} could not be opened ({error}) nor set "
                f"aside ({second}): sessions are kept in memory until the server "
                "stops. Check the file's permissions, or set "
                "c.KernelGatewaySessionStore.database_path."
            )
        self.log.error(self.problem)
        return db

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` on an error: writers
    of other processes wait (busy timeout) instead of interleaving."""

    def __init__(self, db: sqlite3.Connection):
        self._db = db

    def __enter__(self) -> sqlite3.Connection:
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def __exit__(self, kind, value, traceback) -> None:
        self._db.execute("ROLLBACK" if kind else "COMMIT")


def _session(row: sqlite3.Row) -> dict:
    return {
        "id": row["id"],
        "backend": row["backend"],
        "path": row["path"],
        "name": row["name"],
        "type": row["type"],
        "kernel": {"id": row["kernel_id"], "name": row["kernel_name"]},
    }


def _kernel(row: sqlite3.Row) -> dict:
    return {
        "id": row["id"],
        "backend": row["backend"],
        "name": row["name"],
        "started": row["started"],
    }
