import zipfile

from app.archive import build_archive, verify_archive
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
