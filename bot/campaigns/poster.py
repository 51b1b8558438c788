"""A print-ready A4 poster (PNG, 150 dpi) with the campaign's QR code, its name and the link
under it. segno makes the QR matrix; matplotlib (Agg, with its bundled DejaVu fonts) lays out
the page. Every text is drawn as typed: a `$` is a dollar sign, never mathtext. CPU work:
call it off the event loop."""

from __future__ import annotations

import io
import textwrap
import threading

import segno

A4_INCHES = (8.27, 11.69)
DPI = 150
_lock = threading.Lock()   # pyplot is not used, but keep one render at a time: bounded memory


def qr_matrix(link: str) -> list[list[int]]:
    qr = segno.make(link, error="m", micro=False)
    return [list(row) for row in qr.matrix_iter(scale=1, border=4)]


def poster_png(name: str, link: str, tagline: str) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    matrix = qr_matrix(link)
    with _lock:
        fig = Figure(figsize=A4_INCHES, dpi=DPI, facecolor="white")
        FigureCanvasAgg(fig)
        # No wrap=True: matplotlib measures wrapped text as mathtext even with parse_math=False.
        fig.text(0.5, 0.92, "\n".join(textwrap.wrap(name, 28)), ha="center", va="top",
                 fontsize=30, fontweight="bold", parse_math=False)
        fig.text(0.5, 0.80, "\n".join(textwrap.wrap(tagline, 48)), ha="center", va="top",
                 fontsize=16, parse_math=False)
        ax = fig.add_axes((0.15, 0.24, 0.70, 0.70 * A4_INCHES[0] / A4_INCHES[1]))
        ax.imshow(matrix, cmap="gray_r", interpolation="nearest", vmin=0, vmax=1)
        ax.set_axis_off()
        fig.text(0.5, 0.17, "\n".join(textwrap.wrap(link, 44)), ha="center", va="top",
                 fontsize=15, family="monospace", parse_math=False)
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=DPI, facecolor="white")
    return out.getvalue()
