"""Draw the example blog's photos with Pillow: a vigil, a river, a crowd with placards, a
chart. They stand in for a newsroom's photos (hrdblog ships no one's real pictures) and are
drawn the same every time.

    python docs/example_photos.py
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"


def _gradient(
    size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]
) -> Image.Image:
    height = size[1]
    column = Image.new("RGB", (1, height))
    for y in range(height):
        share = y / (height - 1)
        column.putpixel(
            (0, y), tuple(round(a + (b - a) * share) for a, b in zip(top, bottom, strict=True))
        )
    return column.resize(size)


def vigil(rng: random.Random) -> Image.Image:
    """Candles held at night in front of a wall of portraits."""
    size = (2400, 1600)
    image = _gradient(size, (18, 22, 44), (52, 36, 40))
    draw = ImageDraw.Draw(image)
    for x in range(120, 2300, 260):  # portraits on the wall
        draw.rectangle((x, 300, x + 170, 540), fill=(88, 80, 74))
        draw.ellipse((x + 45, 340, x + 125, 430), fill=(150, 128, 110))
        draw.rectangle((x + 30, 440, x + 140, 540), fill=(120, 104, 92))
    for _ in range(34):  # people, dark against the wall
        x, top = rng.randrange(0, 2400), rng.randrange(700, 820)
        draw.ellipse((x - 34, top, x + 34, top + 80), fill=(20, 18, 24))
        draw.rounded_rectangle((x - 62, top + 72, x + 62, 1600), 40, fill=(20, 18, 24))
    glow = Image.new("RGB", size)
    lights = ImageDraw.Draw(glow)
    flames = [(rng.randrange(0, 2400), rng.randrange(950, 1450)) for _ in range(90)]
    for x, y in flames:  # the light of the candles
        r = rng.randrange(40, 90)
        lights.ellipse((x - r, y - r, x + r, y + r), fill=(255, 160 + rng.randrange(60), 60))
    image = Image.blend(image, glow.filter(ImageFilter.GaussianBlur(30)), 0.5)
    draw = ImageDraw.Draw(image)
    for x, y in flames:  # the candles and their flames
        draw.rectangle((x - 7, y, x + 7, y + 46), fill=(235, 228, 210))
        draw.ellipse((x - 7, y - 26, x + 7, y + 2), fill=(255, 226, 140))
    return image.filter(ImageFilter.GaussianBlur(1.2))


def river(rng: random.Random) -> Image.Image:
    """A river between forested hills."""
    size = (2000, 1333)
    image = _gradient(size, (150, 190, 225), (235, 235, 220))
    draw = ImageDraw.Draw(image)
    for layer, (green, base) in enumerate(((90, 560), (70, 680), (50, 800))):
        points = [(0, 1333)]
        for x in range(0, 2001, 40):
            points.append(
                (x, base - 120 * math.sin(x / (260 + 90 * layer) + layer) - rng.randrange(20))
            )
        points.append((2000, 1333))
        draw.polygon(points, fill=(30 + 10 * layer, green + 40, 40 + 8 * layer))
    draw.polygon([(880, 1333), (1040, 900), (1090, 900), (1500, 1333)], fill=(120, 160, 180))
    return image.filter(ImageFilter.GaussianBlur(2))


def placards(rng: random.Random) -> Image.Image:
    """Placards raised by a crowd, seen from behind."""
    size = (2400, 1350)
    image = _gradient(size, (200, 210, 222), (170, 176, 186))
    draw = ImageDraw.Draw(image)
    colours = [(200, 40, 40), (240, 200, 40), (250, 250, 245), (30, 90, 160)]
    for _ in range(26):
        x, y = rng.randrange(0, 2300), rng.randrange(200, 600)
        draw.line((x + 90, y + 160, x + 90, y + 600), fill=(90, 70, 50), width=14)
        draw.rectangle((x, y, x + 180, y + 160), fill=rng.choice(colours))
        for line in range(3):
            draw.rectangle(
                (x + 20, y + 30 + 40 * line, x + 160 - rng.randrange(50), y + 50 + 40 * line),
                fill=(30, 30, 30),
            )
    for _ in range(70):
        x, y = rng.randrange(0, 2400), rng.randrange(850, 1100)
        tone = rng.randrange(30, 110)
        draw.ellipse((x - 55, y - 70, x + 55, y + 50), fill=(tone, tone - 10, tone - 20))
        draw.rounded_rectangle(
            (x - 110, y + 40, x + 110, 1350), 70, fill=(tone + 20, tone + 30, tone + 60)
        )
    return image.filter(ImageFilter.GaussianBlur(1.5))


def chart(rng: random.Random) -> Image.Image:
    """A bar chart: cases of reprisals the annual report lists, by year."""
    image = Image.new("RGB", (1200, 700), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.line((100, 620, 1140, 620), fill=(40, 40, 40), width=3)
    counts = [14, 17, 29, 31, 38, 29]
    for number, value in enumerate(counts):
        x = 150 + number * 165
        draw.rectangle((x, 620 - value * 14, x + 100, 620), fill=(11, 85, 99))
    return image


PHOTOS: dict[str, tuple[Callable[[random.Random], Image.Image], str]] = {
    "2017/mexico-javier-valdez/vigil.jpg": (vigil, "JPEG"),
    "2016/honduras-berta-caceres/river.jpg": (river, "JPEG"),
    "2017/campaigning-for-detained-defenders/placards.jpg": (placards, "JPEG"),
    "2017/reprisals-annual-report/cases-by-year.png": (chart, "PNG"),
}


def main() -> None:
    for name, (draw, kind) in PHOTOS.items():
        image = draw(random.Random(name))
        path = CONTENT / name
        options = {"quality": 85, "optimize": True} if kind == "JPEG" else {"optimize": True}
        image.save(path, kind, **options)
        print(path.relative_to(REPO), f"{path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
