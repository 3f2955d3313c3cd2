"""A written file and its record in the database stand or fall together."""

import sqlite3

import pytest
import sqlite_utils

from app.common.fileio import recorded_write


@pytest.fixture
def db():
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("CREATE TABLE files (name TEXT PRIMARY KEY)")
    conn.execute("CREATE TABLE notes (file TEXT REFERENCES files(name) DEFERRABLE INITIALLY DEFERRED)")
    return sqlite_utils.Database(conn)


@pytest.mark.parametrize("folder", [False, True])
def test_the_record_commits_once_the_file_is_in_place(db, tmp_path, folder):
    target = tmp_path / ("a" if folder else "a.xlsx")
    with recorded_write(db, target, folder=folder) as temp:
        (temp / "x.txt").write_text("x") if folder else temp.write_bytes(b"x")
        db.execute("INSERT INTO files VALUES ('a')")
        assert not target.exists()
    assert target.exists() and db.execute("SELECT count(*) FROM files").fetchone()[0] == 1


@pytest.mark.parametrize("folder", [False, True])
def test_a_record_that_cannot_commit_takes_its_file_away(db, tmp_path, folder):
    target = tmp_path / ("a" if folder else "a.xlsx")
    with pytest.raises(sqlite3.IntegrityError):
        with recorded_write(db, target, folder=folder) as temp:
            (temp / "x.txt").write_text("x") if folder else temp.write_bytes(b"x")
            db.execute("INSERT INTO notes VALUES ('nowhere')")  # refused only at COMMIT
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_cannot_be_placed_takes_its_record_away(db, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "kept.txt").write_text("the clerk's")
    with pytest.raises(FileExistsError):
        with recorded_write(db, tmp_path / "a", folder=True) as temp:
            (temp / "x.txt").write_text("x")
            db.execute("INSERT INTO files VALUES ('a')")
    assert db.execute("SELECT count(*) FROM files").fetchone()[0] == 0
    assert [p.name for p in tmp_path.rglob("*")] == ["a", "kept.txt"]


def test_a_missing_source_file_is_named_not_the_file_being_written(tmp_path):
    """A template or picture that cannot be read while a document is written is what the clerk
    is told is missing (the frozen app once said the .docx it was writing could not be found)."""
    from app.common.errors import environmental
    from app.common.fileio import atomic_path

    target = tmp_path / "brief.docx"
    with pytest.raises(FileNotFoundError) as caught:
        with atomic_path(target) as temp:
            temp.write_bytes((tmp_path / "templates" / "default-footer.xml").read_bytes())
    assert caught.value.filename.endswith("default-footer.xml")
    assert "default-footer.xml" in environmental(caught.value).message
    assert list(tmp_path.iterdir()) == []


def test_a_failure_on_the_temp_file_names_the_file_asked_for(tmp_path, monkeypatch):
    import errno
    import os

    from app.common.fileio import atomic_path

    target = tmp_path / "register.xlsx"

    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device", str(src))

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OSError) as caught:
        with atomic_path(target) as temp:
            temp.write_bytes(b"x")
    assert caught.value.filename == str(target)


def test_a_writer_handed_an_atomic_writes_temp_file_writes_into_it(db, tmp_path, monkeypatch):
    """An export recorded with its audit entry hands its temp file to a writer that writes
    atomically itself (a register, a PDF): the file is synced once and put in place once, by the
    outer write, and a failure inside leaves nothing behind."""
    import os

    from app.common.fileio import atomic_path

    synced, placed = [], []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda src, dst: (placed.append(dst), real_replace(src, dst))[1])
    target = tmp_path / "a.pdf"
    with recorded_write(db, target) as temp:
        with atomic_path(temp) as inner:
            assert inner == temp
            inner.write_bytes(b"%PDF")
        db.execute("INSERT INTO files VALUES ('a')")
    assert target.read_bytes() == b"%PDF" and len(synced) == 1 and placed == [target]
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]

    with pytest.raises(RuntimeError):
        with recorded_write(db, tmp_path / "b.pdf") as temp:
            with atomic_path(temp) as inner:
                inner.write_bytes(b"%PD")
                raise RuntimeError("the writer failed half way")
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]
    with atomic_path(tmp_path / "c.pdf") as temp:  # (a temp no longer pending is a file like any other)
        pass
    with atomic_path(temp) as again:
        assert again != temp
        again.write_bytes(b"x")
    assert {p.name for p in tmp_path.iterdir()} == {"a.pdf", "c.pdf", temp.name}
