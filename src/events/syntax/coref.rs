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
pub(super) struct Facts {
    pub(super) event_type: String,
    /// (role, lowercased head text, whether it is specific: a name).
    args: Vec<(String, String, bool)>,
    date: Option<String>,
    /// (killed, injured), and whether they are lower bounds ("at least 12").
    counts: (Option<u64>, Option<u64>, bool),
    /// A death toll, whose count may exceed the counts of earlier mentions
    /// of the same deaths ("killing 30" ... "the toll has risen to 45").
    toll: bool,
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

pub(super) fn facts(doc: &Document, e: &Event, name_at: &dyn Fn(Span) -> Option<Span>) -> Facts {
    // A nationality in the phrase ("a top Iranian general", MISC) says what
    // kind of participant, not which one: only a name of a person, a body or
    // a place in it makes the phrase specific ("the Islamic State group").
    let named_in = |s: Span| {
        doc.entity_at(s).is_some_and(|m| {
            let name = doc.slice(m.span);
            m.label != "MISC" && !super::args::backed_adjective(name)
        })
    };
    let args = e
        .arguments
        .iter()
        .filter(|a| IDENTIFYING.contains(&a.role.as_str()))
        .map(|a| {
            let head = a.head.unwrap_or(a.span);
            let name = a.antecedent.unwrap_or(a.span);
            let mention = name_at(if a.antecedent.is_some() { name } else { head });
            // A name is known by its last word, so that "Qassem Soleimani"
            // and "Soleimani's killing" name the same person.
            let text = match (&a.canonical, mention) {
                (Some(c), _) => c.clone(),
                (None, Some(m)) => doc.slice(m).split_whitespace().last().unwrap_or("").into(),
                (None, None) => doc.slice(head).to_string(),
            };
            // Specific when the head is a name, or a name is in the phrase
            // ("the Islamic State group"); an adjective made of a name names
            // no one ("Iran-backed militias").
            let named = mention.is_some() || named_in(a.antecedent.unwrap_or(a.span));
            (a.role.clone(), text.to_lowercase(), named)
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
        counts: (e.killed, e.injured, e.casualties_at_least),
        toll: false,
    }
}

/// Whether two casualty counts cannot be of one event: two exact counts that
/// differ, or an exact count below the other's lower bound ("killed 12" and
/// "killing two officers" are two events; "at least 12" and "15" may be one).
/// A count of one is no evidence: a report often names one victim of a strike
/// first ("killed a top Iranian general") and all of them later. When the
/// later mention `b` is a death toll, `a`'s count is a lower bound of it.
fn counts_differ(a: &Facts, b: &Facts) -> bool {
    let fits = |x: u64, x_least: bool, y: u64, y_least: bool| match (x_least, y_least) {
        (false, false) => x == y,
        (true, false) => y >= x,
        (false, true) => x >= y,
        (true, true) => true,
    };
    let ((ka, ia, la), (kb, ib, lb)) = (a.counts, b.counts);
    let la = la || b.toll;
    let differ = |x: Option<u64>, y: Option<u64>| match (x, y) {
        (Some(x), Some(y)) if x > 1 && y > 1 => !fits(x, la, y, lb),
        _ => false,
    };
    differ(ka, kb) || differ(ia, ib)
}

/// Whether two mentions say different things about the same role: both
/// name a participant of the role and no name is shared, both are dated
/// differently, or their casualty counts cannot be the same.
fn conflict(a: &Facts, b: &Facts) -> bool {
    conflict_beside(a, b, None)
}

/// [`conflict`], with the role `skip` (if any) left out of the comparison.
pub(super) fn conflict_beside(a: &Facts, b: &Facts, skip: Option<&str>) -> bool {
    if let (Some(x), Some(y)) = (&a.date, &b.date) {
        if x != y {
            return true;
        }
    }
    if counts_differ(a, b) {
        return true;
    }
    IDENTIFYING
        .iter()
        .filter(|r| Some(**r) != skip)
        .any(|role| {
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

pub(super) fn shares_specific(a: &Facts, b: &Facts) -> bool {
    let same_date = a.date.is_some() && a.date == b.date;
    same_date
        || a.args
            .iter()
            .any(|x| x.2 && b.args.iter().any(|y| y.0 == x.0 && y.1 == x.1))
}

/// How many of the latest document-level events a mention may join, and how
/// many of each one's latest mentions it is compared with: a report refers
/// back to recent events, and the bounds keep long documents linear.
pub(super) const RECENT_EVENTS: usize = 48;
const RECENT_MENTIONS: usize = 16;

/// Assigns `doc_event` to every event of the document (in document order)
/// and links each Attack to the Die and Injure events of its sentence.
/// `definite[i]` says whether event i is a definite nominal mention,
/// `tolls[i]` whether it is a death toll, whose count may exceed the
/// counts of earlier mentions of the same deaths ("killing 30" ... "the
/// death toll has risen to 45").
pub fn cluster(doc: &mut Document, definite: &[bool], tolls: &[bool]) {
    let name_at = |s: Span| doc.entity_at(s).map(|e| e.span);
    let all: Vec<Facts> = doc
        .events
        .iter()
        .zip(tolls.iter().chain(std::iter::repeat(&false)))
        .map(|(e, &toll)| Facts {
            toll,
            ..facts(doc, e, &name_at)
        })
        .collect();
    let mut ids: Vec<usize> = Vec::with_capacity(all.len());
    let mut members: Vec<Vec<usize>> = Vec::new();
    for (i, f) in all.iter().enumerate() {
        // The latest event of the same type: the one a definite mention
        // ("the attack") refers back to, if nothing conflicts.
        let nearest = (0..members.len())
            .rev()
            .take(RECENT_EVENTS)
            .find(|&c| all[members[c][0]].event_type == f.event_type);
        let joins = |c: usize| {
            let m = &members[c];
            // A cluster's latest mentions speak for it: comparing with all of
            // them would grow with the square of a long report.
            let recent = &m[m.len().saturating_sub(RECENT_MENTIONS)..];
            let same_type = all[m[0]].event_type == f.event_type;
            let no_conflict = recent.iter().all(|&k| !conflict(&all[k], f));
            let shared = recent.iter().any(|&k| shares_specific(&all[k], f));
            let refers_back = definite.get(i).copied().unwrap_or(false) && Some(c) == nearest;
            same_type && no_conflict && (shared || refers_back)
        };
        // The most recent compatible event among the latest few.
        let latest = members.len().saturating_sub(RECENT_EVENTS)..members.len();
        match latest.rev().find(|&c| joins(c)) {
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

/// An Attack and the Die/Injure events in its sentence are linked both ways
/// (see [`caused`]). Events come in sentence order, so each sentence's
/// events are one run.
pub(super) fn link(doc: &mut Document) {
    for run in doc.events.chunk_by_mut(|a, b| a.sentence == b.sentence) {
        for (i, j) in caused(run, |_| true) {
            if let (Some(a), Some(d)) = (run[i].doc_event, run[j].doc_event) {
                if !run[i].linked.contains(&d) {
                    run[i].linked.push(d);
                }
                if !run[j].linked.contains(&a) {
                    run[j].linked.push(a);
                }
            }
        }
    }
}

/// The (attack, death or injury) pairs of one sentence's events, among
/// those `keep` accepts. Where the sentence tells of several attacks, a
/// death or injury belongs to the attack on its victims, else to the nearest
/// ("was shot dead by police after he stabbed two passers-by": the death is
/// the shooting's).
pub(super) fn caused(run: &[Event], keep: impl Fn(&Event) -> bool) -> Vec<(usize, usize)> {
    let harm = |t: &str| t == "Life:Die" || t == "Life:Injure";
    let attacks: Vec<usize> = (0..run.len())
        .filter(|&i| run[i].event_type == "Conflict:Attack" && keep(&run[i]))
        .collect();
    (0..run.len())
        .filter(|&j| harm(&run[j].event_type) && keep(&run[j]))
        .flat_map(|j| causes(run, &attacks, j).into_iter().map(move |i| (i, j)))
        .collect()
}

/// The attacks of a sentence that caused its death or injury event `j`
/// (see [`caused`]).
fn causes(run: &[Event], attacks: &[usize], j: usize) -> Vec<usize> {
    if attacks.len() <= 1 {
        return attacks.to_vec();
    }
    let heads = |e: &Event, role: &str| -> Vec<Span> {
        e.arguments
            .iter()
            .filter(|a| a.role == role)
            .filter_map(|a| a.head)
            .collect()
    };
    let victims = heads(&run[j], "Victim");
    let on_victims: Vec<usize> = attacks
        .iter()
        .copied()
        .filter(|&i| heads(&run[i], "Target").iter().any(|t| victims.contains(t)))
        .collect();
    if !on_victims.is_empty() {
        return on_victims;
    }
    let at = run[j].trigger.start;
    let nearest = attacks
        .iter()
        .copied()
        .min_by_key(|&i| run[i].trigger.start.abs_diff(at));
    nearest.into_iter().collect()
}
