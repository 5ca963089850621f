"""A generated test set of label photos (Pillow): random valid codes on woven-looking labels,
in three tiers of difficulty, plus crops that cut the code (which must never be accepted).

Run the accuracy benchmark: `python -m bench.photo_ocr 300` (or this module: prints accuracy per
tier, wrong codes accepted, and the median CPU time per photo; figures in docs/label-photos.md).
"""

from __future__ import annotations

import datetime
import io
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from services.warranty.domain.labels import encode_gen2

JUDGE_DATE = datetime.date(2026, 12, 1)  # the judge's today: every generated code is in the past

FONT_FILES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
]
FACTORIES, STYLES = ("SD", "NJ", "FI", "MA"), ("VT01", "VT02")
COLOURS = [((236, 226, 206), (35, 30, 25)), ((25, 25, 30), (225, 215, 180)),
           ((160, 30, 40), (245, 235, 215)), ((210, 220, 235), (20, 35, 70))]  # fmt: skip
TIERS = {  # rotation (deg), blur radius, noise, JPEG quality range, perspective
    "easy": (3, 0.0, 4, (85, 95), 0.0),
    "moderate": (10, 0.8, 10, (60, 85), 0.03),
    "hard": (20, 1.4, 18, (40, 60), 0.08),
}


@dataclass(frozen=True)
class Sample:
    tier: str  # easy, moderate, hard, or cut (the code is cropped: must not be accepted)
    code: str
    photo: bytes


def _font(rng: random.Random, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    present = [f for f in FONT_FILES if Path(f).exists()]
    if present and rng.random() < 0.8:
        return ImageFont.truetype(rng.choice(present), size)
    return ImageFont.load_default(size=size)


def _woven(size: tuple[int, int], ground: tuple[int, int, int], rng: random.Random) -> Image.Image:
    label = Image.new("RGB", size, ground)
    draw = ImageDraw.Draw(label)
    shade = tuple(max(0, c - 18) for c in ground)
    for y in range(0, size[1], 3):  # the weave: fine horizontal threads
        draw.line([(0, y), (size[0], y)], fill=shade, width=1)
    for x in range(0, size[0], rng.choice((4, 5, 6))):
        draw.line([(x, 0), (x, size[1])], fill=shade, width=1)
    return label


def _light(image: Image.Image, rng: random.Random, strength: int) -> Image.Image:
    """Uneven light: a soft gradient across the label."""
    w, h = image.size
    gradient = Image.linear_gradient("L").resize((w, h)).rotate(rng.uniform(0, 360))
    dark = Image.new("RGB", (w, h), (0, 0, 0))
    return Image.composite(dark, image, gradient.point(lambda v: v * strength // 255))


def _noise(image: Image.Image, rng: random.Random, amount: int) -> Image.Image:
    noise = Image.effect_noise(image.size, amount).convert("RGB")
    return Image.blend(image, noise, 0.12 if amount > 8 else 0.05)


def _perspective(image: Image.Image, rng: random.Random, k: float) -> Image.Image:
    if not k:
        return image
    w, h = image.size
    d = [rng.uniform(-k, k) * v for v in (w, h, w, h, w, h, w, h)]
    quad = (d[0], d[1], d[2], h + d[3], w + d[4], h + d[5], w + d[6], d[7])
    return image.transform((w, h), Image.Transform.QUAD, quad, Image.Resampling.BICUBIC)


def render(code: str, tier: str, rng: random.Random, *, cut: bool = False) -> bytes:
    rotation, blur, noise, quality, persp = TIERS[tier]
    ground, ink = rng.choice(COLOURS)
    font = _font(rng, rng.randint(30, 48))
    box = ImageDraw.Draw(Image.new("RGB", (1, 1))).textbbox((0, 0), code, font=font)
    w, h = int(box[2] - box[0]) + 80, int(box[3] - box[1]) + 90
    label = _woven((w, h), ground, rng)
    ImageDraw.Draw(label).text((40, 40), code, fill=ink, font=font)
    if cut:  # keep a random 40-70% of the width: part of the code is gone
        label = label.crop((0, 0, int(w * rng.uniform(0.4, 0.7)), h))
    label = _perspective(label, rng, persp)
    label = label.rotate(rng.uniform(-rotation, rotation), expand=True, fillcolor=ground,
                         resample=Image.Resampling.BICUBIC)  # fmt: skip
    if blur:
        label = label.filter(ImageFilter.GaussianBlur(rng.uniform(blur / 2, blur)))
    label = _noise(_light(label, rng, 40 if tier == "easy" else 90), rng, noise)
    out = io.BytesIO()
    label.save(out, "JPEG", quality=rng.randint(*quality))
    return out.getvalue()


def generate(n: int, seed: int = 16) -> list[Sample]:
    """n photos: 30% easy, 30% moderate, 30% hard, 10% cut."""
    rng = random.Random(seed)
    tiers = ["easy", "moderate", "hard"]
    samples = []
    for i in range(n):
        code = encode_gen2(rng.choice(FACTORIES), rng.choice((2024, 2025, 2026)),
                           rng.randint(1, 30), rng.choice(STYLES), rng.randint(0, 99_999))  # fmt: skip
        if i % 10 == 9:
            samples.append(Sample("cut", code, render(code, rng.choice(tiers), rng, cut=True)))
        else:
            tier = tiers[i % 10 % 3]
            samples.append(Sample(tier, code, render(code, tier, rng)))
    return samples


@dataclass(frozen=True)
class Outcome:
    tier: str
    right: bool  # decoded to its own code (for a cut photo: refused)
    wrong: bool  # a code was accepted that is not the photo's code
    cpu_s: float  # time.process_time of OCR + judge: every thread of this process
    wall_s: float


def run(n: int, seed: int = 16) -> list[Outcome]:
    """Read and judge n generated photos with the service's reader; the models are loaded (and
    run once) before the first timing."""
    from services.warranty.adapters.rapid_ocr import RapidOcrReader
    from services.warranty.adapters.reference_data import load_catalogue
    from services.warranty.domain.label_reading import judge
    from shared.errors import DomainError

    reader, catalogue = RapidOcrReader(), load_catalogue()
    reader.warm_up()
    outcomes = []
    for sample in generate(n, seed):
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            got = judge(reader.read(sample.photo), today=JUDGE_DATE, catalogue=catalogue).label.code
        except DomainError:
            got = None
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        right = got is None if sample.tier == "cut" else got == sample.code
        outcomes.append(
            Outcome(sample.tier, right, got is not None and got != sample.code, cpu, wall)
        )
    return outcomes


def measure(n: int) -> dict[str, object]:
    outcomes = run(n)
    counts: dict[str, list[int]] = {}
    for o in outcomes:
        tally = counts.setdefault(o.tier, [0, 0])
        tally[0] += o.right
        tally[1] += 1
    return {"per_tier": {t: f"{a}/{b} = {a / b:.1%}" for t, (a, b) in counts.items()},
            "wrong_codes_accepted": sum(o.wrong for o in outcomes),
            "median_cpu_s": round(statistics.median(o.cpu_s for o in outcomes), 3)}  # fmt: skip


if __name__ == "__main__":
    print(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
