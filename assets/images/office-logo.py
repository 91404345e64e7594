"""Draws assets/images/office-logo.png: herald's stand-in office emblem, a town hall (pediment,
four columns, steps) in the civic theme's amber on a transparent background. An office replaces
it with its own coat of arms (see docs/layouts.md). Run: python3 office-logo.py (needs Pillow)."""

from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 1024  # drawn large, then scaled down for smooth edges
AMBER = (255, 204, 77, 255)

img = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
d = ImageDraw.Draw(img)
# Pediment.
d.polygon([(512, 70), (950, 330), (74, 330)], fill=AMBER)
# Architrave.
d.rectangle([120, 360, 904, 430], fill=AMBER)
# Four columns.
for x in (170, 380, 580, 790):
    d.rectangle([x, 460, x + 64, 800], fill=AMBER)
# Steps.
d.rectangle([110, 830, 914, 880], fill=AMBER)
d.rectangle([60, 905, 964, 955], fill=AMBER)

out = Path(__file__).with_name("office-logo.png")
img.resize((256, 256), Image.LANCZOS).save(out)
print(out)
