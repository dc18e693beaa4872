"""The SQLite session store, on real files."""

import sqlite3
import threading

import pytest

from jupyterlab_kernel_gateway.store import Conflict, KernelGatewaySessionStore

GATEWAY = "http://gateway.example.org:8889/"


def session(path="a.ipynb", session_id="s-1", kernel_id="k-1", backend=GATEWAY):
    return {
        "id": session_id,
        "backend": backend,
        "path": path,
        "name": path,
        "type": "notebook",
        "kernel": {"id": kernel_id, "name": "python3"},
    }


def open_store(path):
    return KernelGatewaySessionStore(database_path=str(path))


def test_records_survive_a_restart(tmp_path):
    path = tmp_path / "sessions.db"
    store = open_store(path)
    store.create_session(session())
    store.put_kernel("k-1", {"backend": GATEWAY, "name": "python3", "started": 1.0})
    store.close()

    again = open_store(path)
    assert again.problem is None
    assert again.sessions(GATEWAY) == [session()]
    assert again.kernels(GATEWAY) == [
        {"id": "k-1", "backend": GATEWAY, "name": "python3", "started": 1.0}
    ]


def test_one_session_per_notebook_and_backend(tmp_path):
    store = open_store(tmp_path / "sessions.db")
    assert store.create_session(session()) == (session(), True)
    existing, created = store.create_session(session(session_id="s-2", kernel_id="k-2"))
    assert created is False
    assert existing == session()
    # Another backend may have its own session for the same notebook.
    other = session(session_id="s-3", backend="local")
    assert store.create_session(other) == (other, True)
    assert store.sessions(GATEWAY) == [session()]
    assert store.sessions("local") == [other]


def test_a_session_id_cannot_be_reused_for_another_notebook(tmp_path):
    store = open_store(tmp_path / "sessions.db")
    store.create_session(session())
    with pytest.raises(Conflict):
        store.create_session(session(path="b.ipynb"))


def test_rename_and_change_kernel(tmp_path):
    store = open_store(tmp_path / "sessions.db")
    store.create_session(session())
    store.create_session(session(path="b.ipynb", session_id="s-2"))
    assert store.session("s-2")["kernel"]["id"] == "k-1"
    renamed = store.update_session("s-1", {"path": "c.ipynb", "kernel": {"id": "k-9", "name": "r"}})
    assert renamed["path"] == "c.ipynb"
    assert renamed["kernel"] == {"id": "k-9", "name": "r"}
    assert store.session("s-1") == renamed
    # b.ipynb runs on k-1: another kernel may not move there…
    with pytest.raises(Conflict) as refused:
        store.update_session("s-1", {"path": "b.ipynb"})
    assert refused.value.session["id"] == "s-2"
    # …but a session may join its kernel there (two devices, one kernel).
    joined = store.update_session("s-1", {"path": "b.ipynb", "kernel": {"id": "k-1", "name": "r"}})
    assert joined["path"] == "b.ipynb"
    assert [s["id"] for s in store.sessions(GATEWAY) if s["path"] == "b.ipynb"] == ["s-1", "s-2"]
    assert store.update_session("nope", {"name": "x"}) is None
    assert store.delete_session("s-1") is True
    assert store.delete_session("s-1") is False


def test_concurrent_writers_create_one_session(tmp_path):
    """Two servers (two connections) creating a notebook's session at once."""
    path = tmp_path / "sessions.db"
    stores = [open_store(path) for _ in range(8)]
    barrier = threading.Barrier(len(stores))
    results = []

    def create(index, store):
        barrier.wait()
        results.append(
            store.create_session(session(session_id=f"s-{index}", kernel_id=f"k-{index}"))
        )

    threads = [threading.Thread(target=create, args=item) for item in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    created = [record for record, new in results if new]
    assert len(created) == 1
    # Every writer was told the one session that exists.
    assert {record["id"] for record, _ in results} == {created[0]["id"]}
    assert len(open_store(path).sessions(GATEWAY)) == 1


def test_a_corrupt_file_is_set_aside_and_reported(tmp_path, caplog):
    path = tmp_path / "sessions.db"
    damaged = b"this is not a database " * 100
    path.write_bytes(damaged)
    store = open_store(path)
    assert store.problem is not None
    assert "could not be read" in store.problem
    aside = list(tmp_path.glob("sessions.db.unreadable-*"))
    assert len(aside) == 1
    # Never emptied: the damaged bytes are kept for the administrator.
    assert aside[0].read_bytes() == damaged
    assert str(aside[0]) in store.problem
    # A working store took its place.
    store.create_session(session())
    assert open_store(path).sessions(GATEWAY) == [session()]
    assert any(record.levelname == "ERROR" for record in caplog.records)


def test_another_programs_database_is_not_touched(tmp_path):
    path = tmp_path / "sessions.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
        db.execute("INSERT INTO notes VALUES ('keep me')")
    store = open_store(path)
    assert "not a session store" in store.problem
    (aside,) = tmp_path.glob("sessions.db.unreadable-*")
    with sqlite3.connect(aside) as db:
        assert db.execute("SELECT text FROM notes").fetchall() == [("keep me",)]


def test_an_unusable_location_falls_back_to_memory(tmp_path):
    # A directory where the file should be: it can be neither opened nor
    # (with its parent refused) replaced.
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a directory")
    store = open_store(blocked / "sessions.db")
    assert "kept in memory" in store.problem
    assert "database_path" in store.problem
    store.create_session(session())
    assert store.sessions(GATEWAY) == [session()]
    assert blocked.read_text() == "a file, not a directory"


def test_a_notebook_open_on_two_devices_renames_and_changes_kernel_as_one(tmp_path):
    store = open_store(tmp_path / "sessions.db")
    store.create_session(session(path="tmp-a", session_id="a"))
    store.create_session(session(path="tmp-b", session_id="b", kernel_id="k-2"))
    store.update_session("a", {"path": "nb.ipynb"})
    # Device b lost the race: it joins the notebook's kernel.
    with pytest.raises(Conflict):
        store.update_session("b", {"path": "nb.ipynb"})
    store.update_session("b", {"path": "nb.ipynb", "kernel": {"id": "k-1", "name": "python3"}})
    # Renamed on one device: the other's session follows.
    store.update_session("a", {"path": "renamed.ipynb"})
    assert store.session("b")["path"] == "renamed.ipynb"
    # A new kernel on one device: the other's session follows.
    store.update_session("b", {"kernel": {"id": "k-3", "name": "python3"}})
    assert store.session("a")["kernel"]["id"] == "k-3"
