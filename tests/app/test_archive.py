import zipfile
from pathlib import Path

import pytest

from app.fronts.archive import build_archive, verify_archive
from app.registers.catalog import export_register


def test_filing_package_zip_with_a_sha256_manifest(demo, tmp_path):
    result = build_archive(demo, tmp_path / "归档.zip", ["roster", "candidates"], ["filing"])
    assert result["files"] == ["议事代表花名册.xlsx", "推荐人选名单.xlsx", "议事代表推选情况备案报告.pdf"]
    assert verify_archive(tmp_path / "归档.zip") == []
    names = zipfile.ZipFile(tmp_path / "归档.zip").namelist()
    assert any(n.endswith("SHA256SUMS.txt") for n in names)


def test_filing_package_folder_detects_a_changed_file(demo, tmp_path):
    result = build_archive(demo, tmp_path, ["groups"], [])
    assert verify_archive(result["path"]) == []
    target = next(p for p in (tmp_path / result["path"]).iterdir() if p.suffix == ".xlsx")
    target.write_bytes(target.read_bytes() + b"x")
    assert verify_archive(result["path"]) == [target.name]


def test_the_audit_viewer_filters_and_exports(demo, tmp_path):
    demo.groups.update(demo.groups.list()[0]["id"], {"focus": "审计查看测试"})
    rows = demo.audit.query(action="update", text="修改议事小组")
    assert rows and rows[0]["action_label"] == "修改"
    assert demo.audit.count(action="update") >= len(rows)
    assert demo.audit.query(date_from="2099-01-01") == []
    out = export_register(demo, "audit", tmp_path / "审计.xlsx", action="update")
    assert out["rows"] == demo.audit.count(action="update")


def _audit_count(folder) -> int:
    import sqlite3

    conn = sqlite3.connect(folder / "yishi.db")
    try:
        return conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    finally:
        conn.close()


def _disk_full(*args, **kwargs):
    import errno

    raise OSError(errno.ENOSPC, "No space left on device")


def test_an_archive_that_fails_midway_leaves_no_audit_entry(demo_dir, tmp_path, monkeypatch, capsys):
    """`yishi export archive`: the registers go in, then the printed ledger cannot be written (the
    disk is full). Nothing was delivered, so nothing is on record: not the archive, not the
    registers that went into its temp folder."""
    from app.fronts import cli

    before = _audit_count(demo_dir)
    monkeypatch.setattr("app.documents.ledger_docs.printed_ledger", _disk_full)
    out = tmp_path / "U盘"
    out.mkdir()
    code = cli.main(["--data-dir", str(demo_dir), "export", "archive", "--out", str(out / "归档.zip"),
                     "--registers", "roster,ledger", "--docs", "filing,ledger"])
    assert code == 1 and "磁盘空间已满" in capsys.readouterr().err
    assert _audit_count(demo_dir) == before
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("as_zip", [True, False])
def test_an_archive_whose_target_fails_at_the_end_leaves_no_audit_entry(demo, tmp_path, monkeypatch, as_zip):
    """Everything built, then the stick is pulled as the archive is put in place."""
    import errno
    import os

    out = tmp_path / "U盘"
    name = "replace" if as_zip else "rename"
    real = getattr(os, name)

    def pulled(source, destination):
        if Path(destination).parent in (out, out / "归档"):  # the archive itself, not the files going in
            raise OSError(errno.EIO, "Input/output error", str(destination))
        real(source, destination)

    monkeypatch.setattr(f"app.common.fileio.os.{name}", pulled)
    before = demo.scalar("SELECT count(*) FROM audit")
    issued = demo.scalar("SELECT count(*) FROM issued_docs")
    with pytest.raises(OSError):
        build_archive(demo, out / ("归档.zip" if as_zip else "归档"), ["roster"], ["filing"])
    assert demo.scalar("SELECT count(*) FROM audit") == before
    assert demo.scalar("SELECT count(*) FROM issued_docs") == issued
    assert [p for p in out.rglob("*") if p.is_file() or p.name.startswith(".")] == []


def test_a_completed_archive_is_on_record_with_what_went_in(demo, tmp_path):
    before = demo.scalar("SELECT max(seq) FROM audit")
    result = build_archive(demo, tmp_path / "归档.zip", ["roster"], ["filing"])
    entries = demo.rows("SELECT summary FROM audit WHERE seq > ? ORDER BY seq", [before])
    assert [e["summary"][:6] for e in entries] == ["导出议事代表", "导出议事代表", "生成归档包（"]
    assert (tmp_path / "归档.zip").is_file() and result["files"][0] == "议事代表花名册.xlsx"


@pytest.mark.parametrize("kind", ["register", "doc"])
def test_an_export_whose_file_cannot_be_put_in_place_is_not_on_record(demo_dir, tmp_path, monkeypatch, capsys,
                                                                      kind):
    """The target held by WPS (Windows refuses the replace): refused, and no entry says it was exported."""
    import os

    from app.fronts import cli

    target = tmp_path / ("花名册.xlsx" if kind == "register" else "备案报告.pdf")
    real_replace = os.replace

    def held(source, destination):
        if Path(destination) == target:
            raise PermissionError(13, "Permission denied", str(destination))
        real_replace(source, destination)

    before = _audit_count(demo_dir)
    monkeypatch.setattr("app.common.fileio.os.replace", held)
    command = (["export", "register", "roster", "--out", str(target)] if kind == "register"
               else ["export", "doc", "filing", "--out", str(target)])
    assert cli.main(["--data-dir", str(demo_dir), *command]) == 1
    assert "没有权限写入" in capsys.readouterr().err
    assert _audit_count(demo_dir) == before
    assert list(tmp_path.glob("*.xlsx")) + list(tmp_path.glob("*.pdf")) == []
