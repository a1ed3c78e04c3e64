//! The report (`extract --report`, `casefile report`) end to end: the real
//! binary and shipped model on the samples plus hostile articles, then the
//! page opened in a real headless Chromium by tests/report_browser.py, which
//! compares it with the run's own output files. `make test` installs the
//! browser and the driver (`make report-test-deps`); without them this test
//! fails, it does not skip.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Articles that try to run script, link to `javascript:` and reorder the
/// page with bidi controls, in a text file and in JSONL fields (id, title,
/// url), and a line that is not JSON (a failed document for the errors view).
fn hostile_inputs(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("hostile.txt"),
        "Rebels attacked a police station in Mosul on Monday, killing three officers.\n\n\
         <script>window.__pwned=1</script> <a href=\"javascript:window.__pwned=2\">Read more</a>\n\n\
         <img src=x onerror=\"window.__pwned=3\"> Officials in \u{202e}dadhgaB\u{202c} said \
         \u{2067}Islamic State\u{2069} claimed the attack on the station.\n",
    )
    .unwrap();
    let doc = serde_json::json!({
        "id": "</script><script>window.__pwned=4</script>\u{202e}",
        "title": "<img src=x onerror=window.__pwned=5>",
        "url": "javascript:window.__pwned=6",
        "published": "2024-05-02",
        "text": "Police arrested two men in Basra on Tuesday after a bomb attack killed \
                 four people. <script>window.__pwned=7</script>\u{2028}-->",
    });
    std::fs::write(dir.join("feed.jsonl"), format!("{doc}\nthis is not json\n")).unwrap();
}

fn python() -> PathBuf {
    let venv = std::env::var_os("VIRTUAL_ENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv"));
    let python = venv.join("bin/python");
    assert!(
        python.exists(),
        "{} missing: run `make report-test-deps`",
        python.display()
    );
    python
}

/// The JSON data the page carries.
fn page_data(html: &str) -> Value {
    let start = html.find(r#"id="report-data">"#).expect("data element") + 17;
    let end = start + html[start..].find("</script>").expect("end of data");
    serde_json::from_str(&html[start..end]).expect("the page data is JSON")
}

/// `--report-docs` keeps the texts of the documents with the most events and
/// says how many it left out; every other part covers all documents.
fn assert_bounded(out: &Path, bound: usize) {
    casefile_ok(&[
        "report",
        out.to_str().unwrap(),
        "--report-docs",
        &bound.to_string(),
    ]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("<script>window"), "input markup in the page");
    let data = page_data(&html);
    let docs = read_jsonl(&out.join("documents.jsonl"));
    let events = |d: &Value| d["events"].as_array().unwrap().len();
    let ok: Vec<&Value> = docs.iter().filter(|d| d.get("error").is_none()).collect();
    let texts = data["texts"].as_array().unwrap();
    assert_eq!(texts.len(), bound);
    assert_eq!(data["texts_left_out"], ok.len() - bound);
    assert_eq!(data["documents"].as_array().unwrap().len(), docs.len());
    let kept: Vec<usize> = texts
        .iter()
        .map(|t| events(&docs[t["doc"].as_u64().unwrap() as usize]))
        .collect();
    let least_kept = kept.iter().min().unwrap();
    let shown: Vec<u64> = texts.iter().map(|t| t["doc"].as_u64().unwrap()).collect();
    for (i, d) in docs.iter().enumerate() {
        if d.get("error").is_none() && !shown.contains(&(i as u64)) {
            assert!(
                events(d) <= *least_kept,
                "{} left out before fewer-event documents",
                d["id"]
            );
        }
    }
    let mentions: usize = docs.iter().map(events).sum();
    assert_eq!(data["mentions"].as_array().unwrap().len(), mentions);
}

#[test]
fn the_report_opens_in_chromium_matches_the_run_and_runs_no_input() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = tmp.path().join("in");
    hostile_inputs(&inputs);
    let out = tmp.path().join("out");
    let o = casefile(&[
        "extract",
        "data/samples",
        inputs.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--report",
        "--quiet",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "one document fails: {stderr}");
    let check = Command::new(python())
        .arg(repo().join("tests/report_browser.py"))
        .arg(&out)
        .arg("--hostile")
        .output()
        .expect("python runs");
    assert!(
        check.status.success(),
        "browser check failed:\n{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    assert_bounded(&out, 3);
}

#[test]
fn a_report_of_a_directory_without_a_run_fails_naming_what_is_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let o = casefile(&["report", tmp.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("merged_events.csv"), "{err}");
    assert!(!tmp.path().join("report.html").exists());
}
