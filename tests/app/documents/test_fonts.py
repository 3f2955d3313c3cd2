"""Official faces are found where offices keep them, chosen in 设置, and reported."""

import shutil

import pytest

from app.common.errors import ValidationError
from app.common.resources import shipped_dir
from app.documents import fonts


@pytest.fixture
def font_home(tmp_path, monkeypatch):
    """A user whose own font folder holds 仿宋 (simfang.ttf) and a Kylin/UOS 小标宋 (CESI)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("YISHI_PDF_SYSTEM_FONTS", "1")
    monkeypatch.setattr(fonts, "font_dirs", lambda: [tmp_path / ".local/share/fonts"])
    folder = tmp_path / ".local/share/fonts" / "cesi"
    folder.mkdir(parents=True)
    shipped = shipped_dir("resources") / "fonts"
    shutil.copy(shipped / "gbsn00lp.ttf", folder.parent / "simfang.ttf")
    shutil.copy(shipped / "gkai00mp.ttf", folder / "CESI_XBS_GB2312.TTF")
    fonts._system_index.cache_clear()
    yield folder.parent
    fonts._system_index.cache_clear()


def test_faces_in_the_users_font_folders_are_used_and_reported(demo, font_home):
    chosen = fonts.choose()
    assert chosen["fangsong"] == {"path": str(font_home / "simfang.ttf"), "source": "system"}
    assert chosen["title"]["path"].endswith("CESI_XBS_GB2312.TTF")
    report = {row["role"]: row for row in fonts.font_report(demo)}
    assert report["fangsong"]["warning"] == "" and report["title"]["warning"] == ""
    assert report["kai"]["source"] == "shipped"  # none found: the shipped face, no warning for 楷体


def test_without_official_faces_settings_warn(demo, tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "font_dirs", lambda: [tmp_path / "none"])
    fonts._system_index.cache_clear()
    try:
        report = {row["role"]: row for row in fonts.font_report(demo)}
        assert "仿宋" in report["fangsong"]["warning"] and "小标宋" in report["title"]["warning"]
    finally:
        fonts._system_index.cache_clear()


def test_a_chosen_font_file_comes_first_and_a_bad_one_is_refused(demo, tmp_path):
    face = tmp_path / "我的仿宋.ttf"
    shutil.copy(shipped_dir("resources") / "fonts" / "gkai00mp.ttf", face)
    demo.settings.update({"font_fangsong": str(face)})
    assert fonts.choose(fonts.store_overrides(demo))["fangsong"] == {"path": str(face), "source": "chosen"}
    bad = tmp_path / "坏.otf"
    bad.write_bytes(b"OTTO")
    with pytest.raises(ValidationError, match="TrueType"):
        demo.settings.update({"font_hei": str(bad)})
    with pytest.raises(ValidationError, match="找不到"):
        demo.settings.update({"font_hei": str(tmp_path / "无.ttf")})
    assert demo.settings.get("font_hei") == ""
    demo.settings.update({"font_fangsong": ""})


def test_a_chosen_face_is_used_for_the_whole_document_tables_and_page_numbers_too(demo, tmp_path):
    """The 公示's list (a table) and its page numbers were set in the automatic faces while its
    text used the clerk's choice: a table's cell styles re-registered the faces without it."""
    import pdfplumber

    from app.documents.catalog import export_doc

    chosen = tmp_path / "办公室的仿宋.ttf"
    shutil.copy(shipped_dir("resources") / "fonts" / "gkai00mp.ttf", chosen)
    demo.settings.update({"font_fangsong": str(chosen), "font_song": str(chosen)})
    export_doc(demo, "notice", None, tmp_path / "公示.pdf")
    with pdfplumber.open(tmp_path / "公示.pdf") as pdf:
        faces = {c["fontname"].split("+")[-1] for page in pdf.pages for c in page.chars}
    assert "BousungEG-Light-GB" not in faces, faces  # the automatic 仿宋/宋体 used nowhere
    assert "GBZenKai-Medium" in faces


def faces_of(path) -> set[str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return {c["fontname"].split("+")[-1] for page in pdf.pages for c in page.chars}


def test_a_chosen_font_file_that_vanished_or_changed_is_set_aside_with_a_note(demo, tmp_path, caplog):
    """The file chosen in 设置 is used while it is the file that passed; gone, or replaced by one
    that no longer passes, the documents are set in the automatic faces and the clerk is told
    (the export's notes, the log), never on the paper."""
    from app.documents.catalog import export_doc
    from tests.app.documents.font_files import latin_only

    chosen = tmp_path / "办公室的仿宋.ttf"
    shutil.copy(shipped_dir("resources") / "fonts" / "gkai00mp.ttf", chosen)
    demo.settings.update({"font_fangsong": str(chosen), "font_song": str(chosen)})
    assert "GBZenKai-Medium" in faces_of(export_doc(demo, "notice", None, tmp_path / "公示.pdf")["path"])

    chosen.unlink()
    result = export_doc(demo, "notice", None, tmp_path / "公示2.pdf")
    gone = f"所选的字体文件“{chosen}”已找不到"
    assert len(result["notes"]) == 2 and all(gone in n and "请在“设置”中重新选择字体文件" in n for n in result["notes"])
    assert result["notes"][0].startswith("正文（仿宋）") and result["notes"][1].startswith("页码（宋体）")
    assert "GBZenKai-Medium" not in faces_of(result["path"]) and "BousungEG-Light-GB" in faces_of(result["path"])
    assert any(gone in r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    import pdfplumber

    with pdfplumber.open(result["path"]) as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages)
    assert "公示" in text and "字体" not in text  # the note is for the clerk, not the paper
    report = {row["role"]: row for row in fonts.font_report(demo)}
    assert "已找不到" in report["fangsong"]["warning"]  # 设置 says so too

    latin_only(chosen)  # the same name, now a face without Chinese
    result = export_doc(demo, "notice", None, tmp_path / "公示3.pdf")
    assert "已被改动：这个字体缺少 6,764 个常用汉字" in result["notes"][0]
    assert "LatinOnly" not in faces_of(result["path"]) and "BousungEG-Light-GB" in faces_of(result["path"])


def test_the_command_line_exports_with_a_vanished_font_and_says_so(demo_dir, tmp_path):
    from app.store import Store
    from tests.conftest import run_cli

    chosen = tmp_path / "仿宋_GB2312.ttf"
    shutil.copy(shipped_dir("resources") / "fonts" / "gbsn00lp.ttf", chosen)
    with Store.open(demo_dir) as store:
        store.settings.update({"font_fangsong": str(chosen)})
    chosen.unlink()
    done = run_cli("--data-dir", demo_dir, "export", "doc", "notice", "--out", tmp_path / "公示.pdf")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "公示.pdf").stat().st_size > 0
    assert f"提示：正文（仿宋）所选的字体文件“{chosen}”已找不到" in done.stderr
