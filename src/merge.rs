//! Cross-document event dedup: event mentions that report the same real-world
//! event become one merged event listing all its sources.
//!
//! Two outlets reporting the same strike must give one event with two
//! sources, not two events. Two mentions are taken to report the same event
//! when they agree on its [`MergeKey`]:
//!
//! - the same event type;
//! - the same main actors: the agent side ([`AGENT_ROLES`]) and the patient
//!   side ([`PATIENT_ROLES`]), each compared as a set of canonical names, since
//!   outlets list the same people in different orders;
//! - the same place (canonical names as a set, or both without one);
//! - dates within a day of each other, or both without a resolved date: one
//!   outlet's "Wednesday" is another's "late Tuesday" across time zones, and
//!   a follow-up may report the date a day apart.
//!
//! A mention with neither an agent nor a patient is never merged: without any
//! actor there is no evidence that two vague mentions ("the attack") are the
//! same event, and merging them all would fold a corpus's unrelated attacks
//! into one. Nor is one whose participants and place are all common nouns
//! ("people", "a village") unless it has a resolved day: two reports of
//! "people killed" share nothing that says they are one event.
//!
//! Names are compared case- and space-insensitively, as the resolve stage
//! compares them within a document. Merged ids are the id of the event's first
//! mention in input order, so the same input gives byte-identical output. The
//! [`Merger`] keeps its index in a temporary file, not in memory, so memory
//! stays flat however many events a corpus holds.
//!
//! The mentions of one document-level event (the headline, the lead, "the
//! strike" later) are merged on what they say together ([`merge_facets`]),
//! so they go to one merged event.

use crate::document::{Argument, Document, Event};
use crate::error::{Error, Result};
use chrono::NaiveDate;
use rusqlite::{params, Connection};
use std::collections::HashMap;

/// Roles on the agent side of an event (the doer), by precedence: the
/// `agent` column of events.csv and part of the merge key.
pub const AGENT_ROLES: &[&str] = &["Attacker", "Agent", "Giver", "Entity", "Police"];
/// Roles on the patient side (the one done to): the `patient` column and part
/// of the merge key.
pub const PATIENT_ROLES: &[&str] = &["Target", "Victim", "Person", "Artifact", "Recipient"];
/// The place of an event: the `place` column and part of the merge key.
pub const PLACE_ROLES: &[&str] = &["Place"];
/// The means: the `instrument` column; not part of the key, since one outlet
/// says "drone strike" and another just "strike".
pub const INSTRUMENT_ROLES: &[&str] = &["Instrument", "Vehicle"];

/// The name an argument goes by: its canonical actor name, else its text.
pub fn argument_name<'d>(doc: &'d Document, a: &'d Argument) -> &'d str {
    a.canonical.as_deref().unwrap_or_else(|| doc.slice(a.span))
}

/// The names filling any of `roles`, in role precedence and then text order,
/// each once.
pub fn role_names<'d>(doc: &'d Document, event: &'d Event, roles: &[&str]) -> Vec<&'d str> {
    let mut names: Vec<&str> = Vec::new();
    for r in roles {
        for a in event.arguments.iter().filter(|a| a.role == *r) {
            let n = argument_name(doc, a);
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    names
}

/// What merging and the knowledge-base outputs need to know of one event
/// mention, read once from the document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facets {
    pub event_type: String,
    /// Names on the agent side, as shown (see [`role_names`]).
    pub agent: Vec<String>,
    pub patient: Vec<String>,
    pub place: Vec<String>,
    pub instrument: Vec<String>,
    /// The TIMEX3 value of the mention's `Time` argument, when it has one.
    pub date: Option<String>,
    /// Whether an agent, patient or place is a name (an entity or a
    /// canonical actor), not a common noun such as "people".
    pub named: bool,
}

impl Facets {
    pub fn of(doc: &Document, event: &Event) -> Facets {
        let names = |roles| {
            role_names(doc, event, roles)
                .into_iter()
                .map(str::to_string)
                .collect()
        };
        Facets {
            event_type: event.event_type.clone(),
            agent: names(AGENT_ROLES),
            patient: names(PATIENT_ROLES),
            place: names(PLACE_ROLES),
            instrument: names(INSTRUMENT_ROLES),
            date: event
                .arguments
                .iter()
                .find(|a| a.role == "Time")
                .and_then(|t| t.value.clone()),
            named: event.arguments.iter().any(|a| {
                let role = a.role.as_str();
                let kept = [AGENT_ROLES, PATIENT_ROLES, PLACE_ROLES]
                    .iter()
                    .any(|roles| roles.contains(&role));
                kept && (a.canonical.is_some() || doc.entity_at(a.span).is_some())
            }),
        }
    }

    /// How full a mention is: the participants and places it names. The
    /// fullest mention speaks for its document-level event, here and in
    /// coded events ([`crate::coding`]), so both pick the same one.
    pub fn size(&self) -> usize {
        self.agent.len() + self.patient.len() + self.place.len()
    }

    /// The facets of every event mention of the document, in order.
    pub fn all(doc: &Document) -> Vec<Facets> {
        doc.events.iter().map(|e| Facets::of(doc, e)).collect()
    }

    /// The key mentions of one event share, or `None` for a mention that is
    /// never merged: no agent and no patient, or nothing that identifies
    /// the event across documents (no name among its participants and place
    /// and no resolved day). "People were killed" in two reports is not
    /// evidence of one event.
    pub fn key(&self) -> Option<MergeKey> {
        if self.agent.is_empty() && self.patient.is_empty() {
            return None;
        }
        if !self.named && self.date.as_deref().and_then(day).is_none() {
            return None;
        }
        Some(MergeKey {
            event_type: self.event_type.clone(),
            agent: name_set(&self.agent),
            patient: name_set(&self.patient),
            place: name_set(&self.place),
        })
    }
}

/// What cross-document merging compares for each event mention of a
/// document: the facets of its document-level event (`doc_event`), so that a
/// headline's "US strike", the lead's full account and "the strike" later go
/// to one merged event. A document-level event is represented by its fullest
/// mention (the most participants and places named; usually the lead), with
/// the first resolved day among its mentions when that one has none: a union
/// of every mention's names would differ from report to report and keep
/// reports of one strike apart. A mention with no document-level event (in
/// documents.jsonl of the window engine casefile once had, given to
/// `casefile merge`) is compared on its own facets. `own` is each mention's
/// [`Facets::of`] ([`Facets::all`]), which the sinks also write: read once.
/// Linear in the events.
pub fn merge_facets(doc: &Document, own: &[Facets]) -> Vec<Facets> {
    let size = Facets::size;
    let resolved = |f: &Facets| f.date.as_deref().and_then(day).is_some();
    // Per document-level event: its fullest mention, and its first resolved day.
    let mut best: HashMap<usize, (usize, Option<String>)> = HashMap::new();
    for (i, (e, f)) in doc.events.iter().zip(own).enumerate() {
        let Some(id) = e.doc_event else { continue };
        let entry = best.entry(id).or_insert((i, None));
        if size(f) > size(&own[entry.0]) {
            entry.0 = i;
        }
        if entry.1.is_none() && resolved(f) {
            entry.1 = f.date.clone();
        }
    }
    doc.events
        .iter()
        .enumerate()
        .map(|(i, e)| match e.doc_event.and_then(|id| best.get(&id)) {
            Some((k, day)) => {
                let mut f = own[*k].clone();
                if !resolved(&f) && day.is_some() {
                    f.date = day.clone();
                }
                f
            }
            None => own[i].clone(),
        })
        .collect()
}

/// Everything two mentions must share exactly to be one event (the date is
/// compared separately, with a tolerance).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MergeKey {
    pub event_type: String,
    /// Normalised names, sorted, each once.
    pub agent: Vec<String>,
    pub patient: Vec<String>,
    pub place: Vec<String>,
}

impl MergeKey {
    /// A stable text form of the key (a JSON array), for storing in the
    /// knowledge base and looking merged events up by on a later run.
    pub fn text(&self) -> String {
        serde_json::json!([self.event_type, self.agent, self.patient, self.place]).to_string()
    }
}

/// How names are compared: lowercase, runs of white space as one space.
fn normalise(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn name_set(names: &[String]) -> Vec<String> {
    let mut set: Vec<String> = names.iter().map(|n| normalise(n)).collect();
    set.sort();
    set.dedup();
    set
}

/// The calendar day of a TIMEX3 value that names one (`2024-03-06`,
/// `2024-03-06T14:00`, `2024-03-06TMO`), else `None` (`2024-03`, `XXXX-01-03`,
/// `P2D`).
fn day(value: &str) -> Option<NaiveDate> {
    let head = value.get(..10)?;
    if value.len() > 10 && !value[10..].starts_with('T') {
        return None;
    }
    NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()
}

/// Whether two mention dates may be of one event: days at most one apart,
/// other values (a month, a week) only when equal, and no date only with no
/// date.
pub fn dates_match(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => match (day(a), day(b)) {
            (Some(x), Some(y)) => (x - y).num_days().abs() <= 1,
            _ => a == b,
        },
        _ => false,
    }
}

/// One merged event: what it is (from its first mention) and how often it was
/// reported. The documents that reported it are read with
/// [`Merger::documents`] or [`Merger::for_each`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MergedEvent {
    /// The id of its first mention (`doc#eN`), or the id stored by an earlier run.
    pub id: String,
    pub event_type: String,
    /// The first mention's date: the anchor later mentions are compared with.
    pub date: Option<String>,
    /// Display names joined with `; `, as in events.csv.
    pub agent: String,
    pub patient: String,
    pub place: String,
    /// The first instrument any mention names (outlets differ in detail).
    pub instrument: String,
    /// Mentions of it in this run.
    pub mentions: usize,
}

/// Where a mention went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The merged event's number, in the order merged events were created.
    pub index: usize,
    /// The merged event's id.
    pub id: String,
    /// Whether the mention started a new merged event.
    pub created: bool,
    /// Whether the mention filled in the event's instrument.
    pub instrument_added: bool,
}

/// What assigning a mention needs to know of the merged event it goes to.
struct Target {
    index: usize,
    id: String,
    /// The last document that reported it.
    last_doc: Option<String>,
    instrument: String,
}

/// The merge index's tables. `merged.idx` is the merged event's number;
/// `key` is [`MergeKey::text`] (NULL for events never merged into);
/// `last_doc` is the last document that reported it, since a document's
/// mentions arrive together. `sources` lists each event's documents in input
/// order (its rowid).
const MERGE_SCHEMA: &str = "
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -8192;
CREATE TABLE merged (
    idx INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    key TEXT,
    type TEXT NOT NULL,
    date TEXT,
    agent TEXT NOT NULL,
    patient TEXT NOT NULL,
    place TEXT NOT NULL,
    instrument TEXT NOT NULL,
    mentions INTEGER NOT NULL,
    last_doc TEXT
);
CREATE INDEX merged_key ON merged(key) WHERE key IS NOT NULL;
CREATE TABLE sources (idx INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE INDEX sources_idx ON sources(idx);
BEGIN;
";

/// Writes between commits of the merge index: commits release the page cache
/// to the file, so memory stays at the cache size.
const MERGE_COMMIT_EVERY: usize = 4096;

fn merge_err(e: rusqlite::Error) -> Error {
    Error::Merge(e.to_string())
}

fn int(v: usize) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Assigns event mentions, in input order, to merged events.
///
/// The index lives in a private temporary SQLite file (SQLite's own temporary
/// directory: `SQLITE_TMPDIR`, else `TMPDIR`, else `/var/tmp` or `/tmp`),
/// which the operating system removes when the run ends, however it ends. Only
/// a small page cache stays in memory, so a run over millions of documents
/// holds no more than a run over a thousand: in memory, one record per merged
/// event would have grown without bound.
pub struct Merger {
    conn: Connection,
    len: usize,
    /// Writes since the last commit.
    pending: usize,
}

impl Merger {
    pub fn new() -> Result<Merger> {
        // An empty path is a temporary database on disk that SQLite deletes
        // when it is closed (on Unix, as soon as it is opened).
        let conn = Connection::open("").map_err(merge_err)?;
        conn.execute_batch(MERGE_SCHEMA).map_err(merge_err)?;
        Ok(Merger {
            conn,
            len: 0,
            pending: 0,
        })
    }

    /// How many merged events there are.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Registers a merged event stored by an earlier run, with the text of its
    /// key ([`MergeKey::text`], `None` for one never merged), so that new
    /// mentions of it merge into it rather than starting a duplicate. Returns
    /// `false` for a key text this version cannot read: the event keeps its id
    /// (no new event will take it) but no new mention merges into it.
    pub fn add_stored(&mut self, event: MergedEvent, key: Option<&str>) -> Result<bool> {
        // Stored again in this version's form, so equal keys compare equal.
        let parsed = key.map(|k| parse_key(k).map(|k| k.text()));
        let readable = !matches!(parsed, Some(None));
        self.insert(&event, parsed.flatten().as_deref())?;
        Ok(readable)
    }

    fn insert(&mut self, e: &MergedEvent, key: Option<&str>) -> Result<usize> {
        let index = self.len;
        self.conn
            .prepare_cached(
                "INSERT INTO merged (idx, id, key, type, date, agent, patient, place, instrument,
                                     mentions)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    int(index),
                    e.id,
                    key,
                    e.event_type,
                    e.date,
                    e.agent,
                    e.patient,
                    e.place,
                    e.instrument,
                    int(e.mentions),
                ])
            })
            .map_err(merge_err)?;
        self.len += 1;
        self.wrote()?;
        Ok(index)
    }

    fn wrote(&mut self) -> Result<()> {
        self.pending += 1;
        if self.pending >= MERGE_COMMIT_EVERY {
            self.pending = 0;
            self.conn
                .execute_batch("COMMIT; BEGIN")
                .map_err(merge_err)?;
        }
        Ok(())
    }

    /// Assigns one mention: to the oldest merged event with its key and a
    /// matching date, else to a new merged event named after the mention.
    pub fn assign(
        &mut self,
        doc_id: &str,
        mention_id: &str,
        facets: &Facets,
    ) -> Result<Assignment> {
        let key = facets.key().map(|k| k.text());
        let found = match &key {
            None => None,
            Some(k) => self.oldest_match(k, facets.date.as_deref())?,
        };
        let (target, created) = match found {
            Some(target) => (target, false),
            None => {
                let event = MergedEvent {
                    id: self.free_id(mention_id)?,
                    event_type: facets.event_type.clone(),
                    date: facets.date.clone(),
                    agent: facets.agent.join("; "),
                    patient: facets.patient.join("; "),
                    place: facets.place.join("; "),
                    instrument: String::new(),
                    mentions: 0,
                };
                let index = self.insert(&event, key.as_deref())?;
                let target = Target {
                    index,
                    id: event.id,
                    last_doc: None,
                    instrument: event.instrument,
                };
                (target, true)
            }
        };
        let Target {
            index,
            id,
            last_doc,
            instrument,
        } = target;
        if last_doc.as_deref() != Some(doc_id) {
            self.conn
                .prepare_cached("INSERT INTO sources (idx, doc) VALUES (?1, ?2)")
                .and_then(|mut s| s.execute(params![int(index), doc_id]))
                .map_err(merge_err)?;
        }
        let instrument_added = instrument.is_empty() && !facets.instrument.is_empty();
        let instrument = if instrument_added {
            facets.instrument.join("; ")
        } else {
            instrument
        };
        self.conn
            .prepare_cached(
                "UPDATE merged SET mentions = mentions + 1, last_doc = ?2, instrument = ?3
                 WHERE idx = ?1",
            )
            .and_then(|mut s| s.execute(params![int(index), doc_id, instrument]))
            .map_err(merge_err)?;
        self.wrote()?;
        Ok(Assignment {
            index,
            id,
            created,
            instrument_added,
        })
    }

    /// The oldest merged event with this key whose date matches.
    fn oldest_match(&self, key: &str, date: Option<&str>) -> Result<Option<Target>> {
        let mut s = self
            .conn
            .prepare_cached(
                "SELECT idx, date, id, last_doc, instrument FROM merged WHERE key = ?1 ORDER BY idx",
            )
            .map_err(merge_err)?;
        let mut rows = s.query([key]).map_err(merge_err)?;
        while let Some(r) = rows.next().map_err(merge_err)? {
            let stored: Option<String> = r.get(1).map_err(merge_err)?;
            if dates_match(stored.as_deref(), date) {
                let read = || -> rusqlite::Result<Target> {
                    let idx: i64 = r.get(0)?;
                    Ok(Target {
                        index: usize::try_from(idx).unwrap_or(usize::MAX),
                        id: r.get(2)?,
                        last_doc: r.get(3)?,
                        instrument: r.get(4)?,
                    })
                };
                return read().map(Some).map_err(merge_err);
            }
        }
        Ok(None)
    }

    /// The mention's id, or, when an event stored by an earlier run already
    /// has that id (the document was extracted again and now reads
    /// differently), the id with the first free `~N` suffix.
    fn free_id(&self, mention_id: &str) -> Result<String> {
        let mut s = self
            .conn
            .prepare_cached("SELECT 1 FROM merged WHERE id = ?1")
            .map_err(merge_err)?;
        let mut id = mention_id.to_string();
        let mut n = 1;
        while s.exists([&id]).map_err(merge_err)? {
            n += 1;
            id = format!("{mention_id}~{n}");
        }
        Ok(id)
    }

    /// The merged event with this number.
    pub fn get(&self, index: usize) -> Result<MergedEvent> {
        self.conn
            .prepare_cached(&format!("{SELECT_EVENT} WHERE idx = ?1"))
            .and_then(|mut s| s.query_row([int(index)], read_event))
            .map_err(merge_err)
    }

    /// The documents that reported the merged event in this run, in input
    /// order, each once.
    pub fn documents(&self, index: usize) -> Result<Vec<String>> {
        let mut s = self
            .conn
            .prepare_cached("SELECT doc FROM sources WHERE idx = ?1 ORDER BY rowid")
            .map_err(merge_err)?;
        let docs = s
            .query_map([int(index)], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(merge_err);
        docs
    }

    /// Calls `f` with every merged event and its documents, in the order
    /// they were created, reading one at a time.
    pub fn for_each(&self, mut f: impl FnMut(&MergedEvent, &[String]) -> Result<()>) -> Result<()> {
        let mut s = self
            .conn
            .prepare(&format!("{SELECT_EVENT} ORDER BY idx"))
            .map_err(merge_err)?;
        let mut rows = s.query([]).map_err(merge_err)?;
        let mut index = 0;
        while let Some(r) = rows.next().map_err(merge_err)? {
            let event = read_event(r).map_err(merge_err)?;
            f(&event, &self.documents(index)?)?;
            index += 1;
        }
        Ok(())
    }
}

const SELECT_EVENT: &str =
    "SELECT id, type, date, agent, patient, place, instrument, mentions FROM merged";

/// Reads a merged event from the columns of [`SELECT_EVENT`], in its order
/// (also the order the knowledge base's `events` table is read in).
pub(crate) fn read_event(r: &rusqlite::Row) -> rusqlite::Result<MergedEvent> {
    let mentions: i64 = r.get(7)?;
    Ok(MergedEvent {
        id: r.get(0)?,
        event_type: r.get(1)?,
        date: r.get(2)?,
        agent: r.get(3)?,
        patient: r.get(4)?,
        place: r.get(5)?,
        instrument: r.get(6)?,
        mentions: usize::try_from(mentions).unwrap_or(0),
    })
}

/// Reads [`MergeKey::text`] back.
fn parse_key(text: &str) -> Option<MergeKey> {
    let (event_type, agent, patient, place): (String, Vec<String>, Vec<String>, Vec<String>) =
        serde_json::from_str(text).ok()?;
    Some(MergeKey {
        event_type,
        agent,
        patient,
        place,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Span;

    fn facets(
        t: &str,
        agent: &[&str],
        patient: &[&str],
        place: &[&str],
        date: Option<&str>,
    ) -> Facets {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect();
        Facets {
            event_type: t.into(),
            agent: v(agent),
            patient: v(patient),
            place: v(place),
            instrument: Vec::new(),
            date: date.map(str::to_string),
            named: true,
        }
    }

    const ATTACK: &str = "Conflict:Attack";

    /// The span of `s` in `text`.
    fn at(text: &str, s: &str) -> Span {
        let i = text.find(s).unwrap();
        Span::new(i, i + s.len())
    }

    /// An argument of `role` on `s` in `text`.
    fn arg(
        text: &str,
        role: &str,
        s: &str,
        canonical: Option<&str>,
        value: Option<&str>,
    ) -> Argument {
        Argument {
            role: role.into(),
            span: at(text, s),
            canonical: canonical.map(str::to_string),
            value: value.map(str::to_string),
            ..Default::default()
        }
    }

    fn assign(m: &mut Merger, doc: &str, mention: &str, f: &Facets) -> Assignment {
        m.assign(doc, mention, f).unwrap()
    }

    #[test]
    fn two_outlets_reporting_one_strike_give_one_event_with_two_sources() {
        let mut m = Merger::new().unwrap();
        let a = assign(
            &mut m,
            "wire",
            "wire#e1",
            &facets(
                ATTACK,
                &["United States"],
                &["Abu Hassan"],
                &["Baghdad"],
                Some("2024-03-06"),
            ),
        );
        let b = assign(
            &mut m,
            "daily",
            "daily#e3",
            &facets(
                ATTACK,
                &["united  states"],
                &["Abu Hassan"],
                &["Baghdad"],
                Some("2024-03-06"),
            ),
        );
        assert!(a.created && !b.created);
        assert_eq!(a.index, b.index);
        let e = m.get(a.index).unwrap();
        assert_eq!(e.id, "wire#e1", "named after the first mention");
        assert_eq!(m.documents(a.index).unwrap(), ["wire", "daily"]);
        assert_eq!(e.mentions, 2);
        assert_eq!(e.agent, "United States", "shown as first reported");
        assert_eq!(m.len(), 1);
    }

    #[test]
    fn actors_are_compared_as_sets() {
        let mut m = Merger::new().unwrap();
        let a = assign(
            &mut m,
            "a",
            "a#e1",
            &facets(ATTACK, &["X", "Y"], &[], &[], None),
        );
        let b = assign(
            &mut m,
            "b",
            "b#e1",
            &facets(ATTACK, &["Y", "X", "x"], &[], &[], None),
        );
        assert_eq!(a.index, b.index);
        // Agent and patient sides are not interchangeable.
        let c = assign(
            &mut m,
            "c",
            "c#e1",
            &facets(ATTACK, &[], &["X", "Y"], &[], None),
        );
        assert!(c.created);
    }

    #[test]
    fn type_actors_and_place_must_agree() {
        let mut m = Merger::new().unwrap();
        let base = facets(ATTACK, &["A"], &["B"], &["Basra"], Some("2024-03-06"));
        assign(&mut m, "d0", "d0#e1", &base);
        let mut other_type = base.clone();
        other_type.event_type = "Life:Die".into();
        let mut other_patient = base.clone();
        other_patient.patient = vec!["C".into()];
        let mut extra_patient = base.clone();
        extra_patient.patient.push("C".into());
        let mut other_place = base.clone();
        other_place.place = vec!["Mosul".into()];
        let mut no_place = base.clone();
        no_place.place.clear();
        for (n, f) in [
            other_type,
            other_patient,
            extra_patient,
            other_place,
            no_place,
        ]
        .iter()
        .enumerate()
        {
            let doc = format!("d{}", n + 1);
            assert!(
                assign(&mut m, &doc, &format!("{doc}#e1"), f).created,
                "{f:?}"
            );
        }
        assert_eq!(m.len(), 6);
    }

    #[test]
    fn dates_within_a_day_or_both_absent_match() {
        assert!(dates_match(Some("2024-03-06"), Some("2024-03-07")));
        assert!(dates_match(Some("2024-02-29"), Some("2024-03-01")));
        assert!(dates_match(Some("2024-03-06T14:00"), Some("2024-03-05")));
        assert!(!dates_match(Some("2024-03-06"), Some("2024-03-08")));
        assert!(dates_match(None, None));
        assert!(!dates_match(Some("2024-03-06"), None));
        assert!(dates_match(Some("2024-03"), Some("2024-03")));
        assert!(!dates_match(Some("2024-03"), Some("2024-03-06")));
        assert!(!dates_match(Some("XXXX-01-03"), Some("XXXX-01-04")));
    }

    #[test]
    fn the_first_mention_is_the_date_anchor() {
        // Mon, Tue, Wed: Tuesday joins Monday's event; Wednesday is two days
        // from the anchor and starts its own, whatever order ties would give.
        let mut m = Merger::new().unwrap();
        let f = |d| facets(ATTACK, &["A"], &["B"], &[], Some(d));
        let mon = assign(&mut m, "a", "a#e1", &f("2024-03-04"));
        let tue = assign(&mut m, "b", "b#e1", &f("2024-03-05"));
        let wed = assign(&mut m, "c", "c#e1", &f("2024-03-06"));
        assert_eq!(mon.index, tue.index);
        assert!(wed.created);
        // A later Tuesday report now matches both: the older event wins.
        let tue2 = assign(&mut m, "d", "d#e1", &f("2024-03-05"));
        assert_eq!(tue2.index, mon.index);
    }

    #[test]
    fn mentions_without_actors_are_never_merged() {
        let mut m = Merger::new().unwrap();
        let f = facets(ATTACK, &[], &[], &[], None);
        assert!(assign(&mut m, "a", "a#e1", &f).created);
        assert!(assign(&mut m, "b", "b#e1", &f).created);
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn common_nouns_alone_never_merge_but_a_resolved_day_may() {
        let mut m = Merger::new().unwrap();
        let mut f = facets("Life:Die", &[], &["people"], &[], None);
        f.named = false;
        assert!(assign(&mut m, "a", "a#e1", &f).created);
        assert!(assign(&mut m, "b", "b#e1", &f).created);
        f.date = Some("2024-03-06".into());
        assert!(assign(&mut m, "c", "c#e1", &f).created);
        assert!(!assign(&mut m, "d", "d#e1", &f).created);
        assert_eq!(m.len(), 3);
    }

    #[test]
    fn one_document_is_listed_once_and_instruments_are_filled_in() {
        let mut m = Merger::new().unwrap();
        let mut f = facets(ATTACK, &["A"], &["B"], &[], None);
        let first = assign(&mut m, "a", "a#e1", &f);
        assert!(!first.instrument_added);
        f.instrument = vec!["drone".into()];
        let second = assign(&mut m, "a", "a#e4", &f);
        assert!(second.instrument_added);
        assert!(!assign(&mut m, "b", "b#e1", &f).instrument_added);
        let e = m.get(first.index).unwrap();
        assert_eq!(m.documents(first.index).unwrap(), ["a", "b"]);
        assert_eq!(e.mentions, 3);
        assert_eq!(e.instrument, "drone");
    }

    #[test]
    fn stored_events_take_new_mentions_and_keep_their_ids() {
        let f = facets(
            ATTACK,
            &["United States"],
            &["Abu Hassan"],
            &[],
            Some("2024-03-06"),
        );
        let key = f.key().unwrap().text();
        let mut m = Merger::new().unwrap();
        let stored = MergedEvent {
            id: "wire#e1".into(),
            event_type: ATTACK.into(),
            date: Some("2024-03-06".into()),
            ..MergedEvent::default()
        };
        assert!(m.add_stored(stored, Some(&key)).unwrap());
        let unreadable = MergedEvent {
            id: "old#e1".into(),
            ..MergedEvent::default()
        };
        assert!(!m.add_stored(unreadable, Some("not a key")).unwrap());
        let mut later = f.clone();
        later.date = Some("2024-03-07".into());
        let a = assign(&mut m, "third", "third#e1", &later);
        assert!(!a.created);
        assert_eq!(m.get(a.index).unwrap().id, "wire#e1");
        assert_eq!(m.documents(a.index).unwrap(), ["third"]);
        // The same mention id reading differently now: a fresh, unused id.
        let b = assign(
            &mut m,
            "wire",
            "wire#e1",
            &facets(ATTACK, &["Iran"], &[], &[], None),
        );
        assert!(b.created);
        assert_eq!(m.get(b.index).unwrap().id, "wire#e1~2");
        assert_eq!(assign(&mut m, "old", "old#e1", &f).index, a.index);
        assert!(
            assign(
                &mut m,
                "old",
                "old#e2",
                &facets(ATTACK, &["X"], &[], &[], None)
            )
            .created
        );
        let c = assign(
            &mut m,
            "old",
            "old#e1",
            &facets(ATTACK, &["Y"], &[], &[], None),
        );
        assert_eq!(
            m.get(c.index).unwrap().id,
            "old#e1~2",
            "ids of unreadable events stay taken"
        );
    }

    #[test]
    fn keys_round_trip_through_text() {
        let k = facets(ATTACK, &["Ö \"q\""], &["B"], &["C; D"], None)
            .key()
            .unwrap();
        assert_eq!(parse_key(&k.text()), Some(k));
    }

    #[test]
    fn facets_read_roles_canonical_names_and_the_date() {
        let text = "U.S. forces struck Abu Hassan in Baghdad on Wednesday.";
        let mut doc = Document::new("d", text);
        let at = |s: &str| at(text, s);
        let arg = |role: &str, s: &str, canonical: Option<&str>, value: Option<&str>| {
            arg(text, role, s, canonical, value)
        };
        doc.events.push(Event {
            event_type: ATTACK.into(),
            trigger: at("struck"),
            arguments: vec![
                arg("Attacker", "U.S.", Some("United States"), None),
                arg("Target", "Abu Hassan", Some("Abu Hassan"), None),
                arg("Place", "Baghdad", None, None),
                arg("Time", "Wednesday", None, Some("2024-03-06")),
            ],
            score: 0.9,
            sentence: 0,
            killed: None,
            injured: None,
            rule: "test".into(),
            ..Default::default()
        });
        let f = Facets::of(&doc, &doc.events[0]);
        assert_eq!(f.agent, ["United States"]);
        assert_eq!(f.patient, ["Abu Hassan"]);
        assert_eq!(f.place, ["Baghdad"], "the text when no canonical name");
        assert_eq!(f.date.as_deref(), Some("2024-03-06"));
        assert!(f.instrument.is_empty());
    }

    /// A headline that names only the attacker and a lead that names the
    /// target and the day are one document-level event: both mentions are
    /// merged on the lead's facets, and so go to one merged event.
    #[test]
    fn mentions_of_one_document_event_merge_on_what_they_say_together() {
        let text = "US strike in Iraq. The United States killed Abu Hassan in Baghdad on Wednesday. A strike hit Mosul.";
        let mut doc = Document::new("d", text);
        let at = |s: &str| at(text, s);
        let arg = |role: &str, s: &str, canonical: Option<&str>, value: Option<&str>| {
            arg(text, role, s, canonical, value)
        };
        let event = |trigger: &str, doc_event: usize, arguments: Vec<Argument>| Event {
            event_type: ATTACK.into(),
            trigger: at(trigger),
            arguments,
            doc_event: Some(doc_event),
            ..Default::default()
        };
        doc.events = vec![
            event(
                "strike in",
                0,
                vec![arg("Attacker", "US", Some("United States"), None)],
            ),
            event(
                "killed",
                0,
                vec![
                    arg("Attacker", "The United States", Some("United States"), None),
                    arg("Target", "Abu Hassan", Some("Abu Hassan"), None),
                    arg("Place", "Baghdad", None, None),
                    arg("Time", "Wednesday", None, Some("2024-03-06")),
                ],
            ),
            event("strike hit", 1, vec![arg("Place", "Mosul", None, None)]),
        ];
        let f = merge_facets(&doc, &Facets::all(&doc));
        assert_eq!(f[0], f[1], "the fullest mention speaks for both");
        assert_eq!(f[0].agent, ["United States"]);
        assert_eq!(f[0].patient, ["Abu Hassan"]);
        assert_eq!(f[0].date.as_deref(), Some("2024-03-06"));
        assert_eq!(f[2].place, ["Mosul"], "another document-level event");
        let mut m = Merger::new().unwrap();
        let a = assign(&mut m, "d", "d#e0", &f[0]);
        let b = assign(&mut m, "d", "d#e1", &f[1]);
        assert_eq!(a.id, b.id);
        assert!(!b.created);
    }
}
