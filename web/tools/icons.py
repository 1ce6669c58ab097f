#!/usr/bin/env python3
"""Draws the page's app icons (web/icons/*.png): a certificate sheet with a seal on the accent
blue. Standard library only (zlib + struct write the PNGs). Run from the repository root:
    python3 web/tools/icons.py
The PNGs are committed; rerun this only to change the drawing. Output is deterministic."""
import struct
import zlib
from pathlib import Path

BLUE = (0x1F, 0x5F, 0xBF)
WHITE = (0xFF, 0xFF, 0xFF)
LINE = (0x9D, 0xB3, 0xD8)
GOLD = (0xE8, 0xA3, 0x17)
SUB = 4  # 4x4 samples per pixel: smooth edges


def inside_round_rect(x, y, x0, y0, x1, y1, r):
    """Is (x, y) inside the rectangle [x0, x1] x [y0, y1] with corners of radius r?"""
    if x < x0 or x > x1 or y < y0 or y > y1:
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def colour_at(u, v, maskable):
    """The colour at (u, v) in unit coordinates [0, 1), or None where it is transparent."""
    # A maskable icon is full bleed and keeps its drawing inside the central 80% safe zone.
    if maskable:
        s, o = 0.62, 0.19
    else:
        if not inside_round_rect(u, v, 0.0, 0.0, 1.0, 1.0, 0.18):
            return None
        s, o = 0.76, 0.12
    x, y = (u - o) / s, (v - o) / s  # the drawing's own unit square
    # The seal (a gold disc with a white ring and ribbon tails) sits over the sheet's corner.
    sx, sy = x - 0.74, y - 0.72
    if 0.02 <= sy <= 0.30 and abs(sx) <= 0.13 and abs(sx) >= 0.03 + sy * 0.1:
        if sy < 0.30 - abs(abs(sx) - 0.08) * 0.8:
            return GOLD
    d2 = sx * sx + sy * sy
    if d2 <= 0.17 ** 2:
        if 0.11 ** 2 <= d2 <= 0.13 ** 2:
            return WHITE
        return GOLD
    if inside_round_rect(x, y, 0.08, 0.12, 0.92, 0.84, 0.06):
        # Text lines on the sheet: a title bar and four lines of body.
        if 0.22 <= y <= 0.30 and 0.2 <= x <= 0.8:
            return BLUE
        for top, right in ((0.40, 0.80), (0.50, 0.80), (0.60, 0.56), (0.70, 0.50)):
            if top <= y <= top + 0.04 and 0.2 <= x <= right:
                return LINE
        return WHITE
    return BLUE


def draw(size, maskable):
    """RGBA rows of one icon, antialiased by supersampling."""
    rows = []
    for py in range(size):
        row = bytearray([0])  # PNG filter type 0 (None)
        for px in range(size):
            acc = [0, 0, 0, 0]
            for j in range(SUB):
                for i in range(SUB):
                    c = colour_at((px + (i + 0.5) / SUB) / size, (py + (j + 0.5) / SUB) / size, maskable)
                    if c is not None:
                        acc[0] += c[0]
                        acc[1] += c[1]
                        acc[2] += c[2]
                        acc[3] += 1
            n = acc[3]
            if n == 0:
                row += b"\0\0\0\0"
            else:
                row += bytes([acc[0] // n, acc[1] // n, acc[2] // n, 255 * n // (SUB * SUB)])
        rows.append(bytes(row))
    return b"".join(rows)


def png(size, rgba):
    """A PNG file: 8-bit RGBA, non-interlaced."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rgba, 9)) + chunk(b"IEND", b"")


def main():
    out = Path(__file__).resolve().parent.parent / "icons"
    out.mkdir(exist_ok=True)
    for name, size, maskable in (("icon-192.png", 192, False), ("icon-512.png", 512, False), ("maskable-512.png", 512, True)):
        (out / name).write_bytes(png(size, draw(size, maskable)))
        print(f"wrote {out / name}")


if __name__ == "__main__":
    main()
