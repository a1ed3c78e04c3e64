//! Coded events: casefile's events as ACLED event types and PLOVER events,
//! one per document-level event, for coded_events.csv.
//!
//! The mapping is data (`rules/coding.toml`): ordered rules on the event
//! type, the words of its trigger and instruments, and the kinds of its
//! actors (state forces, police, civilians...), which come from word lists
//! in the same file. Analysts compare casefile's output with ACLED's, so the
//! row says the event in ACLED's terms; the choices casefile makes where ACLED
//! leaves room are documented in the file.

use crate::document::{Argument, Document, Event};
use crate::error::{Error, Result};
use crate::geo::GeoPlace;
use crate::merge::{
    argument_name, Facets, AGENT_ROLES, INSTRUMENT_ROLES, PATIENT_ROLES, PLACE_ROLES,
};
use crate::rules::RuleFile;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFormat {
    #[serde(default)]
    folded: Vec<String>,
    #[serde(default)]
    armed: Vec<String>,
    #[serde(default, rename = "kind")]
    kinds: Vec<Kind>,
    #[serde(default, rename = "rule")]
    rules: Vec<Rule>,
}

/// An actor kind and the names and words that give it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Kind {
    name: String,
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    words: Vec<String>,
}

/// A coding rule: conditions, then what the event is coded as.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rule {
    event: Vec<String>,
    #[serde(default)]
    words: Vec<String>,
    actor1: Option<Vec<String>>,
    actor2: Option<Vec<String>>,
    event_type: String,
    sub_event_type: String,
    plover_event: String,
    plover_mode: String,
}

/// The mapping of `rules/coding.toml`.
#[derive(Debug, Clone)]
pub struct Coding {
    folded: Vec<String>,
    armed: Vec<String>,
    kinds: Vec<Kind>,
    rules: Vec<Rule>,
}

impl RuleFile for Coding {
    const BUILTIN: &'static str = include_str!("../rules/coding.toml");
    const BUILTIN_PATH: &'static str = "rules/coding.toml";

    fn parse(source: &str, path: &Path) -> Result<Self> {
        let f: FileFormat =
            toml::from_str(source).map_err(|e| Error::format(path, None, e.to_string()))?;
        let known = |k: &str| k == "armed" || f.kinds.iter().any(|x| x.name == k);
        for (n, r) in f.rules.iter().enumerate() {
            let kinds = r.actor1.iter().chain(&r.actor2).flatten();
            if let Some(k) = kinds.into_iter().find(|k| !known(k)) {
                let reason = format!("rule {}: unknown actor kind {k:?}", n + 1);
                return Err(Error::format(path, None, reason));
            }
        }
        if let Some(k) = f.armed.iter().find(|k| !known(k)) {
            let reason = format!("armed: unknown actor kind {k:?}");
            return Err(Error::format(path, None, reason));
        }
        let norm = |v: &[String]| v.iter().map(|w| normalise(w)).collect::<Vec<_>>();
        Ok(Coding {
            folded: f.folded,
            armed: f.armed,
            kinds: (f.kinds.into_iter())
                .map(|k| Kind {
                    words: norm(&k.words),
                    names: k.names.iter().map(|n| n.to_lowercase()).collect(),
                    name: k.name,
                })
                .collect(),
            rules: (f.rules.into_iter())
                .map(|r| Rule {
                    words: norm(&r.words),
                    ..r
                })
                .collect(),
        })
    }
}

/// Lowercase words separated by single spaces, padded with a space at each
/// end, so that a phrase is found in a text as a substring on word limits.
fn normalise(text: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    format!(" {} ", words.join(" "))
}

/// One coded event: a row of coded_events.csv.
#[derive(Debug, Clone, PartialEq)]
pub struct CodedEvent {
    /// The document-level event id (`DOC#dN`), or the mention id (`DOC#eN`).
    pub id: String,
    pub date: Option<String>,
    pub event_type: String,
    pub sub_event_type: String,
    pub plover_event: String,
    pub plover_mode: String,
    pub actor1: Option<(String, Option<String>)>,
    pub actor2: Option<(String, Option<String>)>,
    pub place: Option<GeoPlace>,
    pub fatalities: Option<u64>,
    pub injured: Option<u64>,
    /// The sentence of the event's fullest mention.
    pub sentence: usize,
    /// The asserted, specific mentions (indices into `doc.events`) of the
    /// event itself, not of the folded events linked to it.
    pub mentions: Vec<usize>,
}

/// The mentions of one document-level event (or one mention alone).
struct Group {
    id: String,
    mentions: Vec<usize>,
}

impl Coding {
    /// The document's coded events, in the order of their first mention.
    /// Only asserted, specific mentions count; events no rule codes, and
    /// folded events linked to a coded one, get no row.
    pub fn code(&self, doc: &Document) -> Vec<CodedEvent> {
        let (groups, by_event) = groups(doc);
        // Each group is coded once; a folded group is then dropped when a
        // group it is linked to is coded and not folded itself.
        let coded: Vec<Option<CodedEvent>> = groups
            .iter()
            .map(|g| self.code_group(doc, g, &groups, &by_event))
            .collect();
        let folded = |g: &Group| self.folded.contains(&doc.events[g.mentions[0]].event_type);
        let keep: Vec<bool> = groups
            .iter()
            .map(|g| {
                !(folded(g)
                    && doc.events[g.mentions[0]].linked.iter().any(|l| {
                        by_event
                            .get(l)
                            .is_some_and(|&k| !folded(&groups[k]) && coded[k].is_some())
                    }))
            })
            .collect();
        coded
            .into_iter()
            .zip(keep)
            .filter_map(|(c, keep)| c.filter(|_| keep))
            .collect()
    }

    /// Codes one group with the mentions of the folded events linked to it
    /// (`by_event`: a document-level event's group).
    fn code_group(
        &self,
        doc: &Document,
        g: &Group,
        groups: &[Group],
        by_event: &HashMap<usize, usize>,
    ) -> Option<CodedEvent> {
        let main: Vec<&Event> = g.mentions.iter().map(|&i| &doc.events[i]).collect();
        let event_type = &main[0].event_type;
        // The linked groups in document order, as the mentions are read.
        let mut linked_groups: Vec<usize> = main[0]
            .linked
            .iter()
            .filter_map(|d| by_event.get(d).copied())
            .collect();
        linked_groups.sort_unstable();
        linked_groups.dedup();
        let linked: Vec<&Event> = linked_groups
            .iter()
            .flat_map(|&k| groups[k].mentions.iter().map(|&i| &doc.events[i]))
            .filter(|e| self.folded.contains(&e.event_type))
            .collect();
        let all: Vec<&Event> = main.iter().chain(&linked).copied().collect();
        let actor1 = self.actor(doc, &all, AGENT_ROLES);
        let actor2 = self.actor(doc, &all, PATIENT_ROLES);
        let mut words = String::from(" ");
        for e in &all {
            words.push_str(&normalise(doc.slice(e.trigger)));
            for a in e
                .arguments
                .iter()
                .filter(|a| INSTRUMENT_ROLES.contains(&a.role.as_str()))
            {
                words.push_str(&normalise(doc.slice(a.span)));
            }
        }
        let kind_of = |a: &Option<(String, Option<String>)>| a.as_ref().and_then(|a| a.1.clone());
        let rule = self.rules.iter().find(|r| {
            r.event.contains(event_type)
                && (r.words.is_empty() || r.words.iter().any(|w| words.contains(w.as_str())))
                && self.kind_fits(r.actor1.as_deref(), kind_of(&actor1).as_deref())
                && self.kind_fits(r.actor2.as_deref(), kind_of(&actor2).as_deref())
        })?;
        let fullest = fullest(doc, &main);
        Some(CodedEvent {
            id: g.id.clone(),
            date: date(&all),
            event_type: rule.event_type.clone(),
            sub_event_type: rule.sub_event_type.clone(),
            plover_event: rule.plover_event.clone(),
            plover_mode: rule.plover_mode.clone(),
            actor1,
            actor2,
            place: place(doc, &all, fullest),
            fatalities: all.iter().filter_map(|e| e.killed).max(),
            injured: all.iter().filter_map(|e| e.injured).max(),
            sentence: fullest.sentence,
            mentions: g.mentions.clone(),
        })
    }

    /// Whether a rule's kind condition holds for an actor's kind.
    fn kind_fits(&self, wanted: Option<&[String]>, kind: Option<&str>) -> bool {
        let Some(wanted) = wanted else { return true };
        let Some(kind) = kind else { return false };
        wanted
            .iter()
            .any(|w| w == kind || (w == "armed" && self.armed.iter().any(|a| a == kind)))
    }

    /// The actor on one side: the first argument (in role precedence, then
    /// mention order) whose kind is known, else the first argument at all.
    fn actor(
        &self,
        doc: &Document,
        events: &[&Event],
        roles: &[&str],
    ) -> Option<(String, Option<String>)> {
        let args: Vec<&Argument> = roles
            .iter()
            .flat_map(|r| {
                events
                    .iter()
                    .flat_map(move |e| e.arguments.iter().filter(move |a| a.role == *r))
            })
            .collect();
        let named = |a: &Argument| (argument_name(doc, a).to_string(), self.kind(doc, a));
        args.iter()
            .map(|a| named(a))
            .find(|(_, k)| k.is_some())
            .or_else(|| args.first().map(|a| named(a)))
    }

    /// The kind of an actor argument: by its canonical name, else by a word
    /// of its text, in the file's order of kinds.
    pub fn kind(&self, doc: &Document, a: &Argument) -> Option<String> {
        let name = argument_name(doc, a).to_lowercase();
        let text = normalise(doc.slice(a.span));
        self.kinds
            .iter()
            .find(|k| k.names.contains(&name) || k.words.iter().any(|w| text.contains(w.as_str())))
            .map(|k| k.name.clone())
    }
}

/// The asserted, specific mentions grouped by document-level event, in the
/// order of first mention (a mention without one is a group of its own),
/// and the group of each document-level event.
fn groups(doc: &Document) -> (Vec<Group>, HashMap<usize, usize>) {
    let mut groups: Vec<Group> = Vec::new();
    let mut by_event: HashMap<usize, usize> = HashMap::new();
    for (n, e) in doc.events.iter().enumerate() {
        if !e.modality.is_asserted() || !e.genericity.is_specific() {
            continue;
        }
        match e.doc_event.and_then(|d| by_event.get(&d).copied()) {
            Some(k) => groups[k].mentions.push(n),
            None => {
                if let Some(d) = e.doc_event {
                    by_event.insert(d, groups.len());
                }
                groups.push(Group {
                    id: match e.doc_event {
                        Some(d) => crate::output::doc_event_id(doc, d),
                        None => crate::output::event_id(doc, n),
                    },
                    mentions: vec![n],
                });
            }
        }
    }
    (groups, by_event)
}

/// The mention with the most participants and places (usually the lead;
/// the first of equals), measured as cross-document merging measures it
/// ([`Facets::size`]).
fn fullest<'e>(doc: &Document, mentions: &[&'e Event]) -> &'e Event {
    let mut best = (mentions[0], Facets::of(doc, mentions[0]).size());
    for e in &mentions[1..] {
        let size = Facets::of(doc, e).size();
        if size > best.1 {
            best = (e, size);
        }
    }
    best.0
}

/// The first full day among the mentions' `Time` values.
fn date(events: &[&Event]) -> Option<String> {
    events
        .iter()
        .flat_map(|e| e.arguments.iter().filter(|a| a.role == "Time"))
        .filter_map(|a| a.value.as_deref())
        .find(|v| chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok())
        .map(str::to_string)
}

/// Where the event happened: the most precise resolved place inside one of
/// its `Place` arguments, else in the fullest mention's sentence.
fn place(doc: &Document, events: &[&Event], fullest: &Event) -> Option<GeoPlace> {
    let rank = |p: &GeoPlace| p.precision.acled();
    let best = |fits: &dyn Fn(&crate::document::Span) -> bool| {
        let mut found: Option<&GeoPlace> = None;
        for m in doc.places.iter().filter(|m| fits(&m.span)) {
            if let Some(p) = &m.place {
                if found.is_none_or(|f| rank(p) < rank(f)) {
                    found = Some(p);
                }
            }
        }
        found.cloned()
    };
    let args: Vec<&Argument> = events
        .iter()
        .flat_map(|e| {
            e.arguments
                .iter()
                .filter(|a| PLACE_ROLES.contains(&a.role.as_str()))
        })
        .collect();
    best(&|s| args.iter().any(|a| a.span.overlaps(s))).or_else(|| {
        let sentence = doc.sentences.get(fullest.sentence)?.span;
        best(&|s| sentence.contains(s))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_mapping_loads() {
        let c = Coding::builtin();
        assert!(c.rules.len() >= 8);
        assert!(c.armed.iter().all(|a| c.kinds.iter().any(|k| &k.name == a)));
    }

    #[test]
    fn unknown_field_is_an_error_naming_the_file() {
        let src = "[[rule]]\nevent = [\"Conflict:Attack\"]\nevent_type = \"Battles\"\n\
                   sub_event_type = \"\"\nplover_event = \"\"\nplover_mode = \"\"\ncolour = 1\n";
        let err = Coding::parse(src, Path::new("my/coding.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("my/coding.toml"), "{msg}");
        assert!(msg.contains("colour"), "{msg}");
    }

    #[test]
    fn unknown_actor_kind_is_an_error() {
        let src = "[[rule]]\nevent = [\"Conflict:Attack\"]\nactor1 = [\"aliens\"]\n\
                   event_type = \"Battles\"\nsub_event_type = \"\"\nplover_event = \"\"\n\
                   plover_mode = \"\"\n";
        let err = Coding::parse(src, Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("c.toml") && err.contains("aliens"), "{err}");
    }

    #[test]
    fn phrases_match_on_word_limits() {
        let text = normalise("an Air-strike by the Air Force, Gen. Rahimi");
        assert!(text.contains(&normalise("air force")));
        assert!(text.contains(&normalise("gen.")));
        assert!(!text.contains(&normalise("air strike")));
        assert!(!normalise("minesweeper").contains(&normalise("mine")));
    }
}
