//! In-document event coreference: the headline, the lead and "the strike"
//! three paragraphs down are one real event. Each mention keeps its row;
//! they share a `doc_event` id. An Attack and the deaths it caused are
//! different events, `linked` to each other.
//!
//! A mention joins an earlier document-level event of the same type when
//! they share a specific argument (a named participant or place, or the same
//! date) and nothing conflicts, or when it is a definite nominal ("the
//! attack", "this raid") with nothing conflicting. A shared generic noun
//! ("people") is not enough: it would merge every killing in a report.

use crate::document::{Document, Event, Span};

/// What one mention says about its event, for comparing mentions.
struct Facts {
    event_type: String,
    /// (role, lowercased head text, whether it is specific: a name).
    args: Vec<(String, String, bool)>,
    date: Option<String>,
}

/// Roles whose fillers must agree for two mentions to be one event.
const IDENTIFYING: [&str; 8] = [
    "Attacker",
    "Target",
    "Victim",
    "Agent",
    "Place",
    "Person",
    "Entity",
    "Destination",
];

fn facts(doc: &Document, e: &Event, specific: &dyn Fn(Span) -> bool) -> Facts {
    let args = e
        .arguments
        .iter()
        .filter(|a| IDENTIFYING.contains(&a.role.as_str()))
        .map(|a| {
            let head = a.head.unwrap_or(a.span);
            let name = a.antecedent.unwrap_or(a.span);
            let text = a.canonical.clone().unwrap_or_else(|| {
                doc.slice(if a.antecedent.is_some() { name } else { head })
                    .to_string()
            });
            (a.role.clone(), text.to_lowercase(), specific(name))
        })
        .collect();
    let date = e
        .arguments
        .iter()
        .find(|a| a.role == "Time")
        .and_then(|a| a.value.clone())
        .filter(|v| !v.contains('X'));
    Facts {
        event_type: e.event_type.clone(),
        args,
        date,
    }
}

/// Whether two mentions say different things about the same role: both
/// name a participant of the role and no name is shared, or both are dated
/// differently.
fn conflict(a: &Facts, b: &Facts) -> bool {
    if let (Some(x), Some(y)) = (&a.date, &b.date) {
        if x != y {
            return true;
        }
    }
    IDENTIFYING.iter().any(|role| {
        let of = |f: &Facts| -> Vec<String> {
            f.args
                .iter()
                .filter(|(r, _, s)| r == role && *s)
                .map(|(_, t, _)| t.clone())
                .collect()
        };
        let (x, y) = (of(a), of(b));
        !x.is_empty() && !y.is_empty() && !x.iter().any(|t| y.contains(t))
    })
}

fn shares_specific(a: &Facts, b: &Facts) -> bool {
    let same_date = a.date.is_some() && a.date == b.date;
    same_date
        || a.args
            .iter()
            .any(|x| x.2 && b.args.iter().any(|y| y.0 == x.0 && y.1 == x.1))
}

/// Assigns `doc_event` to every event of the document (in document order)
/// and links each Attack to the Die and Injure events of its sentence.
/// `definite[i]` says whether event i is a definite nominal mention.
pub fn cluster(doc: &mut Document, definite: &[bool]) {
    let specific = |s: Span| doc.entities.iter().any(|e| e.span.overlaps(&s));
    let all: Vec<Facts> = doc
        .events
        .iter()
        .map(|e| facts(doc, e, &specific))
        .collect();
    let mut ids: Vec<usize> = Vec::with_capacity(all.len());
    let mut members: Vec<Vec<usize>> = Vec::new();
    for (i, f) in all.iter().enumerate() {
        let joins = |m: &Vec<usize>| {
            let same_type = all[m[0]].event_type == f.event_type;
            let no_conflict = m.iter().all(|&k| !conflict(&all[k], f));
            let shared = m.iter().any(|&k| shares_specific(&all[k], f));
            same_type && no_conflict && (shared || definite.get(i).copied().unwrap_or(false))
        };
        // The most recent compatible event: a definite mention refers back
        // to the nearest one.
        match (0..members.len()).rev().find(|&c| joins(&members[c])) {
            Some(c) => {
                members[c].push(i);
                ids.push(c);
            }
            None => {
                members.push(vec![i]);
                ids.push(members.len() - 1);
            }
        }
    }
    for (e, &id) in doc.events.iter_mut().zip(&ids) {
        e.doc_event = Some(id);
    }
    link(doc);
}

/// An Attack and the Die/Injure events in its sentence are linked both ways.
fn link(doc: &mut Document) {
    let consequence = |t: &str| t == "Life:Die" || t == "Life:Injure";
    let pairs: Vec<(usize, usize)> = doc
        .events
        .iter()
        .enumerate()
        .filter(|(_, a)| a.event_type == "Conflict:Attack")
        .flat_map(|(i, a)| {
            doc.events
                .iter()
                .enumerate()
                .filter(move |(_, d)| d.sentence == a.sentence && consequence(&d.event_type))
                .map(move |(j, _)| (i, j))
        })
        .collect();
    for (i, j) in pairs {
        let (a, d) = (doc.events[i].doc_event, doc.events[j].doc_event);
        if let (Some(a), Some(d)) = (a, d) {
            if !doc.events[i].linked.contains(&d) {
                doc.events[i].linked.push(d);
            }
            if !doc.events[j].linked.contains(&a) {
                doc.events[j].linked.push(a);
            }
        }
    }
}
