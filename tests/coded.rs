//! coded_events.csv through the real pipeline: the shipped NER model, the
//! shipped parser (the events stage reads its parse), the gazetteer `make gazetteer` builds,
//! and the built-in coding mapping (rules/coding.toml).

mod common;

use common::{casefile, casefile_ok, csv_maps, extract_texts, read_jsonl, repo, shipped_model};
use std::collections::BTreeMap;
use std::path::Path;

/// Runs extract on one .txt file per (name, text); returns coded_events.csv's rows.
fn coded(docs: &[(&str, &str)]) -> Vec<BTreeMap<String, String>> {
    let (_dir, out) = extract_texts(docs, &[]);
    csv_maps(&out.join("coded_events.csv")).1
}

fn only<'a>(rows: &'a [BTreeMap<String, String>], doc: &str) -> &'a BTreeMap<String, String> {
    let mine: Vec<_> = rows.iter().filter(|r| r["sources"] == doc).collect();
    assert_eq!(
        mine.len(),
        1,
        "{doc}: one coded event expected in {rows:#?}"
    );
    mine[0]
}

#[test]
fn notes_are_coded_as_acled_and_plover() {
    let talafar = "On 4 June 2023, unidentified gunmen shot and killed two police officers at a checkpoint near Tal Afar in Nineveh province.";
    let selo = "On 30 September 2021, an airstrike by the Air Force hit a market in Selo village, killing 23 civilians.";
    let protest = "Thousands of protesters demonstrated in Baghdad on Friday against power cuts.";
    let rows = coded(&[("talafar", talafar), ("selo", selo), ("protest", protest)]);

    let t = only(&rows, "talafar");
    assert_eq!(t["event_id"], "talafar#d1");
    assert_eq!(t["event_date"], "2023-06-04");
    assert_eq!(t["event_type"], "Battles");
    assert_eq!(t["sub_event_type"], "Armed clash");
    assert_eq!(t["actor1"], "unidentified gunmen");
    assert_eq!(t["actor1_kind"], "unidentified armed group");
    assert_eq!(t["actor2"], "two police officers");
    assert_eq!(t["actor2_kind"], "police");
    assert_eq!(t["country"], "Iraq");
    assert_eq!(t["admin1"], "Nineveh");
    assert_eq!(t["geo_precision"], "1");
    let lat: f64 = t["latitude"].parse().unwrap();
    let lon: f64 = t["longitude"].parse().unwrap();
    assert!(
        (lat - 36.37).abs() < 0.1 && (lon - 42.45).abs() < 0.1,
        "{t:?}"
    );
    assert!(t["location"].starts_with("Tal"), "{t:?}");
    assert_eq!(t["fatalities"], "2");
    assert_eq!(t["notes"], talafar);

    let s = only(&rows, "selo");
    assert_eq!(s["event_type"], "Explosions/Remote violence");
    assert_eq!(s["sub_event_type"], "Air/drone strike");
    assert_eq!(
        (s["plover_event"].as_str(), s["plover_mode"].as_str()),
        ("ASSAULT", "aerial")
    );
    assert_eq!(s["actor1_kind"], "state forces");
    assert_eq!(s["actor2_kind"], "civilians");
    assert_eq!(s["fatalities"], "23");

    let p = only(&rows, "protest");
    assert_eq!(p["event_type"], "Protests");
    assert_eq!(p["plover_event"], "PROTEST");
    assert_eq!(p["actor1_kind"], "protesters");
    assert_eq!(p["location"], "Baghdad");
    assert_eq!(p["country"], "Iraq");
}

#[test]
fn samples_run_writes_one_row_per_coded_event() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let db = dir.path().join("kb.sqlite");
    let stream = dir.path().join("events.jsonl");
    let samples = repo().join("data/samples");
    casefile_ok(&[
        "extract",
        samples.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--model",
        shipped_model().to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--jsonl",
        stream.to_str().unwrap(),
        "--quiet",
    ]);
    let (header, coded) = csv_maps(&out.join("coded_events.csv"));
    assert_eq!(header[0], "event_id");
    assert_eq!(header.last().unwrap(), "sources");
    assert_eq!(header.len(), 21);
    assert!(!coded.is_empty(), "the samples have coded events");
    // Each row is one document-level event, named
    // by the doc_event_id its mentions share in events.csv.
    let (_, events) = csv_maps(&out.join("events.csv"));
    let mut seen = std::collections::HashSet::new();
    for r in &coded {
        assert!(
            seen.insert(r["event_id"].clone()),
            "{} twice",
            r["event_id"]
        );
        let mine: Vec<_> = events
            .iter()
            .filter(|e| e["doc_event_id"] == r["event_id"])
            .collect();
        assert!(!mine.is_empty(), "{} not in events.csv", r["event_id"]);
        assert!(mine.iter().all(|e| e["doc_id"] == r["sources"]), "{r:?}");
        // Deaths of the event's own mentions are counted (folded Die events
        // may add more).
        let own_killed = mine
            .iter()
            .filter_map(|e| e["killed"].parse::<u64>().ok())
            .max();
        if let Some(k) = own_killed {
            let fatalities: u64 = r["fatalities"].parse().unwrap();
            assert!(fatalities >= k, "{r:?}");
        }
    }
    let doc_event: BTreeMap<&str, &str> = events
        .iter()
        .map(|e| (e["event_id"].as_str(), e["doc_event_id"].as_str()))
        .collect();
    assert_eq!(db_rows(&db, &header), coded, "--db holds coded_events.csv");
    // The event stream: each mention line carries its coded event, and the
    // lines' coded events are the CSV's rows.
    let mut from_stream = BTreeMap::new();
    for line in read_jsonl(&stream) {
        let Some(c) = line["coded"].as_object() else {
            continue;
        };
        let id = line["id"].as_str().unwrap();
        assert_eq!(
            c["event_id"], doc_event[id],
            "coded by its document-level event"
        );
        let row: BTreeMap<String, String> = header
            .iter()
            .map(|h| (h.clone(), cell(&c[h.as_str()])))
            .collect();
        from_stream.insert(row["event_id"].clone(), row);
    }
    let from_csv: BTreeMap<String, BTreeMap<String, String>> = coded
        .iter()
        .map(|r| (r["event_id"].clone(), r.clone()))
        .collect();
    assert_eq!(from_stream, from_csv);
}

/// A JSON value as the CSV writes it (coordinates with five decimals).
fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) if n.is_f64() => format!("{:.5}", n.as_f64().unwrap()),
        other => other.to_string(),
    }
}

/// The `coded_events` table as CSV-like rows, in the CSV's column order.
fn db_rows(db: &Path, header: &[String]) -> Vec<BTreeMap<String, String>> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let cols: Vec<String> = header
        .iter()
        .map(|h| match h.as_str() {
            "sources" => "document_id".to_string(),
            h => h.to_string(),
        })
        .collect();
    let sql = format!(
        "SELECT {} FROM coded_events ORDER BY rowid",
        cols.join(", ")
    );
    let mut q = conn.prepare(&sql).unwrap();
    let rows = q
        .query_map([], |r| {
            let mut row = BTreeMap::new();
            for (i, h) in header.iter().enumerate() {
                let v: rusqlite::types::Value = r.get(i)?;
                let text = match v {
                    rusqlite::types::Value::Null => String::new(),
                    rusqlite::types::Value::Integer(n) => n.to_string(),
                    rusqlite::types::Value::Real(x) => format!("{x:.5}"),
                    rusqlite::types::Value::Text(t) => t,
                    rusqlite::types::Value::Blob(_) => panic!("{h}: a blob"),
                };
                row.insert(h.clone(), text);
            }
            Ok(row)
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

#[test]
fn a_coding_file_of_ones_own_replaces_the_builtin_one() {
    let dir = tempfile::tempdir().unwrap();
    let coding = dir.path().join("coding.toml");
    std::fs::write(
        &coding,
        r#"
[[rule]]
event = ["Conflict:Attack"]
event_type = "Our violence"
sub_event_type = "Any attack"
plover_event = "ASSAULT"
plover_mode = ""
"#,
    )
    .unwrap();
    let text = "Gunmen attacked a police station in Kirkuk on Monday.";
    let coding_arg = coding.to_str().unwrap();
    let (_tmp, out) = extract_texts(&[("k", text)], &["--coding", coding_arg]);
    let rows = csv_maps(&out.join("coded_events.csv")).1;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["event_type"], "Our violence");
    assert_eq!(rows[0]["sub_event_type"], "Any attack");

    // A rule naming a kind the file does not define is refused, naming the file.
    std::fs::write(
        &coding,
        "[[rule]]\nevent = [\"Conflict:Attack\"]\nactor1 = [\"pirates\"]\nevent_type = \"x\"\n\
         sub_event_type = \"x\"\nplover_event = \"x\"\nplover_mode = \"x\"\n",
    )
    .unwrap();
    let input = dir.path().join("k.txt");
    std::fs::write(&input, text).unwrap();
    let o = casefile(&[
        "extract",
        input.to_str().unwrap(),
        "--out",
        dir.path().join("out2").to_str().unwrap(),
        "--model",
        shipped_model().to_str().unwrap(),
        "--coding",
        coding_arg,
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains("coding.toml") && err.contains("pirates"),
        "{err}"
    );
}
