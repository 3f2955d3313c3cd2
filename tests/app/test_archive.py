import zipfile
from pathlib import Path

import pytest

from app.fronts.archive import build_archive, verify_archive
from app.registers.catalog import export_register
from tests.conftest import DEMO_YEAR


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
    year = demo.summary.default_year()  # no year given: the year-end summary's
    assert [e["summary"][:6] for e in entries] == ["导出议事代表", "导出议事代表", f"生成{year}"]
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


def test_the_years_archive_takes_the_summary_minutes_briefs_and_plans(demo, tmp_path):
    """`yishi export archive --docs summary,minutes,brief,plan`: the summary of the year, and minutes,
    a brief and a plan for every meeting or topic of the year that has one, each in the manifest."""
    year = DEMO_YEAR
    held = demo.rows("SELECT id, kind, title, date FROM meetings WHERE deleted = 0 AND status = 'held'"
                     " AND date BETWEEN ? AND ?", [f"{year}-01-01", f"{year}-12-31"])
    plans = demo.scalar("SELECT count(*) FROM plans WHERE deleted = 0 AND planned_on BETWEEN ? AND ?",
                        [f"{year}-01-01", f"{year}-12-31"])
    result = build_archive(demo, tmp_path / "归档.zip", [], ["summary", "minutes", "brief", "plan"], year=year)
    files = result["files"]
    assert result["year"] == year and files[0] == f"{year}年年度工作总结.pdf"
    assert len([f for f in files if f.startswith("会议纪要/")]) == len(held)
    assert len([f for f in files if f.startswith("工作简报/")]) == len(held)
    assert len([f for f in files if f.startswith("议事方案/")]) == plans > 0
    bus = next(m for m in held if "定制公交" in (demo.meetings.get(m["id"]).get("agenda") or ""))
    assert f"会议纪要/{bus['date']}_{bus['title']}.pdf" in files
    with zipfile.ZipFile(tmp_path / "归档.zip") as archive:
        root = archive.namelist()[0].split("/")[0]
        manifest = archive.read(f"{root}/SHA256SUMS.txt").decode("utf-8").splitlines()
        assert [line.split("  ", 1)[1] for line in manifest] == files
        assert all(archive.read(f"{root}/{f}").startswith(b"%PDF") for f in files[:3])
    assert verify_archive(tmp_path / "归档.zip") == []


def test_the_command_line_archives_the_years_documents_in_folders(demo_dir, tmp_path, capsys):
    """A folder this time, checked as `sha256sum -c` would."""
    import subprocess

    from app.fronts import cli

    out = tmp_path / "盘"
    out.mkdir()
    code = cli.main(["--data-dir", str(demo_dir), "export", "archive", "--out", str(out), "--registers", "",
                     "--docs", "summary,minutes,brief", "--year", str(DEMO_YEAR)])
    assert code == 0, capsys.readouterr().err
    assert f"已生成{DEMO_YEAR}年归档包" in capsys.readouterr().out
    folder = next(out.iterdir())
    assert f"{DEMO_YEAR}年归档包" in folder.name and verify_archive(folder) == []
    checked = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS.txt"], cwd=folder, capture_output=True)
    assert checked.returncode == 0, checked.stdout
    brief = next((folder / "工作简报").iterdir())
    brief.write_bytes(b"changed")
    assert verify_archive(folder) == [f"工作简报/{brief.name}"]


def test_a_kind_with_nothing_in_the_year_is_refused_before_anything_is_written(demo, tmp_path):
    from app.common.errors import AppError

    before = demo.scalar("SELECT count(*) FROM audit")
    with pytest.raises(AppError, match=r"2001年没有可放入归档包的会议纪要（全年各次会议）"):
        build_archive(demo, tmp_path / "归档.zip", ["roster"], ["minutes"], year=2001)
    with pytest.raises(AppError, match="不能放入归档包的项目：nonsense"):
        build_archive(demo, tmp_path / "归档.zip", [], ["nonsense"], year=DEMO_YEAR)
    assert demo.scalar("SELECT count(*) FROM audit") == before and not (tmp_path / "归档.zip").exists()


def test_every_document_kind_goes_in_for_the_year(demo, tmp_path):
    from app.fronts.archive import ARCHIVE_DOCS, _records

    year = DEMO_YEAR
    # every kind has something in the demo's year; each record goes in once under its kind's folder
    counts = {kind: len(_records(demo, kind, year)) for kind in ARCHIVE_DOCS}
    assert all(counts.values()), counts
    assert counts["duty"] == 70 and counts["summary"] == 1 and counts["filing"] == 1
    assert counts["meeting_notice"] == demo.scalar(
        "SELECT count(*) FROM meetings WHERE deleted = 0 AND status != 'cancelled' AND date BETWEEN ? AND ?",
        [f"{year}-01-01", f"{year}-12-31"])
    result = build_archive(demo, tmp_path / "归档.zip", [], ["assignment", "feedback"], year=year)
    assert len(result["files"]) == counts["assignment"] + counts["feedback"]
    assert verify_archive(tmp_path / "归档.zip") == []
