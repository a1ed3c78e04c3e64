//! The knowledge-base outputs end to end, with the shipped model: cross-document
//! event merging (merged_events.csv, the `merged_id` column), the `--jsonl`
//! event stream, and the `--db` SQLite database with its upserts across runs.
//!
//! The articles are written for this test: two outlets' differently worded
//! reports of one strike, a later follow-up, and a document that fails.

mod common;

use common::*;
use rusqlite::Connection;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const TABLES: [&str; 6] = [
    "documents",
    "entities",
    "mentions",
    "events",
    "sources",
    "event_arguments",
];

/// Day one: a wire report and a daily's report of the same strike (published
/// the same day, different wording), and a document with no text.
const DAY_ONE: &str = concat!(
    r#"{"id":"wire","published":"2024-03-06","title":"Strike near Baghdad","text":"The United States launched a drone strike on Abu Hassan near Baghdad airport on Wednesday, officials said."}"#,
    "\n",
    r#"{"id":"daily","published":"2024-03-06","text":"The United States carried out a strike on Wednesday that killed Abu Hassan, a militia commander, near Baghdad airport."}"#,
    "\n",
    r#"{"id":"broken","text":"   "}"#,
    "\n",
);

/// Day two: a weekly's follow-up (its "Thursday" is a day after the strike)
/// and an unrelated arrest.
const DAY_TWO: &str = concat!(
    r#"{"id":"weekly","published":"2024-03-07","text":"Washington confirmed on Thursday that its strike killed Abu Hassan near Baghdad airport a day earlier. Police arrested Karim Nasser in Basra on Friday."}"#,
    "\n",
);

/// The daily's article replaced by a different one under the same id.
const DAILY_REWRITTEN: &str = concat!(
    r#"{"id":"daily","published":"2024-03-06","text":"Police arrested Omar Saleh in Mosul on Tuesday."}"#,
    "\n",
);

/// Runs `extract` with the shipped model (and the events stage,
/// which dates the weekly's strike "a day earlier" than its "Thursday");
/// returns the exit code.
fn extract(input: &Path, out: &Path, db: &Path, stream: Option<&Path>) -> i32 {
    let model = shipped_model();
    let mut args = vec![
        "extract".to_string(),
        input.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--model".into(),
        model.display().to_string(),
        "--db".into(),
        db.display().to_string(),
        "--quiet".into(),
    ];
    if let Some(s) = stream {
        args.extend(["--jsonl".into(), s.display().to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = casefile(&args);
    let code = o.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 3,
        "casefile {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    code
}

fn counts(db: &Connection) -> BTreeMap<&'static str, i64> {
    TABLES
        .iter()
        .map(|t| {
            let n = db
                .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                .unwrap();
            (*t, n)
        })
        .collect()
}

fn strings(db: &Connection, sql: &str) -> Vec<String> {
    let mut q = db.prepare(sql).unwrap();
    let rows = q.query_map([], |r| r.get::<_, String>(0)).unwrap();
    rows.map(|r| r.unwrap()).collect()
}

fn events_of(docs: &[Value]) -> Vec<&Value> {
    docs.iter()
        .flat_map(|d| d["events"].as_array().into_iter().flatten())
        .collect()
}

/// What one run's documents.jsonl says the database should gain: entity
/// mentions, event mentions, arguments, and canonical entity ids.
fn expected(docs: &[Value]) -> (usize, usize, usize, BTreeSet<String>) {
    let events = events_of(docs);
    let mentions = docs
        .iter()
        .map(|d| d["entities"].as_array().map_or(0, Vec::len))
        .sum();
    let arguments = events
        .iter()
        .map(|e| e["arguments"].as_array().unwrap().len())
        .sum();
    let entities = docs
        .iter()
        .flat_map(|d| d["actors"].as_array().into_iter().flatten())
        .map(|a| {
            format!(
                "{}:{}",
                a["type"].as_str().unwrap(),
                a["name"].as_str().unwrap()
            )
        })
        .collect();
    (mentions, events.len(), arguments, entities)
}

#[test]
fn two_outlets_give_one_event_and_the_database_upserts_across_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let day_one = tmp.path().join("day1.jsonl");
    std::fs::write(&day_one, DAY_ONE).unwrap();
    let db_path = tmp.path().join("kb.sqlite");
    let out = tmp.path().join("out1");
    let stream = tmp.path().join("events.jsonl");
    assert_eq!(
        extract(&day_one, &out, &db_path, Some(&stream)),
        3,
        "one document fails"
    );

    // --- merged_events.csv: one Attack, reported by both outlets.
    let (_, merged) = csv_maps(&out.join("merged_events.csv"));
    let attacks: Vec<_> = merged
        .iter()
        .filter(|r| r["type"] == "Conflict:Attack")
        .collect();
    assert_eq!(attacks.len(), 1, "{merged:?}");
    let attack = attacks[0];
    assert_eq!(attack["sources"], "wire; daily");
    assert_eq!(attack["mentions"], "2");
    assert_eq!(attack["agent"], "United States");
    assert_eq!(attack["patient"], "Abu Hassan");
    assert_eq!(attack["place"], "Baghdad airport");
    assert_eq!(attack["date"], "2024-03-06");
    assert_eq!(
        attack["merged_id"], "wire#e1",
        "named after its first mention"
    );

    // --- events.csv: one row per mention, old columns first, then merged_id and
    // the syntax engine's columns.
    let docs = read_jsonl(&out.join("documents.jsonl"));
    let (header, rows) = csv_maps(&out.join("events.csv"));
    assert_eq!(
        header,
        [
            "doc_id",
            "event_id",
            "type",
            "trigger",
            "date",
            "date_text",
            "agent",
            "patient",
            "place",
            "instrument",
            "origin",
            "destination",
            "killed",
            "injured",
            "sentence",
            "score",
            "start",
            "end",
            "merged_id",
            "modality",
            "genericity",
            "doc_event_id",
            "casualties_at_least"
        ]
    );
    assert_eq!(rows.len(), events_of(&docs).len());
    let merged_ids: BTreeSet<&str> = merged.iter().map(|r| r["merged_id"].as_str()).collect();
    for r in &rows {
        assert!(merged_ids.contains(r["merged_id"].as_str()), "{r:?}");
        if r["type"] == "Conflict:Attack" {
            assert_eq!(r["merged_id"], attack["merged_id"]);
        }
    }
    let mention_total: usize = merged
        .iter()
        .map(|r| r["mentions"].parse::<usize>().unwrap())
        .sum();
    assert_eq!(mention_total, rows.len());

    // --- The event stream: one line per mention, offsets into the documents.
    let text_of: BTreeMap<&str, &str> = docs
        .iter()
        .map(|d| (d["id"].as_str().unwrap(), d["text"].as_str().unwrap_or("")))
        .collect();
    let lines = read_jsonl(&stream);
    assert_eq!(lines.len(), rows.len());
    for (line, row) in lines.iter().zip(&rows) {
        assert_eq!(line["id"], row["event_id"].as_str(), "input order");
        assert_eq!(line["document"], row["doc_id"].as_str());
        assert_eq!(line["merged_id"], row["merged_id"].as_str());
        assert_eq!(line["type"], row["type"].as_str());
        assert!(line["score"].as_f64().is_some());
        let text = text_of[line["document"].as_str().unwrap()];
        let check = |v: &Value| {
            let (s, e) = (v["start"].as_u64().unwrap(), v["end"].as_u64().unwrap());
            assert_eq!(char_slice(text, s, e), v["text"].as_str().unwrap(), "{v}");
        };
        check(&line["trigger"]);
        check(&line["sentence"]);
        for a in line["arguments"].as_array().unwrap() {
            check(a);
            assert!(a["role"].is_string());
            match a["canonical"].as_str() {
                Some(c) => {
                    let id = a["actor_id"].as_str().unwrap();
                    assert!(id.ends_with(&format!(":{c}")), "{a}");
                }
                None => assert!(a["actor_id"].is_null()),
            }
            if a["role"] == "Time" {
                assert_eq!(line["date"], a["value"]);
            }
        }
        let sources: Vec<&str> = line["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        let expected = merged
            .iter()
            .find(|m| m["merged_id"] == row["merged_id"])
            .unwrap()["sources"]
            .clone();
        assert_eq!(sources.join("; "), expected);
    }
    assert!(lines
        .iter()
        .any(|l| l["type"] == "Conflict:Attack"
            && l["sources"] == serde_json::json!(["wire", "daily"])));

    // --- The database after the first run.
    {
        let db = Connection::open(&db_path).unwrap();
        let journal: String = db
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(journal, "wal");
        let tables = strings(&db, "SELECT name FROM sqlite_master WHERE type = 'table'");
        for t in TABLES {
            assert!(tables.iter().any(|x| x == t), "no table {t}");
        }
        for (table, parent) in [
            ("mentions", "documents"),
            ("mentions", "entities"),
            ("sources", "events"),
            ("sources", "documents"),
            ("event_arguments", "sources"),
            ("event_arguments", "entities"),
        ] {
            let parents = strings(
                &db,
                &format!("SELECT \"table\" FROM pragma_foreign_key_list('{table}')"),
            );
            assert!(parents.iter().any(|p| p == parent), "{table} → {parent}");
        }
        let indexes = strings(&db, "SELECT name FROM sqlite_master WHERE type = 'index'");
        for i in [
            "mentions_entity",
            "events_merge_key",
            "sources_event",
            "sources_document",
            "event_arguments_entity",
        ] {
            assert!(indexes.iter().any(|x| x == i), "no index {i}");
        }
        let broken: Option<String> = db
            .query_row("SELECT error FROM documents WHERE id = 'broken'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(broken.unwrap().contains("empty"));
        let (mentions, sources, arguments, entities) = expected(&docs);
        let c = counts(&db);
        assert_eq!(c["documents"], 3);
        assert_eq!(c["mentions"] as usize, mentions);
        assert_eq!(c["sources"] as usize, sources);
        assert_eq!(c["event_arguments"] as usize, arguments);
        assert_eq!(c["entities"] as usize, entities.len());
        assert_eq!(c["events"] as usize, merged.len());
        let attack_sources = strings(
            &db,
            "SELECT s.document_id FROM sources s JOIN events e ON e.id = s.event_id
             WHERE e.type = 'Conflict:Attack' ORDER BY s.rowid",
        );
        assert_eq!(attack_sources, ["wire", "daily"]);
        let fk: Vec<String> = strings(&db, "SELECT \"table\" FROM pragma_foreign_key_check");
        assert!(fk.is_empty(), "{fk:?}");
    }

    // --- The same run again: nothing added, and identical files.
    let first = counts(&Connection::open(&db_path).unwrap());
    let out_again = tmp.path().join("out1-again");
    let stream_again = tmp.path().join("events-again.jsonl");
    extract(&day_one, &out_again, &db_path, Some(&stream_again));
    assert_eq!(counts(&Connection::open(&db_path).unwrap()), first);
    for f in ["events.csv", "merged_events.csv", "documents.jsonl"] {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(out_again.join(f)).unwrap(),
            "{f} differs between runs"
        );
    }
    assert_eq!(
        std::fs::read(&stream).unwrap(),
        std::fs::read(&stream_again).unwrap()
    );

    // --- A third document: only its own rows; its report of the strike
    // joins the stored event as a third source.
    let known: BTreeSet<String> = strings(
        &Connection::open(&db_path).unwrap(),
        "SELECT id FROM entities",
    )
    .into_iter()
    .collect();
    let day_two = tmp.path().join("day2.jsonl");
    std::fs::write(&day_two, DAY_TWO).unwrap();
    let out2 = tmp.path().join("out2");
    assert_eq!(extract(&day_two, &out2, &db_path, None), 0);
    let docs2 = read_jsonl(&out2.join("documents.jsonl"));
    let (mentions, sources, arguments, entities) = expected(&docs2);
    let db = Connection::open(&db_path).unwrap();
    let c = counts(&db);
    assert_eq!(c["documents"], first["documents"] + 1);
    assert_eq!(c["mentions"], first["mentions"] + mentions as i64);
    assert_eq!(c["sources"], first["sources"] + sources as i64);
    assert_eq!(
        c["event_arguments"],
        first["event_arguments"] + arguments as i64
    );
    assert_eq!(
        c["entities"],
        first["entities"] + entities.difference(&known).count() as i64
    );
    let weekly_attack: String = db
        .query_row(
            "SELECT event_id FROM sources WHERE document_id = 'weekly' AND type = 'Conflict:Attack'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(weekly_attack, "wire#e1", "merged into the stored event");
    let (n, d): (i64, i64) = db
        .query_row(
            "SELECT mentions, documents FROM events WHERE id = 'wire#e1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((n, d), (3, 3));
    // New events: only those of the third document that matched nothing stored.
    let fresh = strings(
        &db,
        "SELECT DISTINCT event_id FROM sources WHERE document_id = 'weekly'
         AND event_id NOT IN (SELECT event_id FROM sources WHERE document_id <> 'weekly')",
    );
    assert_eq!(c["events"], first["events"] + fresh.len() as i64);
    assert!(
        fresh.len() < sources,
        "some of the follow-up's events were merged"
    );
    // The weekly calls the United States "Washington": an alias of the entity.
    let aliases: String = db
        .query_row(
            "SELECT aliases FROM entities WHERE id = 'LOC:United States'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(aliases, r#"["Washington"]"#);
    drop(db);

    // --- A document extracted again with new text replaces its rows; events
    // and entities only it supported go, the shared strike keeps its other
    // sources.
    let rewritten = tmp.path().join("daily.jsonl");
    std::fs::write(&rewritten, DAILY_REWRITTEN).unwrap();
    extract(&rewritten, &tmp.path().join("out3"), &db_path, None);
    let db = Connection::open(&db_path).unwrap();
    let attack_sources = strings(
        &db,
        "SELECT document_id FROM sources WHERE event_id = 'wire#e1' ORDER BY document_id",
    );
    assert_eq!(attack_sources, ["weekly", "wire"]);
    let daily_mentions = strings(
        &db,
        "SELECT text FROM mentions WHERE document_id = 'daily' ORDER BY start_char",
    );
    assert!(
        !daily_mentions.iter().any(|t| t == "Abu Hassan"),
        "{daily_mentions:?}"
    );
    let orphans: i64 = db
        .query_row(
            "SELECT count(*) FROM events WHERE id NOT IN (SELECT event_id FROM sources)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);
    let fk: Vec<String> = strings(&db, "SELECT \"table\" FROM pragma_foreign_key_check");
    assert!(fk.is_empty(), "{fk:?}");
}

#[test]
fn a_database_of_someone_else_is_refused_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let db_path = tmp.path().join("other.sqlite");
    {
        let db = Connection::open(&db_path).unwrap();
        db.execute_batch("CREATE TABLE documents (x); INSERT INTO documents VALUES (1);")
            .unwrap();
    }
    let input = tmp.path().join("in.jsonl");
    std::fs::write(&input, DAY_TWO).unwrap();
    let o = casefile(&[
        "extract",
        input.to_str().unwrap(),
        "--out",
        tmp.path().join("out").to_str().unwrap(),
        "--model",
        shipped_model().to_str().unwrap(),
        "--db",
        db_path.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("other.sqlite") && err.contains("not a casefile database"),
        "{err}"
    );
    let db = Connection::open(&db_path).unwrap();
    let n: i64 = db
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

/// Regression: a second document under an id already read in the run must not
/// replace the first one's rows in the database (it is listed as failed in
/// documents.jsonl and errors.csv).
#[test]
fn a_repeated_id_keeps_the_first_document_in_the_database() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in.jsonl");
    let repeated = concat!(
        r#"{"id":"weekly","published":"2024-03-07","text":"Police arrested Omar Saleh in Mosul on Tuesday."}"#,
        "\n",
    );
    std::fs::write(&input, [DAY_TWO, repeated].concat()).unwrap();
    let (out, db_path) = (tmp.path().join("out"), tmp.path().join("kb.sqlite"));
    assert_eq!(
        extract(&input, &out, &db_path, None),
        3,
        "a failed document"
    );
    let db = Connection::open(&db_path).unwrap();
    let rows = strings(
        &db,
        "SELECT text FROM documents WHERE id = 'weekly' AND error IS NULL",
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains("Washington confirmed"), "{rows:?}");
    // The first document's events stay: the strike is there, the second
    // text's arrest of Omar Saleh is not.
    let args = strings(&db, "SELECT text FROM event_arguments");
    assert!(args.iter().any(|a| a.contains("Karim Nasser")), "{args:?}");
    assert!(!args.iter().any(|a| a.contains("Omar Saleh")), "{args:?}");
    // Both documents are accounted for in the listing.
    let listed = std::fs::read_to_string(out.join("documents.jsonl")).unwrap();
    assert_eq!(listed.lines().count(), 2);
    assert!(listed.contains("duplicate id"));
}
