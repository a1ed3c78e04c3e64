"""Opens a run's report.html in a real headless Chromium and checks it against
the run's own output files. Run by tests/report.rs; exits non-zero on failure.

    python tests/report_browser.py OUT_DIR [--hostile] [--screenshot PNG]

Checks: no console errors and no request leaving the file; the events table
has one row per line of merged_events.csv and each row opens its mentions
with the trigger highlighted; filtering by type shows exactly that type's
rows; every document view highlights every entity of documents.jsonl at its
characters (offsets measured in the rendered page, not read from attributes);
the errors view lists errors.csv. With --hostile, also: no script of the
input ran (window.__pwned), no javascript: link, bidi controls are shown as
isolated tags. The browser is Debian's chromium (CHROMIUM overrides the path),
driven by Playwright; a missing browser is a failure, not a skip.
"""

import csv
import json
import os
import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# Code-point offsets of every entity mark, measured from the start of the text
# box with a DOM Range (so what counts is where the mark really is), and the
# box's whole text.
MEASURE = """() => {
  const box = document.getElementById('doctext');
  const cps = (s) => Array.from(s).length;
  return {
    text: box.textContent,
    marks: Array.from(box.querySelectorAll('mark.ent')).map((m) => {
      const r = document.createRange();
      r.setStart(box, 0);
      r.setEndBefore(m);
      const start = cps(r.toString());
      return [start, start + cps(m.textContent), m.dataset.type, m.textContent];
    }),
  };
}"""


class Failed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failed(what)


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def open_page(browser, report):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors, requests = [], []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: r.url.startswith("file://") or requests.append(r.url))
    page.goto(report.as_uri())
    page.wait_for_selector("body[data-ready]", timeout=15000)
    return page, errors, requests


def check_events(page, merged):
    page.click("#nav a[data-view=events]")
    rows = page.locator("#events-table tbody tr.ev")
    check(len(merged) <= 500, "the sample run fits one page of the table")
    check(rows.count() == len(merged), f"events table: {rows.count()} rows, merged_events.csv {len(merged)}")
    check(page.get_attribute("#events-count", "data-rows") == str(len(merged)), "row count shown")
    for i in range(rows.count()):
        row = rows.nth(i)
        row.click()
        detail = row.locator("xpath=following-sibling::tr[1]")
        check("detail" in (detail.get_attribute("class") or ""), f"row {i} opens its mentions")
        mentions = detail.locator(".mention")
        check(mentions.count() >= 1, f"row {i} has mentions")
        for k in range(mentions.count()):
            check(mentions.nth(k).locator(".sentence .trigger").count() >= 1, f"row {i} mention {k}: trigger")
        row.click()
    # A mention's link opens its document at the mention: trigger and card marked.
    rows.first.click()
    page.locator("#events-table tr.detail .mention a").first.click()
    page.wait_for_selector("#doctext .trigger.focus")
    check(page.locator(".evcard.focus").count() == 1, "the mention's card is marked")
    page.click("#nav a[data-view=events]")
    rows.first.click()
    types = sorted({m["type"] for m in merged}, key=lambda t: sum(m["type"] == t for m in merged))
    kind = types[0]
    page.select_option("#f-type", kind)
    want = sum(m["type"] == kind for m in merged)
    check(want < len(merged), "a type filter that leaves out rows")
    shown = page.eval_on_selector_all("#events-table tbody tr.ev", "rs => rs.map(r => r.dataset.type)")
    check(shown == [kind] * want, f"filter {kind}: {len(shown)} rows shown, {want} expected")
    page.click("#filters button[type=reset]")
    expect(page.locator("#events-table tbody tr.ev")).to_have_count(len(merged))


def check_documents(page, docs):
    viewed = 0
    for i, d in enumerate(docs):
        if d.get("error"):
            continue
        page.click("#nav a[data-view=documents]")
        # Row i is document i (the run is small enough for one page).
        page.click(f"#documents-table tbody tr:nth-child({i + 1}) td:first-child a")
        page.wait_for_selector("#doctext")
        got = page.evaluate(MEASURE)
        check(got["text"] == d["text"], f"{d['id']}: the document text is shown exactly")
        want = [[e["start"], e["end"], e["type"], e["text"]] for e in d["entities"]]
        check(got["marks"] == want, f"{d['id']}: entity marks {got['marks']} != {want}")
        cards = page.locator(".evcard").count()
        check(cards == len(d["events"]), f"{d['id']}: {cards} event cards, {len(d['events'])} events")
        controls = sum(c in BIDI for c in d["text"])
        check(page.locator("#doctext .ctl").count() == controls, f"{d['id']}: bidi controls tagged")
        viewed += 1
    return viewed


def check_errors(page, errors_csv):
    page.click("#nav a[data-view=errors]")
    ids = page.eval_on_selector_all("#errors-table tbody tr td:first-child", "ts => ts.map(t => t.textContent)")
    check(ids == [e["doc_id"] for e in errors_csv], f"errors view {ids}")


def check_hostile(page):
    check(page.evaluate("window.__pwned === undefined"), "a script from the input ran")
    check(page.locator("a[href^='javascript:' i]").count() == 0, "a javascript: link")
    check(page.evaluate("document.scripts.length") == 2, "only the page's own two scripts")
    check(page.locator("body img, body iframe").count() == 0, "markup from the input")


def main(argv):
    out = Path(argv[1]).resolve()
    report = out / "report.html"
    check(report.is_file(), f"{report} missing")
    check(Path(CHROMIUM).is_file(), f"{CHROMIUM} missing: `make report-test-deps` installs it")
    docs = [json.loads(line) for line in open(out / "documents.jsonl", encoding="utf-8")]
    merged = read_csv(out / "merged_events.csv")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        page, errors, requests = open_page(browser, report)
        check_events(page, merged)
        viewed = check_documents(page, docs)
        check_errors(page, read_csv(out / "errors.csv"))
        if "--hostile" in argv:
            check_hostile(page)
        if "--screenshot" in argv:
            page.set_viewport_size({"width": 1100, "height": 760})
            page.goto(report.as_uri() + "#doc/0")
            page.screenshot(path=argv[argv.index("--screenshot") + 1])
        check(not errors, f"console errors: {errors}")
        check(not requests, f"requests leaving the file: {requests}")
        browser.close()
    print(f"report ok: {len(merged)} merged events, {viewed} document views, chromium {CHROMIUM}")


if __name__ == "__main__":
    try:
        main(sys.argv)
    except Failed as e:
        print(f"report check failed: {e}", file=sys.stderr)
        sys.exit(1)
