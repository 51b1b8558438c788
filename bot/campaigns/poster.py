"""A print-ready A4 poster (PNG, 150 dpi) with the campaign's QR code, its name and the link
under it. segno makes the QR matrix; matplotlib (Agg, with its bundled DejaVu fonts) lays out
the page. Every text is drawn as typed: a `$` is a dollar sign, never mathtext. The name is
fitted in its box above the tagline (wrapped on measured widths, at most NAME_LINES lines, the
font shrunk, at the smallest size ellipsized), and characters the font has no glyph for (most
emoji) are left out rather than printed as boxes. CPU work: call it off the event loop."""

from __future__ import annotations

import io
import threading
import unicodedata
from collections.abc import Callable
from typing import Any

import segno

A4_INCHES = (8.27, 11.69)
DPI = 150
MARGIN = 0.08                     # of the page's width, each side
NAME_TOP, NAME_BOTTOM = 0.93, 0.815   # the name's box, in figure fractions (the tagline: 0.80)
NAME_SIZES = (30, 26, 22, 19, 16)     # points, largest first
NAME_LINES = 4
_lock = threading.Lock()   # pyplot is not used, but keep one render at a time: bounded memory


def qr_matrix(link: str) -> list[list[int]]:
    qr = segno.make(link, error="m", micro=False)
    return [list(row) for row in qr.matrix_iter(scale=1, border=4)]


def drawable(text: str, prop: Any) -> str:
    """`text` without the characters the font chosen for `prop` cannot draw (they would print
    as boxes), without control and format characters (joiners), and without the marks and
    variation selectors of a character left out; spaces left doubled are closed."""
    from matplotlib import font_manager

    font = font_manager.get_font(font_manager.findfont(prop))
    kept, dropped = [], False
    for char in text:
        kind = unicodedata.category(char)
        if kind.startswith("M") and dropped:       # a mark of a character left out
            continue
        dropped = kind.startswith("C") or (char != " " and font.get_char_index(ord(char)) == 0)
        if not dropped:
            kept.append(char)
    return " ".join("".join(kept).split())


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Greedy word wrap on measured widths; a word wider than the line is broken."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if measure(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:          # only a word too wide for a line of its own is cut
            if line and measure(line + char) > width:
                lines.append(line)
                line = ""
            line += char
    return [*lines, line] if line else lines


def ellipsize(line: str, width: float, measure: Callable[[str], float]) -> str:
    while line and measure(line.rstrip() + "…") > width:
        line = line[:-1]
    return line.rstrip() + "…"


def fit_name(name: str, width: float, height: float, measure: Callable[[str, float], float],
             line_height: Callable[[float], float]) -> tuple[list[str], float]:
    """The name's lines and font size: the largest size at which it fits the box in at most
    NAME_LINES lines; else the smallest size, its last line ellipsized."""
    def at(size: float) -> Callable[[str], float]:
        return lambda text: measure(text, size)

    for size in NAME_SIZES:
        lines = wrap(name, width, at(size))
        if len(lines) <= NAME_LINES and len(lines) * line_height(size) <= height:
            return lines, size
    size = NAME_SIZES[-1]
    fits = max(1, min(NAME_LINES, int(height // line_height(size))))
    lines = wrap(name, width, at(size))[:fits + 1]
    if len(lines) > fits:
        lines = [*lines[:fits - 1], ellipsize(lines[fits - 1], width, at(size))]
    return lines, size
    size = NAME_SIZES[-1]
    fits = max(1, min(NAME_LINES, int(height // line_height(size))))
    lines = wrap(name, width, lambda s: measure(s, size))[:fits + 1]
    if len(lines) > fits:
        lines = [*lines[:fits - 1], ellipsize(lines[fits - 1], width, lambda s: measure(s, size))]
    return lines, size


def poster_png(name: str, link: str, tagline: str) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    matrix = qr_matrix(link)
    with _lock:
        fig = Figure(figsize=A4_INCHES, dpi=DPI, facecolor="white")
        canvas = FigureCanvasAgg(fig)
        renderer = canvas.get_renderer()
        page_w, page_h = fig.bbox.width, fig.bbox.height
        bold = FontProperties(weight="bold")
        regular = FontProperties()

        def measure(text: str, size: float, prop: FontProperties = bold) -> float:
            prop = prop.copy()
            prop.set_size(size)
            return float(renderer.get_text_width_height_descent(text, prop, ismath=False)[0])

        def line_height(size: float) -> float:
            return size * 1.2 * DPI / 72      # matplotlib's default line spacing, in pixels

        width = page_w * (1 - 2 * MARGIN)
        lines, size = fit_name(drawable(name, bold), width,
                               page_h * (NAME_TOP - NAME_BOTTOM), measure, line_height)
        # No wrap=True: matplotlib measures wrapped text as mathtext even with parse_math=False.
        fig.text(0.5, NAME_TOP, "\n".join(lines), ha="center", va="top", fontsize=size,
                 fontweight="bold", parse_math=False)
        tag = wrap(drawable(tagline, regular), width, lambda s: measure(s, 16, regular))
        if len(tag) > 2:       # two lines fit above the QR code
            tag = [tag[0], ellipsize(tag[1], width, lambda s: measure(s, 16, regular))]
        fig.text(0.5, 0.80, "\n".join(tag), ha="center", va="top", fontsize=16,
                 parse_math=False)
        ax = fig.add_axes((0.15, 0.24, 0.70, 0.70 * A4_INCHES[0] / A4_INCHES[1]))
        ax.imshow(matrix, cmap="gray_r", interpolation="nearest", vmin=0, vmax=1)
        ax.set_axis_off()
        mono = FontProperties(family="monospace")
        shown = wrap(link, width, lambda s: measure(s, 15, mono))
        fig.text(0.5, 0.17, "\n".join(shown), ha="center", va="top", fontsize=15,
                 family="monospace", parse_math=False)
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=DPI, facecolor="white")
    return out.getvalue()
