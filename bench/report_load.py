"""How long a report.html takes to open in headless Chromium (Debian's, as the
tests use it), and to answer a filter; prints one JSON line.

    python bench/report_load.py OUT_DIR/report.html [RUNS]

`ready_ms` is from navigation start to the page's script having drawn every
view (body[data-ready]), as the page itself measures it (performance.now());
`wall_s` adds the browser's own file loading as a user waits for it; the
best of RUNS (default 3) fresh pages is kept.
"""

import json
import os
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def once(browser, uri):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    start = time.perf_counter()
    page.goto(uri, timeout=120000)
    page.wait_for_selector("body[data-ready]", timeout=120000)
    wall = time.perf_counter() - start
    ready = page.evaluate("performance.now()")
    page.click("#nav a[data-view=events]")
    kind = page.eval_on_selector("#f-type option:nth-child(2)", "o => o.value")
    t = time.perf_counter()
    page.select_option("#f-type", kind)
    page.wait_for_selector("#events-table tbody tr.ev")
    filter_ms = (time.perf_counter() - t) * 1000
    rows = page.get_attribute("#events-count", "data-rows")
    page.close()
    if errors:
        raise SystemExit(f"console errors: {errors}")
    return {"wall_s": round(wall, 2), "ready_ms": round(ready), "filter_ms": round(filter_ms),
            "filtered_rows": int(rows)}


def main():
    report = Path(sys.argv[1]).resolve()
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        results = [once(browser, report.as_uri()) for _ in range(runs)]
        browser.close()
    best = min(results, key=lambda r: r["wall_s"])
    best["bytes"] = report.stat().st_size
    print(json.dumps(best))


if __name__ == "__main__":
    main()
