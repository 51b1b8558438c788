"""/statistik's chart: one PNG with four panels (subscribers over time, by kecamatan, questions
per day by outcome, answered questions by topic). matplotlib's object API with the Agg canvas
(no pyplot state, no display); CPU work, so callers run it off the event loop."""

from __future__ import annotations

import io
import threading
from datetime import date

from bot.insights.report import QUESTION_METRICS, Report

_lock = threading.Lock()
COLOURS = {"answered": "#2e7d32", "suggested": "#f9a825", "unknown": "#c62828",
           "declined": "#757575"}
NAMES = {"answered": "terjawab", "suggested": "pilihan", "unknown": "tidak tahu",
         "declined": "di luar cakupan"}


def preload() -> None:
    """Import matplotlib ahead of the first chart (about 0.4 s here), off the event loop."""
    import matplotlib.backends.backend_agg
    import matplotlib.figure  # noqa: F401


def render_png(report: Report) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with _lock:
        fig = Figure(figsize=(11, 8), dpi=100, facecolor="white")
        FigureCanvasAgg(fig)
        (a, b), (c, d) = fig.subplots(2, 2)
        fig.suptitle(f"Suara — statistik per {report.today.isoformat()}", fontsize=14)

        days = [date.fromisoformat(day) for day, _ in report.subscribers_by_day]
        running, totals = 0, []
        for _, n in report.subscribers_by_day:
            running += n
            totals.append(running)
        a.plot(days, totals, color="#1565c0") if days else a.text(0.5, 0.5, "belum ada",
                                                                   ha="center")
        a.set_title("Pelanggan aktif (kumulatif)", y=1.0)
        a.tick_params(axis="x", labelrotation=30, labelsize=8)

        # A province's whole: per kabupaten/kota; a regency (or one region's official): per
        # kecamatan.
        by_region = sorted(((name, n) for name, n, _ in report.by_region), key=lambda r: -r[1])
        top = (by_region or report.by_kecamatan)[:12][::-1]
        b.barh([k for k, _ in top], [n for _, n in top], color="#1565c0")
        b.set_title(f"Pelanggan per {'kabupaten/kota' if by_region else 'kecamatan'} "
                    "(12 teratas)", y=1.0)
        b.tick_params(axis="y", labelsize=8)

        days_q = sorted(report.per_day)[-60:]
        x = [date.fromisoformat(day) for day in days_q]
        if x:   # stacked areas: one artist per outcome, not one per bar
            c.stackplot(x, *[[report.per_day[day].get(m, 0) for day in days_q]
                             for m in QUESTION_METRICS],
                        colors=[COLOURS[m] for m in QUESTION_METRICS],
                        labels=[NAMES[m] for m in QUESTION_METRICS])
            c.legend(fontsize=8)
        c.set_title("Pertanyaan per hari (60 hari)", y=1.0)
        c.tick_params(axis="x", labelrotation=30, labelsize=8)

        topics = sorted(report.by_topic.get("answered", {}).items(), key=lambda kv: kv[1])[-10:]
        d.barh([t for t, _ in topics], [n for _, n in topics], color=COLOURS["answered"])
        d.set_title("Terjawab per topik", y=1.0)
        d.tick_params(axis="y", labelsize=8)

        fig.subplots_adjust(left=0.17, right=0.98, top=0.91, bottom=0.08, wspace=0.55,
                            hspace=0.4)
        out = io.BytesIO()
        fig.savefig(out, format="png")
    return out.getvalue()
