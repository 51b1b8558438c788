"""One bot for a province with 17 region layers: content load and check time, start-up with
warm caches, peak RSS (issue 20's targets: load + check < 5 s, start-up < 8 s, RSS < 400 MB).

The bundled Sumatera Selatan content has one written layer (16.03, and 16.71 when merged);
every other kabupaten/kota gets a generated, fixture-sized layer (its profile, three entries
overriding the shared regional ones, one source; invented text) so that all 17 are layered.

    python -m benchmarks.province
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.stats import children_peak_rss_kb, peak_rss_kb
from bot import PROJECT_ROOT
from bot.content.registry import load_content
from bot.regions.loader import load_regions
from bot.regions.wilayah import load_region_tree
from tests.fakes.process import bot_env, start_bot, stop_bot
from tests.fakes.server import FakeBotApiServer

TOKEN = "565656:BENCH-province-token-for-the-fake-server"
ENTRY = """  {eid}:
    topic: {topic}
    sources: [bench_{slug}]
    id:
      title: {title_id} {name}
      questions: ["{question_id}"]
      answer: "{answer_id} {{{{ election.region }}}} (data tiruan untuk benchmark)."
    en:
      title: {title_en} {name}
      questions: ["{question_en}"]
      answer: "{answer_en} {{{{ election.region }}}} (invented benchmark data)."
"""
ENTRIES = [
    ("paslon_bupati", "kandidat", "Pasangan calon", "Siapa calon kepala daerah?",
     "Pasangan calon di", "Candidate pairs", "Who are the candidates?", "Candidate pairs in"),
    ("hasil_muara_enim", "hasil", "Hasil pemilihan", "Siapa yang menang?",
     "Hasil pemilihan di", "Election result", "Who won?", "The result in"),
    ("kontak_resmi", "muara_enim", "Kontak resmi", "Kontak KPU di mana?",
     "Kontak KPU dan Bawaslu di", "Official contacts", "How do I reach the KPU?",
     "KPU and Bawaslu contacts in"),
]


def generate(target: Path) -> int:
    """The bundled content with a generated layer for every kabupaten/kota that has none."""
    shutil.copytree(PROJECT_ROOT / "content", target)
    tree = load_region_tree(target / "regions" / "wilayah_sumsel.csv", "16")
    made = 0
    for region in tree.kabupaten:
        folder = target / "layers" / region.code
        if folder.exists():
            continue
        slug = region.code.replace(".", "_")
        race = "walikota" if region.name.startswith("Kota ") else "bupati"
        (folder / "faq").mkdir(parents=True)
        (folder / "region.yaml").write_text(
            f'code: "{region.code}"\nname: {region.name}\nrace: {race}\n'
            f"kecamatan_count: {len(tree.kecamatan_in(region.code))}\n"
            f"contacts:\n  kpu_kabupaten:\n    name: {{id: KPU {region.name}, en: KPU {region.name}}}\n",
            encoding="utf-8")
        (folder / "sources.yaml").write_text(
            f"bench_{slug}:\n  title: Sumber tiruan {region.name}\n"
            f"  url: https://bench.example/{slug}\n  date: 1 Jan 2024\n", encoding="utf-8")
        body = "".join(ENTRY.format(eid=e, topic=t, slug=slug, name=region.name, title_id=ti,
                                    question_id=qi, answer_id=ai, title_en=te, question_en=qe,
                                    answer_en=ae)
                       for e, t, ti, qi, ai, te, qe, ae in ENTRIES)
        (folder / "faq" / "regional.yaml").write_text("entries:\n" + body, encoding="utf-8")
        made += 1
    return made


def timed_check(root: Path) -> tuple[float, float]:
    """In this process: load + every check (seconds); `python -m bot check` end to end."""
    began = time.perf_counter()
    content = load_content(root)
    load_regions(content)
    in_process = time.perf_counter() - began
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bot", "check", "--content", str(root)], check=True,
                   capture_output=True, cwd=PROJECT_ROOT)
    return in_process, time.perf_counter() - began


async def start_up(root: Path, folder: Path, cache: Path) -> tuple[float, float, float, float]:
    """Seconds to ready (command menu registered), to the answer model loaded, peak RSS (MB),
    and the training processes' peak RSS (MB; 0 when the model came from the cache), for one
    start of `python -m bot run` on this content."""
    server = FakeBotApiServer(TOKEN)
    await server.start()
    log = folder / "bot.log"
    env = bot_env(server, folder, LOG_LEVEL="INFO", CONTENT_DIR=str(root), CACHE_DIR=str(cache))
    began = time.monotonic()
    process = await start_bot(server, env, folder, log)
    ready = time.monotonic() - began
    training = 0
    try:
        while "answer model: second stage ready" not in log.read_text(errors="replace"):
            if time.monotonic() - began > 900:
                raise RuntimeError("the answer model was not ready within 900 s")
            training = max(training, children_peak_rss_kb(process.pid))
            await asyncio.sleep(0.1)
        model = time.monotonic() - began
        rss = peak_rss_kb(process.pid) / 1024
    finally:
        await stop_bot(process, server)
        await server.stop()
    return ready, model, rss, training / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "content"
        made = generate(root)
        layers = len(list((root / "layers").iterdir()))
        print(f"province: {layers} region layers ({made} generated, fixture-sized)")
        for attempt in ("cold", "warm"):
            in_process, cli = timed_check(root)
            print(f"  load + check ({attempt} files): {in_process:.2f} s in process, "
                  f"`python -m bot check` {cli:.2f} s   target < 5 s")
        cache = Path(tempfile.gettempdir()) / "suara-bench-province"
        for attempt in ("first (trains the model if its cache is cold)", "warm caches"):
            folder = Path(tmp) / attempt.split()[0]
            folder.mkdir()
            ready, model, rss, training = asyncio.run(start_up(root, folder, cache))
            print(f"  start-up, {attempt}: ready {ready:.1f} s, answer model loaded {model:.1f} s, "
                  f"peak RSS {rss:.0f} MB" + (f" (the training process: {training:.0f} MB)"
                                              if training else "")
                  + ("   targets < 8 s, < 400 MB" if attempt == "warm caches" else ""))


if __name__ == "__main__":
    main()
