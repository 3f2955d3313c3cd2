"""A meeting's photos (printed in its 工作简报): taken in only when they are JPEG or PNG within the
pixel cap, kept shrunk, upright and without their metadata; a photo whose kept file is gone or
spoilt is left out of the brief, with a note, and never stops it."""

import io
import struct
import zlib

import pytest
from PIL import Image
from pypdf import PdfReader

from app.common.errors import ValidationError
from app.documents.catalog import export_doc
from app.services.meetings import MeetingFilter
from app.storage import attachments
from tests.conftest import digest, run_cli


def huge_png(path, width=20000, height=20000):
    """A valid 1-bit PNG of width × height (400 million pixels) in a few hundred KB."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes((width + 7) // 8)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
                     + chunk(b"IDAT", body) + chunk(b"IEND", b""))
    return path


def phone_photo(path, size=(4000, 3000)):
    """A JPEG as a phone takes it: lying on its side (EXIF orientation 6) with a GPS position."""
    picture = Image.new("RGB", size, (40, 120, 200))
    picture.paste((250, 200, 30), (0, 0, size[0] // 4, size[1] // 4))  # the top-left corner, as taken
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825).update({1: "N", 2: (29.0, 33.0, 0.0), 3: "E", 4: (106.0, 30.0, 0.0)})  # GPS
    picture.save(path, "JPEG", quality=90, exif=exif)
    return path


def bus_meeting(demo):
    return demo.meetings.page(MeetingFilter(search="定制公交"), limit=None)[0]["id"]


def corrupt_jpeg(path):
    data = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 30, 30)).save(data, "JPEG")
    path.write_bytes(data.getvalue()[:len(data.getvalue()) // 2])  # a copy cut short
    return path


def text_as_jpeg(path):
    path.write_text("会议议程：一、听取报告", encoding="utf-8")
    return path


BAD_PHOTOS = [
    (corrupt_jpeg, "现场.jpg", "照片“现场.jpg”图片已损坏，读不出完整的图像，不能添加"),
    (text_as_jpeg, "议程.jpg", "照片“议程.jpg”不是 JPEG 或 PNG 图片（按文件内容判断，不看扩展名），不能添加"),
    (huge_png, "全景.png", "照片“全景.png”有 20000×20000 像素（4 亿），超过照片 5,000 万像素的上限，不能添加"),
]


@pytest.mark.parametrize("make,name,message", BAD_PHOTOS, ids=[b[0].__name__ for b in BAD_PHOTOS])
def test_a_photo_that_is_not_a_usable_picture_is_refused_naming_the_file(demo, tmp_path, make, name, message):
    meeting = bus_meeting(demo)
    source = make(tmp_path / name)
    before = digest(demo)
    with pytest.raises(ValidationError) as refused:
        demo.meetings.add_material(meeting, source, "活动照片")
    assert refused.value.message.startswith(message)
    assert digest(demo) == before


def test_a_good_photo_is_kept_shrunk_upright_and_without_its_metadata(demo, tmp_path):
    meeting = bus_meeting(demo)
    demo.meetings.add_material(meeting, phone_photo(tmp_path / "试乘.jpg"), "代表试乘")
    row = next(r for r in demo.meetings.materials(meeting) if r["title"] == "代表试乘")
    kept = attachments.stored_path(demo, row)
    assert row["file_name"] == "试乘.jpg" and row["size"] == kept.stat().st_size < (tmp_path / "试乘.jpg").stat().st_size
    assert attachments.intact(demo, row)
    with Image.open(kept) as picture:
        assert picture.format == "JPEG"
        assert picture.size == (1500, 2000)  # upright (3000 × 4000), longest side 2000
        assert picture.getpixel((1400, 100))[0] > 200  # the yellow corner is top-right once upright
        assert dict(picture.getexif()) == {}  # no orientation left to apply, no maker, no GPS
        assert b"PhoneMaker" not in kept.read_bytes()


def test_a_png_named_jpg_is_kept_as_what_it_is(demo, tmp_path):
    meeting = bus_meeting(demo)
    source = tmp_path / "截图.jpg"
    Image.new("RGBA", (300, 200), (0, 128, 0, 128)).save(source, "PNG")
    demo.meetings.add_material(meeting, source)
    row = next(r for r in demo.meetings.materials(meeting) if r["title"] == "截图")
    assert row["file_name"] == "截图.png"
    with Image.open(attachments.stored_path(demo, row)) as picture:
        assert picture.format == "PNG" and picture.mode == "RGBA"


def after_the_photos(store, meeting) -> str:
    """A brief dated after the last of the meeting's photos was taken (they are all in it)."""
    return max(r["taken_on"] for r in store.meetings.materials(meeting) if r.get("taken_on"))


def spoil_photos(demo, meeting):
    """The kept file of one photo deleted, of another overwritten with noise."""
    photos = [r for r in demo.meetings.materials(meeting) if r["file_name"].endswith(".png")]
    gone, spoilt = photos[0], photos[1]
    attachments.stored_path(demo, gone).unlink()
    attachments.stored_path(demo, spoilt).write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    return gone, spoilt


def test_a_brief_whose_photo_files_are_gone_or_spoilt_is_exported_without_them_and_says_so(demo, tmp_path):
    meeting = bus_meeting(demo)
    gone, spoilt = spoil_photos(demo, meeting)
    result = export_doc(demo, "brief", meeting, tmp_path / "简报.pdf", dated_on=after_the_photos(demo, meeting))
    assert result["notes"] == [
        f"照片“{gone['title']}”（{gone['file_name']}）的文件已找不到，工作简报中没有放这张照片",
        f"照片“{spoilt['title']}”（{spoilt['file_name']}）的文件已被改动（与保存时的校验值不符），工作简报中没有放这张照片"]
    reader = PdfReader(tmp_path / "简报.pdf")
    assert sum(len(page.images) for page in reader.pages) == 1  # the one photo still whole
    text = "".join(page.extract_text() for page in reader.pages)
    assert "三、活动照片" in text and "没有放这张照片" not in text  # the note is not on the paper
    audit = demo.rows("SELECT details FROM audit WHERE action = 'export' ORDER BY seq DESC LIMIT 1")[0]
    assert "已找不到" in audit["details"]  # the log of exports says what went out without


def test_a_photo_kept_before_the_checks_that_no_longer_decodes_is_left_out(demo, tmp_path):
    """A file whose checksum still matches but that does not decode (kept by an older version,
    or from another office): the brief is made without it."""
    meeting = bus_meeting(demo)
    huge = huge_png(tmp_path / "全景.png", 12000, 12000)
    row = attachments.take_in(demo, huge)  # kept as it was, as the old program did
    with demo.write("create", "添加会议材料") as tx:
        tx.insert("materials", {"meeting_id": meeting, "title": "全景", **row})
    result = export_doc(demo, "brief", meeting, tmp_path / "简报.pdf", dated_on=after_the_photos(demo, meeting))
    assert result["notes"] == ["照片“全景”（全景.png）的文件有 12000×12000 像素（1.4 亿），超过照片 5,000 万像素的上限，"
                               "工作简报中没有放这张照片"]
    assert sum(len(page.images) for page in PdfReader(tmp_path / "简报.pdf").pages) == 3


def test_the_command_line_exports_the_brief_and_says_which_photo_is_left_out(demo_dir, tmp_path):
    from app.store import Store

    with Store.open(demo_dir) as store:
        meeting = bus_meeting(store)
        gone, _ = spoil_photos(store, meeting)
        dated = after_the_photos(store, meeting)
    done = run_cli("--data-dir", demo_dir, "export", "doc", "brief", meeting, "--out", tmp_path / "简报.pdf",
                   "--date", dated)
    assert done.returncode == 0, done.stderr
    assert f"提示：照片“{gone['title']}”（{gone['file_name']}）的文件已找不到，工作简报中没有放这张照片" in done.stderr
    assert sum(len(page.images) for page in PdfReader(tmp_path / "简报.pdf").pages) == 1
