"""Photos kept with records (a meeting's pictures, printed in its 工作简报): taken in only when they
decode as JPEG or PNG within a pixel cap, kept shrunk, turned upright and without their metadata
(a phone's GPS position has no place in the office's files), and checked again before a
document prints them, so a file lost or spoilt on disk leaves a photo out instead of the document.

The pixel count is read from the file's header before anything is decoded: a small PNG can
claim 20000 × 20000 pixels (1.6 GB once decoded)."""

from __future__ import annotations

import io
from pathlib import Path

from app.common.errors import ValidationError
from app.storage import attachments

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")
MAX_PHOTO_BYTES = 64 * 1024 * 1024
# A JPEG decodes at 1/2, 1/4 or 1/8 of its size when shrunk (Pillow's draft mode), so a large phone
# picture costs little (and stays within Pillow's own limit, which reportlab meets when it prints);
# a PNG decodes whole, 4 bytes a pixel.
MAX_PIXELS = {"JPEG": 150_000_000, "PNG": 50_000_000}
LONGEST_SIDE = 2000  # ample for a picture printed 74 mm wide at 600 dpi
SUFFIX = {"JPEG": ".jpg", "PNG": ".png"}


def is_photo(file_name: str) -> bool:
    return Path(file_name).suffix.lower() in PHOTO_SUFFIXES


def _pixels_text(pixels: int) -> str:
    return f"{pixels / 100_000_000:.2g} 亿" if pixels >= 100_000_000 else f"{pixels / 10_000:,.0f} 万"


def _open(path: Path):
    """The image behind `path`, its header read and nothing decoded; ValueError with the reason
    when it is not a JPEG or PNG within the caps."""
    from PIL import JpegImagePlugin, PngImagePlugin

    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError:
        raise ValueError("找不到这个文件") from None
    if size > MAX_PHOTO_BYTES:
        raise ValueError(f"有 {size / 1024 ** 2:.0f} MB，超过照片 {MAX_PHOTO_BYTES // 1024 ** 2} MB 的上限")
    kind = "PNG" if head == b"\x89PNG\r\n\x1a\n" else "JPEG" if head[:3] == b"\xff\xd8\xff" else None
    if kind is None:
        raise ValueError("不是 JPEG 或 PNG 图片（按文件内容判断，不看扩展名）")
    try:
        # The format's own reader, which reads the header only (Image.open would also apply
        # Pillow's global pixel limit; the caps here are the ones that decide).
        image = (PngImagePlugin.PngImageFile if kind == "PNG" else JpegImagePlugin.JpegImageFile)(str(path))
    except Exception:  # a damaged header fails in the format's parser (SyntaxError, OSError, struct.error)
        raise ValueError("图片已损坏，读不出图像的大小") from None
    width, height = image.size
    cap = MAX_PIXELS[kind]
    if width * height > cap:
        image.close()
        raise ValueError(f"有 {width}×{height} 像素（{_pixels_text(width * height)}），超过照片"
                         f" {_pixels_text(cap)}像素的上限")
    return image


def _decoded(image):
    """The picture decoded, upright and shrunk to LONGEST_SIDE; ValueError when it is broken."""
    from PIL import Image, ImageOps

    try:
        if image.format == "JPEG":
            image.draft("RGB", (LONGEST_SIDE, LONGEST_SIDE))  # decoded at a fraction of its size
        image.load()
        upright = ImageOps.exif_transpose(image) or image
        upright.thumbnail((LONGEST_SIDE, LONGEST_SIDE), Image.Resampling.LANCZOS)
        return upright
    except Exception:  # a broken image can fail anywhere in its decoder (OSError, SyntaxError, ...)
        raise ValueError("图片已损坏，读不出完整的图像") from None


def _for_saving(image, fmt: str):
    """The picture in a mode its format keeps and reportlab prints."""
    mode = image.mode
    if mode.startswith("I;16") or mode in ("I", "F"):  # 16-bit and float greys, rare in photos
        image = image.convert("I").point(lambda v: v / 256).convert("L")
    elif mode in ("P", "PA", "LA", "RGBA", "La", "RGBa") or "transparency" in image.info:
        image = image.convert("RGBA" if fmt == "PNG" else "RGB")
    elif mode not in ("RGB", "L"):
        image = image.convert("RGB")  # CMYK, YCbCr, 1-bit...
    return image


def prepared(source: Path) -> tuple[bytes, str]:
    """The photo as the office keeps it (bytes, format suffix); ValidationError naming the file
    and the reason when it is not one."""
    try:
        with _open(source) as image:
            fmt = image.format
            icc = image.info.get("icc_profile")
            picture = _for_saving(_decoded(image), fmt)
            out = io.BytesIO()
            # Nothing of the original's metadata is written (EXIF with its GPS position, text chunks);
            # the colour profile is kept, it says how the colours look.
            options = {"icc_profile": icc} if icc else {}
            if fmt == "JPEG":
                picture.save(out, "JPEG", quality=88, **options)
            else:
                picture.save(out, "PNG", **options)
    except ValueError as exc:
        raise ValidationError(f"照片“{source.name}”{exc}，不能添加；请换一张，或先缩小、另存为 JPG 或 PNG 后再添加") from None
    return out.getvalue(), SUFFIX[fmt]


def take_in(store, source: str | Path) -> dict:
    """Keep a photo (shrunk, cleaned) in the data directory; returns file_name, sha256 and size for
    the record. The kept name's suffix says the format the file really is."""
    source = Path(source)
    if not source.is_file():
        raise ValidationError(f"找不到文件“{source}”")
    data, suffix = prepared(source)
    same_format = source.suffix.lower() in ((".jpg", ".jpeg") if suffix == ".jpg" else (suffix,))
    return attachments.take_in_bytes(store, data, source.name if same_format else source.stem + suffix)


def unprintable(store, row: dict) -> str | None:
    """Why the kept photo of `row` cannot be printed (None: it can): its file gone, changed since it
    was kept, not a picture, too large or broken."""
    path = attachments.stored_path(store, row)
    if not path.is_file():
        return "的文件已找不到"
    try:
        if not attachments.intact(store, row):
            return "的文件已被改动（与保存时的校验值不符）"
        with _open(path) as image:
            _decoded(image)  # all of it decodes
    except ValueError as exc:
        return f"的文件{exc}"
    except OSError as exc:
        return f"的文件读不出来（{exc.strerror or '无法读取'}）"
    return None
