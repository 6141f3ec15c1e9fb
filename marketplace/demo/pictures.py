"""Pictures for the demo village, drawn with Pillow: a sea-coloured gradient, a simple
silhouette of the catch (or a boat for a fisher's portrait) and its name in Latin letters.

They are returned as JPEG bytes and stored through `media.images.save_photo`, so they go
through the same checks, resizing and re-encoding as a photo from a fisher's phone.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 800, 600
CAPTION = 120
Colour = tuple[int, int, int]
Draw = ImageDraw.ImageDraw

# Background gradients (top, bottom) and the silhouette's colour, per motif.
PALETTES: dict[str, tuple[Colour, Colour, Colour]] = {
    "fish": ((196, 226, 240), (38, 98, 146), (58, 74, 92)),
    "salmon": ((206, 228, 238), (44, 92, 130), (190, 120, 118)),
    "scallop": ((214, 236, 242), (60, 132, 160), (236, 196, 160)),
    "crab": ((222, 236, 240), (54, 110, 140), (178, 72, 52)),
    "urchin": ((206, 228, 236), (30, 84, 110), (64, 46, 78)),
    "squid": ((204, 232, 244), (22, 74, 124), (226, 220, 214)),
    "shrimp": ((216, 236, 244), (44, 104, 150), (232, 112, 96)),
    "octopus": ((210, 232, 238), (40, 90, 128), (164, 62, 70)),
    "clam": ((226, 238, 240), (72, 128, 150), (214, 190, 150)),
    "seaweed": ((210, 234, 226), (36, 96, 96), (58, 74, 40)),
    "sea_cucumber": ((214, 232, 236), (40, 96, 120), (96, 70, 58)),
    "roe": ((246, 236, 222), (172, 132, 96), (240, 96, 40)),
    "boat": ((250, 224, 190), (40, 96, 150), (240, 240, 236)),
    "workshop": ((248, 232, 206), (150, 118, 86), (214, 188, 150)),
}
KRAFT = ((244, 230, 204), (186, 150, 110))


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def _gradient(top: Colour, bottom: Colour) -> Image.Image:
    mask = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    return Image.composite(
        Image.new("RGB", (WIDTH, HEIGHT), bottom), Image.new("RGB", (WIDTH, HEIGHT), top), mask
    )


def _shade(colour: Colour, factor: float) -> Colour:
    return tuple(max(0, min(255, int(c * factor))) for c in colour)  # type: ignore[return-value]


# --- silhouettes (each draws around the centre cx, cy) ---------------------------------------


def _fish(d: Draw, cx: int, cy: int, colour: Colour, rng: random.Random, length: int = 420) -> None:
    w, h = length, int(length * 0.36)
    dark = _shade(colour, 0.75)
    tail_x = cx + w // 2 - 12
    d.polygon(
        [
            (tail_x, cy),
            (tail_x + int(w * 0.28), cy - int(h * 0.6)),
            (tail_x + int(w * 0.2), cy),
            (tail_x + int(w * 0.28), cy + int(h * 0.6)),
        ],
        fill=dark,
    )
    d.polygon(
        [
            (cx - w // 8, cy - h // 2 + 8),
            (cx + w // 10, cy - h // 2 - h // 3),
            (cx + w // 4, cy - h // 2 + 10),
        ],
        fill=dark,
    )
    d.ellipse([cx - w // 2, cy - h // 2, cx + w // 2, cy + h // 2], fill=colour)
    d.arc(
        [cx - w // 2 + 20, cy - h // 2 + 14, cx + w // 2 - 20, cy + h // 2 - 4],
        160,
        20,
        fill=_shade(colour, 1.3),
        width=4,
    )
    ex, ey = cx - int(w * 0.36), cy - int(h * 0.12)
    d.ellipse([ex - 14, ey - 14, ex + 14, ey + 14], fill=(250, 250, 250))
    d.ellipse([ex - 7, ey - 7, ex + 7, ey + 7], fill=(20, 24, 30))
    d.arc(
        [cx - int(w * 0.34), cy - h // 2 + 6, cx - int(w * 0.14), cy + h // 2 - 6],
        300,
        60,
        fill=dark,
        width=5,
    )


def _salmon(d: Draw, cx: int, cy: int, colour: Colour, rng: random.Random) -> None:
    _fish(d, cx, cy, colour, rng, length=470)
    for _ in range(14):  # spots on the back
        x, y = cx + rng.randint(-150, 170), cy - rng.randint(10, 60)
        d.ellipse([x - 4, y - 4, x + 4, y + 4], fill=_shade(colour, 0.6))


def _scallop(d: Draw, cx: int, cy: int, colour: Colour, rng: random.Random) -> None:
    r = 200
    hx, hy = cx, cy + 110
    dark = _shade(colour, 0.78)
    d.polygon(
        [(hx - 70, hy + 20), (hx + 70, hy + 20), (hx + 40, hy - 30), (hx - 40, hy - 30)], fill=dark
    )
    d.pieslice([hx - r, hy - r, hx + r, hy + r], 200, 340, fill=colour)
    for angle in range(206, 340, 11):
        a = math.radians(angle)
        d.line([(hx, hy - 10), (hx + r * math.cos(a), hy + r * math.sin(a))], fill=dark, width=5)
    d.arc([hx - r, hy - r, hx + r, hy + r], 200, 340, fill=dark, width=6)


def _crab(d: Draw, cx: int, cy: int, colour: Colour, rng: random.Random) -> None:
    dark = _shade(colour, 0.7)
    for side in (-1, 1):
        for i in range(4):
            x0, y0 = cx + side * 110, cy - 20 + i * 28
            knee = (x0 + side * 90, y0 - 40 + i * 12)
            foot = (knee[0] + side * 60, knee[1] + 80)
            d.line([(x0, y0), knee, foot], fill=dark, width=14, joint="curve")
        arm = (cx + side * 150, cy - 110)
        d.line([(cx + side * 90, cy - 50), arm], fill=dark, width=18)
        d.ellipse([arm[0] - 40, arm[1] - 50, arm[0] + 40, arm[1] + 20], fill=colour)
        d.polygon(
            [
                (arm[0] - 12 * side, arm[1] - 40),
                (arm[0] + 6 * side, arm[1] - 80),
                (arm[0] + 24 * side, arm[1] - 36),
            ],
            fill=colour,
        )
    d.ellipse([cx - 150, cy - 90, cx + 150, cy + 110], fill=colour)
    for _ in range(60):  # the hairy crab's bristles
        x, y = cx + rng.randint(-130, 130), cy + rng.randint(-70, 90)
        d.line([(x, y), (x + rng.randint(-6, 6), y - 8)], fill=dark, width=2)
    for side in (-1, 1):
        d.line([(cx + side * 30, cy - 85), (cx + side * 36, cy - 115)], fill=dark, width=6)
        d.ellipse([cx + side * 36 - 9, cy - 126, cx + side * 36 + 9, cy - 108], fill=(24, 24, 24))


def _urchin(d: Draw, cx: int, cy: int, colour: Colour, rng: random.Random) -> None:
    r = 130
    for i in range(90):
        a = math.tau * i / 90 + rng.uniform(-0.02, 0.02)
        length = r + rng.randint(40, 80)
        d.line(
            [(cx, cy), (cx + length * math.cos(a), cy + length * math.sin(a))],
            fill=_shade(colour, 0.8),
            width=4,
        )
    d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
    for i in range(5):  # the opened urchin's five orange lobes
        a = math.tau * i / 5 - math.pi / 2
        x, y = cx + 62 * math.cos(a), cy + 62 * math.sin(a)
        d.ellipse([x - 34, y - 50, x + 34, y + 50], fill=(246, 160, 40))
    d.ellipse([cx - 16, cy - 16, cx + 16, cy + 16], fill=_shade(colour, 0.6))


def _squid(
    d: Draw, cx: int, cy: int, colour: Colour, rng: random.Random, scale: float = 1.0
) -> None:
    s = scale
    dark = _shade(colour, 0.8)
    top, mid = cy - int(200 * s), cy + int(40 * s)
    d.polygon(
        [
            (cx, top - int(20 * s)),
            (cx - int(110 * s), top + int(60 * s)),
            (cx + int(110 * s), top + int(60 * s)),
        ],
        fill=dark,
    )
    d.polygon([(cx, top), (cx - int(70 * s), mid), (cx + int(70 * s), mid)], fill=colour)
    d.ellipse(
        [cx - int(56 * s), mid - int(20 * s), cx + int(56 * s), mid + int(50 * s)], fill=colour
    )
    for side in (-1, 1):
        d.ellipse(
            [
                cx + side * int(28 * s) - int(9 * s),
                mid + int(4 * s),
                cx + side * int(28 * s) + int(9 * s),
                mid + int(22 * s),
            ],
            fill=(20, 24, 30),
        )
    for i in range(8):
        x = cx - int(48 * s) + int(i * 13.7 * s)
        points = [
            (x + int(10 * s * math.sin(t / 2 + i)), mid + int(40 * s) + int(t * 16 * s))
            for t in range(9)
        ]
        d.line(points, fill=colour, width=max(3, int(9 * s)), joint="curve")


def _shrimp(d: Draw, cx: int, cy: int, colour: Colour, rng: random.Random) -> None:
    for i in range(9):
        a = math.radians(200 - i * 24)
        r = 150
        x, y = cx + r * math.cos(a), cy + r * math.sin(a) * 0.9
        size = 64 - i * 5
        d.ellipse(
            [x - size, y - size * 0.8, x + size, y + size * 0.8],
            fill=_shade(colour, 1.0 - i * 0.03),
        )
    d.polygon(
        [(cx + 20, cy + 120), (cx - 40, cy + 190), (cx + 70, cy + 180)], fill=_shade(colour, 0.8)
    )
    hx, hy = cx - 140, cy - 55
    d.ellipse([hx - 8, hy - 8, hx + 8, hy + 8], fill=(20, 20, 20))
    d.line(
        [(hx, hy), (hx - 60, hy - 150), (hx + 120, hy - 220)],
        fill=_shade(colour, 0.7),
        width=4,
        joint="curve",
    )
    d.line(
        [(hx, hy), (hx - 100, hy - 90), (hx + 40, hy - 210)],
        fill=_shade(colour, 0.7),
        width=3,
        joint="curve",
    )


def _octopus(d: Draw, cx: int, cy: int, colour: Colour, rng: random.Random) -> None:
    for i in range(8):
        base = cx - 100 + i * 28
        points = [
            (base + int((i - 3.5) * t * 6) + int(18 * math.sin(t + i)), cy + 20 + t * 22)
            for t in range(9)
        ]
        d.line(points, fill=_shade(colour, 0.9), width=20, joint="curve")
    d.ellipse([cx - 120, cy - 200, cx + 120, cy + 60], fill=colour)
    for side in (-1, 1):
        d.ellipse([cx + side * 50 - 16, cy - 30, cx + side * 50 + 16, cy + 2], fill=(250, 240, 230))
        d.ellipse([cx + side * 50 - 7, cy - 20, cx + side * 50 + 7, cy - 6], fill=(20, 20, 20))


def _clam(d: Draw, cx: int, cy: int, colour: Colour, rng: random.Random) -> None:
    dark = _shade(colour, 0.72)
    for dx in (-110, 110):
        x = cx + dx
        d.ellipse([x - 140, cy - 110, x + 140, cy + 110], fill=colour)
        for k in range(1, 6):
            inset = k * 20
            d.arc(
                [x - 140 + inset, cy - 110 + inset, x + 140 - inset, cy + 110 + inset // 2],
                190,
                350,
                fill=dark,
                width=4,
            )


def _seaweed(d: Draw, cx: int, cy: int, colour: Colour, rng: random.Random) -> None:
    for i in range(5):
        x0 = cx - 220 + i * 110
        left, right = [], []
        for t in range(13):
            y = cy - 230 + t * 36
            sway = 28 * math.sin(t / 2.2 + i)
            half = 26 + 6 * math.sin(t + i)
            left.append((x0 + sway - half, y))
            right.append((x0 + sway + half, y))
        d.polygon(left + right[::-1], fill=_shade(colour, 0.9 + 0.08 * i))


def _sea_cucumber(d: Draw, cx: int, cy: int, colour: Colour, rng: random.Random) -> None:
    d.rounded_rectangle([cx - 230, cy - 70, cx + 230, cy + 80], radius=75, fill=colour)
    for i in range(16):  # the warty papillae along its back
        x = cx - 200 + i * 27 + rng.randint(-4, 4)
        y = cy - 70 + rng.randint(-6, 8)
        d.polygon([(x - 14, y + 12), (x, y - 22), (x + 14, y + 12)], fill=_shade(colour, 1.15))
    d.ellipse([cx - 250, cy - 30, cx - 200, cy + 40], fill=_shade(colour, 0.7))


def _roe(d: Draw, cx: int, cy: int, colour: Colour, rng: random.Random) -> None:
    d.ellipse([cx - 230, cy - 40, cx + 230, cy + 150], fill=(48, 40, 44))
    d.ellipse([cx - 215, cy - 50, cx + 215, cy + 110], fill=(82, 62, 58))
    beads = sorted((rng.gauss(0, 120), rng.gauss(-10, 50)) for _ in range(110))
    for bx, by in beads:
        x, y = cx + max(-190, min(190, bx)), cy + max(-110, min(70, by))
        d.ellipse([x - 22, y - 22, x + 22, y + 22], fill=colour)
        d.ellipse([x - 10, y - 12, x - 2, y - 4], fill=(255, 226, 190))


def _boat(d: Draw, cx: int, cy: int, colour: Colour, rng: random.Random) -> None:
    d.ellipse([cx + 170, cy - 230, cx + 270, cy - 130], fill=(255, 214, 120))
    d.rectangle([cx - 40, cy - 130, cx + 90, cy - 30], fill=colour)
    d.rectangle([cx - 20, cy - 110, cx + 20, cy - 80], fill=(90, 140, 180))
    d.rectangle([cx + 40, cy - 110, cx + 74, cy - 80], fill=(90, 140, 180))
    d.line([(cx - 120, cy - 30), (cx - 120, cy - 230)], fill=(70, 70, 70), width=6)
    d.polygon([(cx - 120, cy - 230), (cx - 40, cy - 210), (cx - 120, cy - 190)], fill=(214, 48, 48))
    d.polygon(
        [(cx - 270, cy - 40), (cx + 250, cy - 40), (cx + 190, cy + 50), (cx - 200, cy + 50)],
        fill=colour,
    )
    d.line([(cx - 260, cy - 20), (cx + 240, cy - 20)], fill=(30, 70, 130), width=10)
    for row in range(4):
        y = cy + 80 + row * 30
        for x in range(-60, WIDTH + 60, 80):
            d.arc(
                [x + row * 20, y - 14, x + row * 20 + 80, y + 14],
                200,
                340,
                fill=(220, 236, 246),
                width=3,
            )


def _workshop(d: Draw, cx: int, cy: int, colour: Colour, rng: random.Random) -> None:
    d.line([(cx - 320, cy - 200), (cx + 320, cy - 200)], fill=(110, 80, 56), width=12)
    for post in (-310, 310):
        d.line([(cx + post, cy - 210), (cx + post, cy + 160)], fill=(110, 80, 56), width=14)
    for i in range(5):
        x = cx - 240 + i * 120
        d.line([(x, cy - 200), (x, cy - 170)], fill=(90, 90, 90), width=3)
        _squid(d, x, cy + 20, colour, rng, scale=0.55)


MOTIFS: dict[str, Callable[..., None]] = {
    "fish": _fish,
    "salmon": _salmon,
    "scallop": _scallop,
    "crab": _crab,
    "urchin": _urchin,
    "squid": _squid,
    "shrimp": _shrimp,
    "octopus": _octopus,
    "clam": _clam,
    "seaweed": _seaweed,
    "sea_cucumber": _sea_cucumber,
    "roe": _roe,
    "boat": _boat,
    "workshop": _workshop,
}


def _caption(image: Image.Image, title: str, subtitle: str) -> None:
    band = Image.new("RGBA", (WIDTH, CAPTION), (255, 255, 255, 205))
    image.paste(band, (0, HEIGHT - CAPTION), band)
    d = ImageDraw.Draw(image)
    d.text((32, HEIGHT - CAPTION + 18), title, font=_font(44), fill=(18, 38, 64))
    if subtitle:
        d.text((34, HEIGHT - CAPTION + 72), subtitle, font=_font(26), fill=(70, 84, 100))


def draw(
    motif: str,
    title: str,
    subtitle: str = "",
    *,
    packaged: bool = False,
    colour: Colour | None = None,
    seed: str = "",
) -> bytes:
    """A 800×600 JPEG of `motif` captioned with `title` (Latin letters) and `subtitle`."""
    rng = random.Random(seed or title)
    top, bottom, default_colour = PALETTES[motif]
    colour = colour or default_colour
    if packaged:
        top, bottom = KRAFT
    image = _gradient(top, bottom)
    d = ImageDraw.Draw(image)
    for _ in range(12):  # a few bubbles or flecks of light
        x, y, r = rng.randint(0, WIDTH), rng.randint(0, HEIGHT - CAPTION), rng.randint(4, 14)
        d.ellipse([x - r, y - r, x + r, y + r], outline=_shade(top, 1.08), width=2)
    cx, cy = WIDTH // 2, (HEIGHT - CAPTION) // 2 + 20
    if packaged:  # processed goods: the motif on a paper pack
        d.rounded_rectangle(
            [140, 40, WIDTH - 140, HEIGHT - CAPTION - 20],
            radius=28,
            fill=(252, 248, 238),
            outline=(150, 118, 86),
            width=6,
        )
        d.rectangle([140, 70, WIDTH - 140, 96], fill=(196, 52, 44))
        small = Image.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
        MOTIFS[motif](ImageDraw.Draw(small), cx, cy, colour, rng)
        small = small.resize((int(WIDTH * 0.7), int(HEIGHT * 0.7)))
        image.paste(small, ((WIDTH - small.width) // 2, 84), small)
    else:
        MOTIFS[motif](d, cx, cy, colour, rng)
    _caption(image, title, subtitle)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()
