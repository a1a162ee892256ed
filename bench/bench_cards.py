"""Cards: one card PDF beside a bare ReportLab page with a QR code (the limit), 500 cards on A4
sheets, and `card verify` — p50/p95.

    .venv/bin/python bench/bench_cards.py
    .venv/bin/python bench/bench_cards.py --sheets-only --repeat 3   # issue 21's figure alone
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from rumah_perisai.app import open_app
from rumah_perisai.config import DataFolder
from rumah_perisai.demo import DemoRequest, create_demo_post
from rumah_perisai.printing.cards import prepare_cards
from rumah_perisai.services.cards import check_card, record_cards
from rumah_perisai.services.volunteers import Actor


def p50_p95(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"p50 {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def bare_page(text: str) -> bytes:
    """The limit: a CR80 page with nothing but a QR code, drawn by ReportLab itself."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(85.6 * mm, 54 * mm))
    widget = QrCodeWidget(text, barLevel="M")
    drawing = Drawing(21 * mm, 21 * mm)
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, 60 * mm, 20 * mm)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1, help="times to draw the 500 cards")
    parser.add_argument(
        "--sheets-only", action="store_true", help="one card and 500 cards, not card verify"
    )
    arguments = parser.parse_args()
    folder = DataFolder(Path(tempfile.mkdtemp()) / "post")
    folder.root.mkdir(parents=True)
    app = open_app(folder, folder.sqlite_url)
    create_demo_post(
        app.db, folder, DemoRequest(participants=600), "bench", today=date(2026, 11, 27)
    )
    actor = Actor(label="bench", role="coordinator", name="bench")
    one = timed(lambda: prepare_cards(app.db, folder, [1]), 40)
    sample = prepare_cards(app.db, folder, [1])
    print(f"one card PDF (front + back)                 {p50_p95(one)}")
    qr_text = "RPK" + "A" * 133
    bare = timed(lambda: bare_page(qr_text), 40)
    print(f"limit: bare ReportLab page with a QR        {p50_p95(bare)}")
    for _ in range(arguments.repeat):
        start, cpu = time.perf_counter(), time.process_time()
        sheets = prepare_cards(app.db, folder, list(range(1, 501)), sheet=True)
        # The processor time beside the wall clock: on a shared machine the clock also counts
        # the time others' processes held the cores.
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"500 cards on A4 sheets (front + back pages) {wall:7.2f} s, "
              f"{len(sheets.pdf) / 1e6:.1f} MB (CPU {cpu:.2f} s)")  # fmt: skip
    if arguments.sheets_only:
        app.close()
        return
    record_cards(app.db, sample, actor)
    from rumah_perisai.domain.card_payload import CardPayload, encode_card
    from rumah_perisai.keys import load_post_key

    payload = CardPayload("DEMO3209", "DEMO3209-000001", sample.serials[0], sample.issued_on)
    text = encode_card(payload, load_post_key(folder.keys))
    checks = timed(lambda: check_card(app.db, text), 200)
    print(f"card verify, in the program                 {p50_p95(checks)}")
    app.close()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    command = [sys.executable, "-m", "rumah_perisai", "--data-dir", str(folder.root)]
    runs = timed(
        lambda: subprocess.run([*command, "card", "verify", text], env=env, capture_output=True),
        10,
    )
    print(f"`rumah-perisai card verify`, whole process  {p50_p95(runs)}")


if __name__ == "__main__":
    main()
