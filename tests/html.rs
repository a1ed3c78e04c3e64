//! HTML input end to end: the real binary reads a directory of saved pages,
//! keeps the article text, title and date, and every offset it writes points
//! into that text. A tiny random model (see `common`) stands in for the NER
//! model: this checks plumbing and offsets, not predictions.

mod common;

use common::*;

const PARAGRAPHS: [&str; 3] = [
    "An air strike killed three people near Baghdad on Thursday, officials said, and a convoy was hit on the road to the airport.",
    "The U.S. envoy, José Núñez, met Iraqi leaders on January 5, 2020 — two days later — to discuss the strike & its aftermath 🚀.",
    "Protesters marched in Basra on Friday, and the talks were postponed until next week, according to a statement.",
];

fn article_page() -> String {
    let paragraphs: String = PARAGRAPHS
        .iter()
        .map(|p| format!("<p>{}</p>\r\n", p.replace('&', "&amp;")))
        .collect();
    format!(
        "\u{feff}<!DOCTYPE html>\r\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Strike near Baghdad kills three | Example Wire</title>\
         <meta property=\"article:published_time\" content=\"2020-01-03T08:15:00Z\">\
         <script>window.ads = [\"<p>not article text</p>\"];</script>\
         <style>.x {{ display: none }}</style></head>\
         <body><header><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav></header>\
         <div class=\"cookie-consent\"><p>We use cookies to give you the best experience, okay?</p></div>\
         <article><h1>Strike near Baghdad kills three</h1>\
         <div class=\"story-body\">{paragraphs}\
         <p><b>Read also:</b> <a href=\"/other\">Earlier strike on the same road</a></p>\
         <div class=\"social-share\"><a href=\"#\">Share on Facebook</a></div></div></article>\
         <aside><h2>Most read</h2><ol><li><a href=\"/1\">Something else</a></li></ol></aside>\
         <!-- comment: not text -->\
         <footer><p>© Example Wire, all rights reserved, since 1999.</p></footer></body></html>"
    )
}

#[test]
fn extract_reads_html_pages_and_offsets_point_into_the_extracted_text() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(&tmp.path().join("model"), "bert", 128);
    let input = tmp.path().join("pages");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join("article.html"), article_page()).unwrap();
    // Hostile: 60,000 nested elements; the run must go on and account for it.
    let n = 60_000;
    let deep = "<div>".repeat(n) + "text" + &"</div>".repeat(n);
    std::fs::write(input.join("deep.htm"), deep).unwrap();
    let out = tmp.path().join("out");
    let o = casefile(&[
        "extract",
        "--no-events",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
        "--quiet",
    ]);
    // 0, or 3 when some document failed: either way a finished run.
    assert!(
        matches!(o.status.code(), Some(0) | Some(3)),
        "{:?}: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    let docs = read_jsonl(&out.join("documents.jsonl"));
    let ids: Vec<&str> = docs.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["article", "deep"]);

    let article = &docs[0];
    assert!(article.get("error").is_none(), "{}", article["error"]);
    assert_eq!(article["text"].as_str().unwrap(), PARAGRAPHS.join("\n\n"));
    assert_eq!(article["title"], "Strike near Baghdad kills three");
    assert_eq!(article["published"], "2020-01-03");
    assert_eq!(article["published_source"], "meta");
    assert!(article["source"]
        .as_str()
        .unwrap()
        .ends_with("article.html"));
    // Dates are found (rules, not the random model), so offsets are checked.
    assert!(!article["times"].as_array().unwrap().is_empty());
    assert!(assert_offsets(&docs) > 0);

    let deep = &docs[1];
    match deep.get("error") {
        None => assert_eq!(deep["text"], "text"),
        Some(e) => assert!(!e.as_str().unwrap().is_empty()),
    }
}
