"""Draw the program's icon (a shield with "RP"): resources/icons/rumah-perisai.{png,ico}.

    .venv/bin/python packaging/windows/make_icon.py

Run once; the files are committed. Needs Pillow (the test extra) and DejaVu Sans Bold.
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[2]
SIZE = 256
GREEN, WHITE = (0, 122, 61, 255), (255, 255, 255, 255)


def main() -> None:
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    # A shield: a rounded top and a point at the bottom.
    draw.rounded_rectangle((24, 12, 232, 150), radius=36, fill=GREEN)
    draw.polygon([(24, 120), (232, 120), (128, 248)], fill=GREEN)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 104)
    draw.text((128, 118), "RP", font=font, fill=WHITE, anchor="mm")
    folder = ROOT / "resources" / "icons"
    image.save(folder / "rumah-perisai.png")
    sizes = [(side, side) for side in (16, 24, 32, 48, 64, 128, 256)]
    image.save(folder / "rumah-perisai.ico", sizes=sizes)


if __name__ == "__main__":
    main()
