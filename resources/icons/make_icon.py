"""Regenerate the application icon (yishi.png / yishi.ico) from the shipped font."""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).parent
FONT = HERE.parent / "fonts" / "wqy-microhei.ttc"


def draw(size: int) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 5, fill=(178, 34, 34, 255))
    font = ImageFont.truetype(str(FONT), int(size * 0.62))
    pen.text((size / 2, size / 2), "议", font=font, fill=(255, 236, 179, 255), anchor="mm")
    return image


if __name__ == "__main__":
    big = draw(256)
    big.save(HERE / "yishi.png")
    big.save(HERE / "yishi.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
