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
//! into one.
//!
//! Names are compared case- and space-insensitively, as the resolve stage
//! compares them within a document. Merged ids are the id of the event's first
//! mention in input order, so the same input gives byte-identical output. The
//! [`Merger`] keeps one small record per merged event (never text), so memory
//! grows with the number of merged events, not with the corpus.

use crate::document::{Argument, Document, Event};
use chrono::NaiveDate;
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
        }
    }

    /// The key mentions of one event share, or `None` for a mention that is
    /// never merged (no agent and no patient).
    pub fn key(&self) -> Option<MergeKey> {
        if self.agent.is_empty() && self.patient.is_empty() {
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

/// One merged event: what it is (from its first mention) and where it was
/// reported.
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
    /// Documents that reported it in this run, in input order, each once.
    pub documents: Vec<String>,
    /// Mentions of it in this run.
    pub mentions: usize,
}

/// Where a mention went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    /// Index into [`Merger::events`].
    pub index: usize,
    /// Whether the mention started a new merged event.
    pub created: bool,
    /// Whether the mention filled in the event's instrument.
    pub instrument_added: bool,
}

/// Assigns event mentions, in input order, to merged events.
#[derive(Debug, Default)]
pub struct Merger {
    events: Vec<MergedEvent>,
    /// Key → indices of the merged events with that key, oldest first.
    by_key: HashMap<MergeKey, Vec<usize>>,
    ids: HashMap<String, usize>,
}

impl Merger {
    pub fn new() -> Merger {
        Merger::default()
    }

    /// The merged events, in the order they were first seen.
    pub fn events(&self) -> &[MergedEvent] {
        &self.events
    }

    pub fn get(&self, index: usize) -> &MergedEvent {
        &self.events[index]
    }

    /// Registers a merged event stored by an earlier run, with the text of its
    /// key ([`MergeKey::text`], `None` for one never merged), so that new
    /// mentions of it merge into it rather than starting a duplicate. Returns
    /// `false` for a key text this version cannot read: the event keeps its id
    /// (no new event will take it) but no new mention merges into it.
    pub fn add_stored(&mut self, event: MergedEvent, key: Option<&str>) -> bool {
        let parsed = key.map(parse_key);
        let index = self.events.len();
        self.ids.insert(event.id.clone(), index);
        self.events.push(event);
        match parsed {
            None => true,
            Some(Some(k)) => {
                self.by_key.entry(k).or_default().push(index);
                true
            }
            Some(None) => false,
        }
    }

    /// Assigns one mention: to the oldest merged event with its key and a
    /// matching date, else to a new merged event named after the mention.
    pub fn assign(&mut self, doc_id: &str, mention_id: &str, facets: &Facets) -> Assignment {
        let key = facets.key();
        let found = key.as_ref().and_then(|k| {
            self.by_key.get(k).and_then(|candidates| {
                candidates
                    .iter()
                    .copied()
                    .find(|&i| dates_match(self.events[i].date.as_deref(), facets.date.as_deref()))
            })
        });
        let (index, created) = match found {
            Some(i) => (i, false),
            None => {
                let index = self.events.len();
                let id = self.free_id(mention_id);
                self.ids.insert(id.clone(), index);
                self.events.push(MergedEvent {
                    id,
                    event_type: facets.event_type.clone(),
                    date: facets.date.clone(),
                    agent: facets.agent.join("; "),
                    patient: facets.patient.join("; "),
                    place: facets.place.join("; "),
                    instrument: String::new(),
                    documents: Vec::new(),
                    mentions: 0,
                });
                if let Some(k) = key {
                    self.by_key.entry(k).or_default().push(index);
                }
                (index, true)
            }
        };
        let e = &mut self.events[index];
        // A document's mentions arrive together, so its id, if already
        // listed, is the last one.
        if e.documents.last().map(String::as_str) != Some(doc_id) {
            e.documents.push(doc_id.to_string());
        }
        e.mentions += 1;
        let instrument_added = e.instrument.is_empty() && !facets.instrument.is_empty();
        if instrument_added {
            e.instrument = facets.instrument.join("; ");
        }
        Assignment {
            index,
            created,
            instrument_added,
        }
    }

    /// The mention's id, or, when an event stored by an earlier run already
    /// has that id (the document was extracted again and now reads
    /// differently), the id with the first free `~N` suffix.
    fn free_id(&self, mention_id: &str) -> String {
        if !self.ids.contains_key(mention_id) {
            return mention_id.to_string();
        }
        (2..)
            .map(|n| format!("{mention_id}~{n}"))
            .find(|id| !self.ids.contains_key(id))
            .unwrap_or_default()
    }
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
        }
    }

    const ATTACK: &str = "Conflict:Attack";

    #[test]
    fn two_outlets_reporting_one_strike_give_one_event_with_two_sources() {
        let mut m = Merger::new();
        let a = m.assign(
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
        let b = m.assign(
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
        let e = m.get(a.index);
        assert_eq!(e.id, "wire#e1", "named after the first mention");
        assert_eq!(e.documents, ["wire", "daily"]);
        assert_eq!(e.mentions, 2);
        assert_eq!(e.agent, "United States", "shown as first reported");
        assert_eq!(m.events().len(), 1);
    }

    #[test]
    fn actors_are_compared_as_sets() {
        let mut m = Merger::new();
        let a = m.assign("a", "a#e1", &facets(ATTACK, &["X", "Y"], &[], &[], None));
        let b = m.assign(
            "b",
            "b#e1",
            &facets(ATTACK, &["Y", "X", "x"], &[], &[], None),
        );
        assert_eq!(a.index, b.index);
        // Agent and patient sides are not interchangeable.
        let c = m.assign("c", "c#e1", &facets(ATTACK, &[], &["X", "Y"], &[], None));
        assert!(c.created);
    }

    #[test]
    fn type_actors_and_place_must_agree() {
        let mut m = Merger::new();
        let base = facets(ATTACK, &["A"], &["B"], &["Basra"], Some("2024-03-06"));
        m.assign("d0", "d0#e1", &base);
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
            assert!(m.assign(&doc, &format!("{doc}#e1"), f).created, "{f:?}");
        }
        assert_eq!(m.events().len(), 6);
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
        let mut m = Merger::new();
        let f = |d| facets(ATTACK, &["A"], &["B"], &[], Some(d));
        let mon = m.assign("a", "a#e1", &f("2024-03-04"));
        let tue = m.assign("b", "b#e1", &f("2024-03-05"));
        let wed = m.assign("c", "c#e1", &f("2024-03-06"));
        assert_eq!(mon.index, tue.index);
        assert!(wed.created);
        // A later Tuesday report now matches both: the older event wins.
        let tue2 = m.assign("d", "d#e1", &f("2024-03-05"));
        assert_eq!(tue2.index, mon.index);
    }

    #[test]
    fn mentions_without_actors_are_never_merged() {
        let mut m = Merger::new();
        let f = facets(ATTACK, &[], &[], &[], None);
        assert!(m.assign("a", "a#e1", &f).created);
        assert!(m.assign("b", "b#e1", &f).created);
        assert_eq!(m.events().len(), 2);
    }

    #[test]
    fn one_document_is_listed_once_and_instruments_are_filled_in() {
        let mut m = Merger::new();
        let mut f = facets(ATTACK, &["A"], &["B"], &[], None);
        let first = m.assign("a", "a#e1", &f);
        assert!(!first.instrument_added);
        f.instrument = vec!["drone".into()];
        let second = m.assign("a", "a#e4", &f);
        assert!(second.instrument_added);
        assert!(!m.assign("b", "b#e1", &f).instrument_added);
        let e = m.get(first.index);
        assert_eq!(e.documents, ["a", "b"]);
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
        let mut m = Merger::new();
        let stored = MergedEvent {
            id: "wire#e1".into(),
            event_type: ATTACK.into(),
            date: Some("2024-03-06".into()),
            ..MergedEvent::default()
        };
        assert!(m.add_stored(stored, Some(&key)));
        let unreadable = MergedEvent {
            id: "old#e1".into(),
            ..MergedEvent::default()
        };
        assert!(!m.add_stored(unreadable, Some("not a key")));
        let mut later = f.clone();
        later.date = Some("2024-03-07".into());
        let a = m.assign("third", "third#e1", &later);
        assert!(!a.created);
        assert_eq!(m.get(a.index).id, "wire#e1");
        assert_eq!(m.get(a.index).documents, ["third"]);
        // The same mention id reading differently now: a fresh, unused id.
        let b = m.assign(
            "wire",
            "wire#e1",
            &facets(ATTACK, &["Iran"], &[], &[], None),
        );
        assert!(b.created);
        assert_eq!(m.get(b.index).id, "wire#e1~2");
        assert_eq!(m.assign("old", "old#e1", &f).index, a.index);
        assert!(
            m.assign("old", "old#e2", &facets(ATTACK, &["X"], &[], &[], None))
                .created
        );
        let c = m.assign("old", "old#e1", &facets(ATTACK, &["Y"], &[], &[], None));
        assert_eq!(
            m.get(c.index).id,
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
        let at = |s: &str| {
            let i = text.find(s).unwrap();
            Span::new(i, i + s.len())
        };
        let arg = |role: &str, s: &str, canonical: Option<&str>, value: Option<&str>| Argument {
            role: role.into(),
            span: at(s),
            canonical: canonical.map(str::to_string),
            value: value.map(str::to_string),
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
        });
        let f = Facets::of(&doc, &doc.events[0]);
        assert_eq!(f.agent, ["United States"]);
        assert_eq!(f.patient, ["Abu Hassan"]);
        assert_eq!(f.place, ["Baghdad"], "the text when no canonical name");
        assert_eq!(f.date.as_deref(), Some("2024-03-06"));
        assert!(f.instrument.is_empty());
    }
}
