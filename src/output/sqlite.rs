//! The knowledge base (`--db FILE.sqlite`): documents, canonical entities and
//! their mentions, merged events and their sources, in one SQLite file that
//! later runs update in place.
//!
//! Every row has a natural key, and rows are upserted by it, so extracting the
//! same documents again adds nothing twice:
//!
//! | table | key |
//! |---|---|
//! | `documents` | document id |
//! | `entities` | `TYPE:Canonical name` ([`entity_id`]) |
//! | `mentions` | (document, start, end) |
//! | `events` | merged id (its first mention's id), found again by its merge key |
//! | `sources` | event mention id `doc#eN` |
//! | `event_arguments` | (event mention, argument number) |
//! | `coded_events` | document-level event id `doc#dN` (or `doc#eN`) |
//!
//! A document extracted again replaces what the database held for it: rows
//! it no longer yields are deleted, and events and entities left without any
//! source or mention go at the end of the run. A mention of an event already
//! stored (same [`crate::merge`] key, dates within a day) joins that event as
//! a new source.
//!
//! Writes go in one transaction per [`BATCH`] documents (WAL journal), so a
//! killed run leaves whole documents, never half of one.

use super::coded::CodedRow;
use super::jsonl::doc_event_id;
use super::{argument_actor, chars, entity_id, event_id, Sink};
use crate::coding::Coding;
use crate::document::{CharMap, Document, Event};
use crate::error::{Error, Result};
use crate::merge::{merge_facets, read_event, Assignment, Facets, Merger};
use rusqlite::{params, CachedStatement, Connection};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Documents per transaction: large enough that commits cost little, small
/// enough that a killed run loses little.
pub const BATCH: usize = 256;

/// `PRAGMA user_version` of the schema below; a database of another version
/// is refused rather than guessed at.
const SCHEMA_VERSION: i64 = 4;

/// From version 1: the syntax engine's reading of each mention (modality,
/// genericity, casualties as lower bounds, document-level event id).
const MIGRATE_1_TO_2: &str = "
ALTER TABLE sources ADD COLUMN modality TEXT NOT NULL DEFAULT 'asserted';
ALTER TABLE sources ADD COLUMN genericity TEXT NOT NULL DEFAULT 'specific';
ALTER TABLE sources ADD COLUMN casualties_at_least INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN doc_event TEXT;
";

/// From version 2: coded events.
const MIGRATE_2_TO_3: &str = CODED_EVENTS;

/// From version 3: what a pronoun argument stands for.
const MIGRATE_3_TO_4: &str = "
ALTER TABLE event_arguments ADD COLUMN refers_to TEXT;
";

/// One row per coded document-level event, the columns of coded_events.csv
/// (`sources` is `document_id`), replaced with its document.
const CODED_EVENTS: &str = "
CREATE TABLE IF NOT EXISTS coded_events (
    event_id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    event_date TEXT,
    event_type TEXT NOT NULL,
    sub_event_type TEXT NOT NULL,
    plover_event TEXT NOT NULL,
    plover_mode TEXT NOT NULL,
    actor1 TEXT,
    actor1_kind TEXT,
    actor2 TEXT,
    actor2_kind TEXT,
    country TEXT,
    admin1 TEXT,
    admin2 TEXT,
    location TEXT,
    latitude REAL,
    longitude REAL,
    geo_precision INTEGER,
    fatalities INTEGER,
    injured INTEGER,
    notes TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS coded_events_document ON coded_events(document_id);
CREATE INDEX IF NOT EXISTS coded_events_type_date ON coded_events(event_type, event_date);
";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    title TEXT,
    url TEXT,
    published TEXT,
    published_source TEXT,
    text TEXT NOT NULL,
    error TEXT,
    warnings TEXT
);
CREATE TABLE IF NOT EXISTS entities (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    aliases TEXT NOT NULL DEFAULT '[]',
    mentions INTEGER NOT NULL DEFAULT 0,
    UNIQUE (type, name)
);
CREATE TABLE IF NOT EXISTS mentions (
    id INTEGER PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    entity_id TEXT NOT NULL REFERENCES entities(id),
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    text TEXT NOT NULL,
    label TEXT NOT NULL,
    score REAL NOT NULL,
    sentence INTEGER NOT NULL,
    UNIQUE (document_id, start_char, end_char)
);
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions(entity_id);
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    date TEXT,
    agent TEXT NOT NULL,
    patient TEXT NOT NULL,
    place TEXT NOT NULL,
    instrument TEXT NOT NULL,
    merge_key TEXT,
    mentions INTEGER NOT NULL DEFAULT 0,
    documents INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS events_merge_key ON events(merge_key);
CREATE INDEX IF NOT EXISTS events_type_date ON events(type, date);
CREATE TABLE IF NOT EXISTS sources (
    mention_id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES events(id),
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    trigger TEXT NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    sentence TEXT NOT NULL,
    sentence_start INTEGER NOT NULL,
    sentence_end INTEGER NOT NULL,
    date TEXT,
    date_text TEXT,
    score REAL NOT NULL,
    killed INTEGER,
    injured INTEGER,
    rule TEXT NOT NULL,
    modality TEXT NOT NULL DEFAULT 'asserted',
    genericity TEXT NOT NULL DEFAULT 'specific',
    casualties_at_least INTEGER NOT NULL DEFAULT 0,
    doc_event TEXT
);
CREATE INDEX IF NOT EXISTS sources_event ON sources(event_id);
CREATE INDEX IF NOT EXISTS sources_document ON sources(document_id);
CREATE TABLE IF NOT EXISTS event_arguments (
    id INTEGER PRIMARY KEY,
    mention_id TEXT NOT NULL REFERENCES sources(mention_id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    role TEXT NOT NULL,
    text TEXT NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    entity_id TEXT REFERENCES entities(id),
    value TEXT,
    refers_to TEXT,
    UNIQUE (mention_id, n)
);
CREATE INDEX IF NOT EXISTS event_arguments_entity ON event_arguments(entity_id);
";

/// Offsets and counts as SQLite integers (i64); no text comes near the limit.
fn int(v: usize) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

pub struct SqliteSink {
    path: PathBuf,
    conn: Connection,
    merger: Merger,
    /// Documents in the open transaction.
    pending: usize,
    coding: Coding,
    /// Events and entities whose counts and aliases need recomputing at the
    /// next commit.
    touched_events: HashSet<String>,
    touched_entities: HashSet<String>,
}

impl SqliteSink {
    /// Opens (or creates) the database, checks its schema, and loads its
    /// merged events so new mentions can merge into them. `coding` codes
    /// the events of the `coded_events` table.
    pub fn open(path: &Path, coding: Coding) -> Result<SqliteSink> {
        let err = |e: rusqlite::Error| db_err(path, e);
        let conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(err)?;
        // WAL: readers keep reading while a run writes; NORMAL sync is
        // durable at each checkpoint and safe against corruption in WAL mode.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err)?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(err)?;
        if version == 0 {
            let tables: i64 = conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                    [],
                    |r| r.get(0),
                )
                .map_err(err)?;
            if tables > 0 {
                return Err(db_err(
                    path,
                    "not a casefile database (it has tables of its own)",
                ));
            }
            conn.execute_batch(SCHEMA).map_err(err)?;
            conn.execute_batch(CODED_EVENTS).map_err(err)?;
            conn.pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(err)?;
        } else if (1..SCHEMA_VERSION).contains(&version) {
            // Each step in one transaction, so a failed migration leaves the
            // database as it was.
            let steps = [MIGRATE_1_TO_2, MIGRATE_2_TO_3, MIGRATE_3_TO_4];
            let todo = &steps[usize::try_from(version - 1).unwrap_or(0)..];
            let sql = format!(
                "BEGIN; {} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;",
                todo.concat()
            );
            conn.execute_batch(&sql).map_err(err)?;
        } else if version != SCHEMA_VERSION {
            return Err(db_err(
                path,
                format!(
                    "database schema version {version}; this casefile writes version {SCHEMA_VERSION}"
                ),
            ));
        }
        let merger = load_events(&conn, path)?;
        conn.execute_batch("BEGIN").map_err(err)?;
        Ok(SqliteSink {
            path: path.to_path_buf(),
            conn,
            merger,
            coding,
            pending: 0,
            touched_events: HashSet::new(),
            touched_entities: HashSet::new(),
        })
    }

    /// Brings counts and aliases of what the batch touched up to date and
    /// commits it.
    fn commit(&mut self) -> rusqlite::Result<()> {
        let mut events: Vec<&String> = self.touched_events.iter().collect();
        events.sort();
        let mut update = self.conn.prepare_cached(
            "UPDATE events SET
                mentions = (SELECT count(*) FROM sources WHERE event_id = ?1),
                documents = (SELECT count(DISTINCT document_id) FROM sources WHERE event_id = ?1)
             WHERE id = ?1",
        )?;
        for id in events {
            update.execute([id])?;
        }
        let mut entities: Vec<&String> = self.touched_entities.iter().collect();
        entities.sort();
        let mut update = self.conn.prepare_cached(
            "UPDATE entities SET
                mentions = (SELECT count(*) FROM mentions WHERE entity_id = ?1),
                aliases = (SELECT json_group_array(text ORDER BY text) FROM
                    (SELECT DISTINCT text FROM mentions
                     WHERE entity_id = ?1 AND text <> entities.name))
             WHERE id = ?1",
        )?;
        for id in entities {
            update.execute([id])?;
        }
        self.touched_events.clear();
        self.touched_entities.clear();
        self.pending = 0;
        self.conn.execute_batch("COMMIT; BEGIN")
    }

    /// Writes one document; `merged` holds, for each of its event mentions,
    /// the mention id, its facets and the merged event it went to. The
    /// tables are written in a fixed order (documents, entities and
    /// mentions, events with their sources and arguments, coded events, then
    /// what the document no longer yields), all in the open transaction.
    fn write_doc(
        &mut self,
        doc: &Document,
        merged: &[(String, Facets, Assignment)],
    ) -> rusqlite::Result<()> {
        let map = CharMap::new(&doc.text);
        write_document(&self.conn, doc)?;
        // What an earlier run stored for this document: kept where this run
        // yields it again (same ids), deleted where it does not.
        let mut old_mentions = stored_mentions(&self.conn, doc, &mut self.touched_entities)?;
        let mut old_sources = stored_sources(&self.conn, doc, &mut self.touched_events)?;
        if doc.is_ok() {
            write_mentions(
                &self.conn,
                doc,
                &map,
                &mut old_mentions,
                &mut self.touched_entities,
            )?;
            write_events(
                &self.conn,
                doc,
                &map,
                merged,
                &mut old_sources,
                &mut self.touched_events,
            )?;
        }
        self.write_coded(doc)?;
        drop_stale(&self.conn, old_mentions, old_sources)
    }
}

impl SqliteSink {
    /// Replaces the document's coded events.
    fn write_coded(&self, doc: &Document) -> rusqlite::Result<()> {
        let c = &self.conn;
        c.prepare_cached("DELETE FROM coded_events WHERE document_id = ?1")?
            .execute([&doc.id])?;
        let mut add = c.prepare_cached(
            "INSERT INTO coded_events (event_id, document_id, event_date, event_type,
                sub_event_type, plover_event, plover_mode, actor1, actor1_kind, actor2,
                actor2_kind, country, admin1, admin2, location, latitude, longitude,
                geo_precision, fatalities, injured, notes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                ?17, ?18, ?19, ?20, ?21)",
        )?;
        let count = |v: Option<u64>| v.map(|k| i64::try_from(k).unwrap_or(i64::MAX));
        for (r, _) in CodedRow::of(&self.coding, doc) {
            add.execute(params![
                r.event_id,
                r.sources,
                r.event_date,
                r.event_type,
                r.sub_event_type,
                r.plover_event,
                r.plover_mode,
                r.actor1,
                r.actor1_kind,
                r.actor2,
                r.actor2_kind,
                r.country,
                r.admin1,
                r.admin2,
                r.location,
                r.latitude,
                r.longitude,
                r.geo_precision,
                count(r.fatalities),
                count(r.injured),
                r.notes,
            ])?;
        }
        Ok(())
    }
}

/// Upserts the document's own row: its source, metadata, text, error and
/// warnings.
fn write_document(c: &Connection, doc: &Document) -> rusqlite::Result<()> {
    let warnings = (!doc.warnings.is_empty())
        .then(|| serde_json::Value::from(doc.warnings.clone()).to_string());
    c.prepare_cached(
        "INSERT INTO documents (id, source, title, url, published, published_source,
                                text, error, warnings)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET
            source = excluded.source, title = excluded.title, url = excluded.url,
            published = excluded.published, published_source = excluded.published_source,
            text = excluded.text, error = excluded.error, warnings = excluded.warnings",
    )?
    .execute(params![
        doc.id,
        doc.origin.to_string(),
        doc.title,
        doc.url,
        doc.published.map(|d| d.format("%Y-%m-%d").to_string()),
        doc.published_source.map(|s| match s {
            crate::document::DateSource::Input => "input",
            crate::document::DateSource::Text => "text",
            crate::document::DateSource::Meta => "meta",
        }),
        doc.text,
        doc.error,
        warnings,
    ])?;
    Ok(())
}

/// The entity mentions an earlier run stored for the document, by
/// (start, end), with their row ids; their entities are marked touched, since
/// their counts and aliases may change.
fn stored_mentions(
    c: &Connection,
    doc: &Document,
    touched_entities: &mut HashSet<String>,
) -> rusqlite::Result<HashMap<(i64, i64), i64>> {
    let mut old_mentions: HashMap<(i64, i64), i64> = HashMap::new();
    let mut q = c.prepare_cached(
        "SELECT id, start_char, end_char, entity_id FROM mentions WHERE document_id = ?1",
    )?;
    let mut rows = q.query([&doc.id])?;
    while let Some(r) = rows.next()? {
        old_mentions.insert((r.get(1)?, r.get(2)?), r.get(0)?);
        touched_entities.insert(r.get(3)?);
    }
    Ok(old_mentions)
}

/// The event mention ids an earlier run stored for the document; their
/// merged events are marked touched, since their counts may change.
fn stored_sources(
    c: &Connection,
    doc: &Document,
    touched_events: &mut HashSet<String>,
) -> rusqlite::Result<HashSet<String>> {
    let mut old_sources: HashSet<String> = HashSet::new();
    let mut q =
        c.prepare_cached("SELECT mention_id, event_id FROM sources WHERE document_id = ?1")?;
    let mut rows = q.query([&doc.id])?;
    while let Some(r) = rows.next()? {
        old_sources.insert(r.get(0)?);
        touched_events.insert(r.get(1)?);
    }
    Ok(old_sources)
}

/// Adds the document's canonical actors to `entities` and upserts its entity
/// mentions; each mention written is struck from `old_mentions`, which then
/// holds only the stale ones.
fn write_mentions(
    c: &Connection,
    doc: &Document,
    map: &CharMap,
    old_mentions: &mut HashMap<(i64, i64), i64>,
    touched_entities: &mut HashSet<String>,
) -> rusqlite::Result<()> {
    let mut add_entity = c.prepare_cached(
        "INSERT INTO entities (id, type, name) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO NOTHING",
    )?;
    for a in &doc.actors {
        let id = entity_id(&a.label, &a.name);
        add_entity.execute(params![id, a.label, a.name])?;
        touched_entities.insert(id);
    }
    let mut add_mention = c.prepare_cached(
        "INSERT INTO mentions (document_id, entity_id, start_char, end_char, text, label,
                               score, sentence)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (document_id, start_char, end_char) DO UPDATE SET
            entity_id = excluded.entity_id, text = excluded.text, label = excluded.label,
            score = excluded.score, sentence = excluded.sentence",
    )?;
    for e in &doc.entities {
        let text = doc.slice(e.span);
        let id = match e.actor.and_then(|i| doc.actors.get(i)) {
            Some(a) => entity_id(&a.label, &a.name),
            // Not resolved (the resolve stage always links; kept
            // safe): the mention is its own entity.
            None => {
                let id = entity_id(&e.label, text);
                add_entity.execute(params![id, e.label, text])?;
                touched_entities.insert(id.clone());
                id
            }
        };
        let (s, t) = chars(map, e.span);
        let (s, t) = (int(s), int(t));
        old_mentions.remove(&(s, t));
        add_mention.execute(params![
            doc.id,
            id,
            s,
            t,
            text,
            e.label,
            e.score,
            int(e.sentence)
        ])?;
    }
    Ok(())
}

/// Writes each event mention of the document: its merged event (created, or
/// given the instrument it lacked), its `sources` row and its arguments. Each
/// mention written is struck from `old_sources`, which then holds only the
/// stale ones.
fn write_events(
    c: &Connection,
    doc: &Document,
    map: &CharMap,
    merged: &[(String, Facets, Assignment)],
    old_sources: &mut HashSet<String>,
    touched_events: &mut HashSet<String>,
) -> rusqlite::Result<()> {
    let mut st = EventStatements::prepare(c)?;
    for (e, (mention, facets, merged)) in doc.events.iter().zip(merged) {
        st.write_merged_event(facets, merged)?;
        touched_events.insert(merged.id.clone());
        st.write_source(doc, map, e, mention, facets, &merged.id)?;
        old_sources.remove(mention);
        st.write_arguments(doc, map, e, mention)?;
    }
    Ok(())
}

/// The statements that write event mentions, prepared once per document
/// before any of its events is written.
struct EventStatements<'c> {
    add_event: CachedStatement<'c>,
    set_instrument: CachedStatement<'c>,
    add_source: CachedStatement<'c>,
    add_argument: CachedStatement<'c>,
    drop_arguments: CachedStatement<'c>,
}

impl<'c> EventStatements<'c> {
    fn prepare(c: &'c Connection) -> rusqlite::Result<Self> {
        let add_event = c.prepare_cached(
            "INSERT INTO events (id, type, date, agent, patient, place, instrument, merge_key)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        let set_instrument = c.prepare_cached(
            "UPDATE events SET instrument = ?2 WHERE id = ?1 AND instrument = ''",
        )?;
        let add_source = c.prepare_cached(
            "INSERT INTO sources (mention_id, event_id, document_id, type, trigger, start_char,
                end_char, sentence, sentence_start, sentence_end, date, date_text, score,
                killed, injured, rule, modality, genericity, casualties_at_least, doc_event)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                ?17, ?18, ?19, ?20)
             ON CONFLICT (mention_id) DO UPDATE SET
                event_id = excluded.event_id, document_id = excluded.document_id,
                type = excluded.type, trigger = excluded.trigger,
                start_char = excluded.start_char, end_char = excluded.end_char,
                sentence = excluded.sentence, sentence_start = excluded.sentence_start,
                sentence_end = excluded.sentence_end, date = excluded.date,
                date_text = excluded.date_text, score = excluded.score,
                killed = excluded.killed, injured = excluded.injured, rule = excluded.rule,
                modality = excluded.modality, genericity = excluded.genericity,
                casualties_at_least = excluded.casualties_at_least,
                doc_event = excluded.doc_event",
        )?;
        let add_argument = c.prepare_cached(
            "INSERT INTO event_arguments (mention_id, n, role, text, start_char, end_char,
                                          entity_id, value, refers_to)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (mention_id, n) DO UPDATE SET
                role = excluded.role, text = excluded.text, start_char = excluded.start_char,
                end_char = excluded.end_char, entity_id = excluded.entity_id,
                value = excluded.value, refers_to = excluded.refers_to",
        )?;
        let drop_arguments =
            c.prepare_cached("DELETE FROM event_arguments WHERE mention_id = ?1 AND n >= ?2")?;
        Ok(EventStatements {
            add_event,
            set_instrument,
            add_source,
            add_argument,
            drop_arguments,
        })
    }

    /// The merged event's row: inserted when this mention created it, or
    /// given the instrument this mention added to it.
    fn write_merged_event(&mut self, facets: &Facets, merged: &Assignment) -> rusqlite::Result<()> {
        let instrument = facets.instrument.join("; ");
        if merged.created {
            self.add_event.execute(params![
                merged.id,
                facets.event_type,
                facets.date,
                facets.agent.join("; "),
                facets.patient.join("; "),
                facets.place.join("; "),
                instrument,
                facets.key().map(|k| k.text()),
            ])?;
        } else if merged.instrument_added {
            self.set_instrument
                .execute(params![merged.id, instrument])?;
        }
        Ok(())
    }

    /// The mention's `sources` row: where it is, what it says, and the merged
    /// event `event` it belongs to.
    fn write_source(
        &mut self,
        doc: &Document,
        map: &CharMap,
        e: &Event,
        mention: &str,
        facets: &Facets,
        event: &str,
    ) -> rusqlite::Result<()> {
        let time = e.arguments.iter().find(|a| a.role == "Time");
        let (s, t) = chars(map, e.trigger);
        let sentence = doc.sentences[e.sentence].span;
        let (ss, st) = chars(map, sentence);
        self.add_source.execute(params![
            mention,
            event,
            doc.id,
            e.event_type,
            doc.slice(e.trigger),
            int(s),
            int(t),
            doc.slice(sentence),
            int(ss),
            int(st),
            facets.date,
            time.map(|t| doc.slice(t.span)),
            e.score,
            e.killed.map(|k| i64::try_from(k).unwrap_or(i64::MAX)),
            e.injured.map(|k| i64::try_from(k).unwrap_or(i64::MAX)),
            e.rule,
            e.modality.as_str(),
            e.genericity.as_str(),
            e.casualties_at_least,
            e.doc_event.map(|d| doc_event_id(doc, d)),
        ])?;
        Ok(())
    }

    /// The mention's arguments, numbered in order; arguments numbered past
    /// its count (left by an earlier run that found more) are deleted.
    fn write_arguments(
        &mut self,
        doc: &Document,
        map: &CharMap,
        e: &Event,
        mention: &str,
    ) -> rusqlite::Result<()> {
        for (k, a) in e.arguments.iter().enumerate() {
            let (s, t) = chars(map, a.span);
            self.add_argument.execute(params![
                mention,
                int(k),
                a.role,
                doc.slice(a.span),
                int(s),
                int(t),
                argument_actor(doc, a).map(|x| entity_id(&x.label, &x.name)),
                a.value,
                a.antecedent.map(|r| doc.slice(r)),
            ])?;
        }
        self.drop_arguments
            .execute(params![mention, int(e.arguments.len())])?;
        Ok(())
    }
}

/// Deletes the mentions and sources an earlier run stored for the document
/// that this run did not write again, in id order.
fn drop_stale(
    c: &Connection,
    old_mentions: HashMap<(i64, i64), i64>,
    old_sources: HashSet<String>,
) -> rusqlite::Result<()> {
    let mut drop_mention = c.prepare_cached("DELETE FROM mentions WHERE id = ?1")?;
    let mut stale: Vec<i64> = old_mentions.into_values().collect();
    stale.sort_unstable();
    for id in stale {
        drop_mention.execute([id])?;
    }
    let mut drop_source = c.prepare_cached("DELETE FROM sources WHERE mention_id = ?1")?;
    let mut stale: Vec<String> = old_sources.into_iter().collect();
    stale.sort_unstable();
    for id in stale {
        drop_source.execute([id])?;
    }
    Ok(())
}

fn db_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Output {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// The merged events already stored, oldest first, so that the oldest
/// matching one takes a new mention, as within a run.
fn load_events(conn: &Connection, path: &Path) -> Result<Merger> {
    let err = |e: rusqlite::Error| db_err(path, e);
    let mut merger = Merger::new()?;
    let mut q = conn
        .prepare(
            // The columns `merge::read_event` reads (mentions counted anew
            // by this run), then the key.
            "SELECT id, type, date, agent, patient, place, instrument, 0, merge_key
             FROM events ORDER BY rowid",
        )
        .map_err(err)?;
    let mut rows = q.query([]).map_err(err)?;
    while let Some(r) = rows.next().map_err(err)? {
        let event = read_event(r).map_err(err)?;
        let key: Option<String> = r.get(8).map_err(err)?;
        // An unreadable key (a hand-edited row) only stops new mentions
        // merging into that event; it is no reason to refuse the run.
        merger.add_stored(event, key.as_deref())?;
    }
    Ok(merger)
}

impl Sink for SqliteSink {
    fn write(&mut self, doc: &Document) -> Result<()> {
        // A second document under an id already read this run must not
        // replace the first one's rows; it is listed in documents.jsonl and
        // errors.csv with its error. Ingest marks it, so the knowledge base
        // need not remember every id of a long run.
        if doc.duplicate {
            return Ok(());
        }
        // Each event mention: its id, what merging reads of it, and where it
        // went (assigned here, since the merger's errors are not SQLite's).
        let mut merged = Vec::new();
        if doc.is_ok() {
            let own = Facets::all(doc);
            let merging = merge_facets(doc, &own);
            for (n, facets) in own.into_iter().enumerate() {
                let mention = event_id(doc, n);
                let assigned = self.merger.assign(&doc.id, &mention, &merging[n])?;
                merged.push((mention, facets, assigned));
            }
        }
        self.write_doc(doc, &merged)
            .map_err(|e| db_err(&self.path, format!("document {}: {e}", doc.id)))?;
        self.pending += 1;
        if self.pending >= BATCH {
            self.commit().map_err(|e| db_err(&self.path, e))?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| db_err(&path, e);
        self.commit().map_err(err)?;
        // Left without any source or mention by documents that now read
        // differently.
        self.conn
            .execute_batch(
                "DELETE FROM events WHERE NOT EXISTS
                    (SELECT 1 FROM sources WHERE sources.event_id = events.id);
                 DELETE FROM entities WHERE NOT EXISTS
                    (SELECT 1 FROM mentions WHERE mentions.entity_id = entities.id)
                    AND NOT EXISTS (SELECT 1 FROM event_arguments a WHERE a.entity_id = entities.id);
                 COMMIT;
                 PRAGMA optimize;",
            )
            .map_err(err)?;
        // Closing the last connection checkpoints the WAL into the database
        // file, so a finished run leaves one self-contained file.
        let SqliteSink { conn, .. } = *self;
        conn.close().map_err(|(_, e)| db_err(&path, e))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::document::{Actor, Argument, Entity, Event, Sentence, Span};
    use crate::rules::RuleFile;

    /// A processed document whose `names` (each its own canonical actor) are
    /// the attacker and target of one attack, unless `attack` is false.
    pub(crate) fn attack_doc(id: &str, text: &str, names: [&str; 2], attack: bool) -> Document {
        let mut doc = Document::new(id, text);
        let at = |s: &str| {
            let i = text.find(s).expect("name in text");
            Span::new(i, i + s.len())
        };
        doc.sentences = vec![Sentence {
            span: Span::new(0, text.len()),
            tokens: Vec::new(),
            syntax: Vec::new(),
        }];
        for (k, n) in names.iter().enumerate() {
            doc.entities.push(Entity {
                span: at(n),
                label: "PER".into(),
                score: 0.9,
                sentence: 0,
                actor: Some(k),
            });
            doc.actors.push(Actor {
                name: n.to_string(),
                label: "PER".into(),
                mentions: 1,
                first: at(n),
            });
        }
        if attack {
            let arg = |role: &str, n: &str| Argument {
                role: role.into(),
                span: at(n),
                canonical: Some(n.to_string()),
                value: None,
                ..Default::default()
            };
            doc.events.push(Event {
                event_type: "Conflict:Attack".into(),
                trigger: at("attacked"),
                arguments: vec![arg("Attacker", names[0]), arg("Target", names[1])],
                score: 0.8,
                sentence: 0,
                killed: None,
                injured: None,
                rule: "test".into(),
                ..Default::default()
            });
        }
        doc
    }

    fn count(db: &Path, sql: &str) -> i64 {
        Connection::open(db)
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    }

    fn run(db: &Path, docs: &[Document]) {
        let mut sink = Box::new(SqliteSink::open(db, Coding::builtin()).unwrap());
        for d in docs {
            sink.write(d).unwrap();
        }
        sink.finish().unwrap();
    }

    #[test]
    fn batches_commit_and_a_rerun_adds_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("kb.sqlite");
        // More than a batch, so a commit happens mid-run.
        let docs: Vec<Document> = (0..BATCH + 3)
            .map(|i| {
                attack_doc(
                    &format!("d{i}"),
                    "Police attacked Bob.",
                    ["Police", "Bob"],
                    true,
                )
            })
            .collect();
        run(&db, &docs);
        let tables = [
            "documents",
            "entities",
            "mentions",
            "events",
            "sources",
            "event_arguments",
            "coded_events",
        ];
        let before: Vec<i64> = tables
            .iter()
            .map(|t| count(&db, &format!("SELECT count(*) FROM {t}")))
            .collect();
        let n = (BATCH + 3) as i64;
        // Each document's attack (by police: an armed side) is coded once,
        // under its mention's id.
        assert_eq!(before, [n, 2, 2 * n, 1, n, 2 * n, n]);
        assert_eq!(
            count(
                &db,
                "SELECT count(*) FROM coded_events WHERE event_id = 'd7#e1' AND document_id = 'd7'"
            ),
            1
        );
        assert_eq!(
            count(&db, "SELECT mentions FROM events WHERE id = 'd0#e1'"),
            n
        );
        assert_eq!(
            count(&db, "SELECT mentions FROM entities WHERE id = 'PER:Police'"),
            n
        );
        run(&db, &docs);
        let after: Vec<i64> = tables
            .iter()
            .map(|t| count(&db, &format!("SELECT count(*) FROM {t}")))
            .collect();
        assert_eq!(before, after);
        // No WAL left beside a finished database.
        assert!(!tmp.path().join("kb.sqlite-wal").exists());
    }

    #[test]
    fn a_failed_duplicate_id_does_not_replace_the_document() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("kb.sqlite");
        let good = attack_doc("a", "Ann attacked Bob.", ["Ann", "Bob"], true);
        let mut dup = Document::new("a", "again");
        dup.error = Some("duplicate id".into());
        dup.duplicate = true;
        let failed = Document::failed("b", Default::default(), "binary content");
        run(&db, &[good, dup, failed]);
        assert_eq!(
            count(&db, "SELECT count(*) FROM documents WHERE error IS NULL"),
            1
        );
        assert_eq!(count(&db, "SELECT count(*) FROM documents"), 2);
        assert_eq!(count(&db, "SELECT count(*) FROM sources"), 1);
    }

    #[test]
    fn rows_a_document_no_longer_yields_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("kb.sqlite");
        run(
            &db,
            &[attack_doc("a", "Ann attacked Bob.", ["Ann", "Bob"], true)],
        );
        // Extracted again: other names, no event.
        run(
            &db,
            &[attack_doc("a", "Cy attacked Di.", ["Cy", "Di"], false)],
        );
        assert_eq!(count(&db, "SELECT count(*) FROM events"), 0);
        assert_eq!(count(&db, "SELECT count(*) FROM sources"), 0);
        assert_eq!(count(&db, "SELECT count(*) FROM coded_events"), 0);
        assert_eq!(count(&db, "SELECT count(*) FROM event_arguments"), 0);
        assert_eq!(count(&db, "SELECT count(*) FROM mentions"), 2);
        assert_eq!(
            count(
                &db,
                "SELECT count(*) FROM entities WHERE id IN ('PER:Cy', 'PER:Di')"
            ),
            2
        );
        assert_eq!(count(&db, "SELECT count(*) FROM entities"), 2);
    }

    #[test]
    fn a_version_1_database_gains_the_mention_columns_and_keeps_its_rows() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("kb.sqlite");
        {
            let conn = Connection::open(&db).unwrap();
            let v1 = SCHEMA.replace(
                ",\n    modality TEXT NOT NULL DEFAULT 'asserted',\n    genericity TEXT NOT NULL \
                 DEFAULT 'specific',\n    casualties_at_least INTEGER NOT NULL DEFAULT 0,\n    \
                 doc_event TEXT\n",
                "\n",
            )
            .replace("    refers_to TEXT,\n", "");
            assert_ne!(
                v1, SCHEMA,
                "the version 1 schema is SCHEMA less the new columns"
            );
            conn.execute_batch(&v1).unwrap();
            conn.execute(
                "INSERT INTO documents (id, source, text) VALUES ('old', 'old.txt', 'x')",
                [],
            )
            .unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
        }
        drop(SqliteSink::open(&db, Coding::builtin()).unwrap());
        let conn = Connection::open(&db).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        assert_eq!(count(&db, "SELECT count(*) FROM documents"), 1);
        assert_eq!(count(&db, "SELECT count(*) FROM coded_events"), 0);
        assert_eq!(
            count(
                &db,
                "SELECT count(*) FROM pragma_table_info('sources') \
                 WHERE name IN ('modality', 'genericity', 'casualties_at_least', 'doc_event')"
            ),
            4
        );
        assert_eq!(
            count(
                &db,
                "SELECT count(*) FROM pragma_table_info('event_arguments') WHERE name = 'refers_to'"
            ),
            1
        );
    }

    #[test]
    fn a_database_of_another_schema_version_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("kb.sqlite");
        Connection::open(&db)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let err = SqliteSink::open(&db, Coding::builtin())
            .err()
            .expect("refused")
            .to_string();
        assert!(err.contains("version 99"), "{err}");
    }
}
