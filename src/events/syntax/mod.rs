//! The events engine on the parse: who did what to whom, where and when,
//! read off dependency paths that the rule file `rules/events_syntax.toml`
//! describes (the format is documented at its top).
//!
//! Each module has one job: [`file`] the rule file and its checks, [`graph`]
//! walking a sentence's parse, [`paths`] the path language, [`args`] filling
//! roles, [`phrase`] argument spans, [`pronouns`] pronoun antecedents,
//! [`casualties`] counts, [`modality`] modality and genericity, [`timing`]
//! an event's time, [`coref`] one id per real event in a document, and
//! [`conllu`] reading hand-written or parser-written parses.
//!
//! The engine needs `Sentence::syntax`: a sentence without a parse gives no
//! events.

pub mod args;
pub mod casualties;
pub mod conllu;
pub mod coref;
pub mod file;
pub mod graph;
pub mod modality;
pub mod nested;
pub mod paths;
pub mod phrase;
pub mod pronouns;
pub mod timing;

#[cfg(test)]
mod examples;
#[cfg(test)]
mod tests;

use crate::document::{Argument, Document, Event, Modality};
use crate::error::{Error, Result};
use crate::rules::RuleFile;
use file::{Casualty, FileFormat, Rule};
use graph::Graph;
use modality::ModalityWords;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// The rule file's noun classes: class name → its lemmas and word forms,
/// lowercased.
pub(super) type Classes = HashMap<String, HashSet<String>>;

/// The compiled rule file; [`SyntaxEvents::process`] runs it on a document.
pub struct SyntaxEvents {
    pub rules: Vec<Rule>,
    classes: Classes,
    modality: ModalityWords,
    definite: Vec<String>,
    drop_bare_nominals: bool,
    /// Trigger lemma → indices of the rules it may trigger, in file order.
    index: HashMap<String, Vec<usize>>,
}

impl RuleFile for SyntaxEvents {
    const BUILTIN: &'static str = include_str!("../../../rules/events_syntax.toml");
    const BUILTIN_PATH: &'static str = "rules/events_syntax.toml";

    fn parse(source: &str, path: &Path) -> Result<Self> {
        let f: FileFormat =
            toml::from_str(source).map_err(|e| Error::format(path, None, e.to_string()))?;
        let mut rules = Vec::new();
        for r in &f.rules {
            let rule = file::rule(r, &f)
                .map_err(|e| Error::format(path, None, format!("rule {}: {e}", r.id)))?;
            if rules.iter().any(|x: &Rule| x.id == rule.id) {
                return Err(Error::format(
                    path,
                    None,
                    format!("rule id {} used twice", r.id),
                ));
            }
            rules.push(rule);
        }
        let mut index: HashMap<String, Vec<usize>> = HashMap::new();
        for (k, r) in rules.iter().enumerate() {
            for (lemma, _) in &r.triggers {
                let list = index.entry(lemma.clone()).or_default();
                if !list.contains(&k) {
                    list.push(k);
                }
            }
        }
        let lower = |v: &Vec<String>| v.iter().map(|w| w.to_lowercase()).collect();
        Ok(SyntaxEvents {
            rules,
            classes: f
                .classes
                .iter()
                .map(|(k, v)| (k.clone(), lower(v)))
                .collect(),
            modality: f.modality,
            definite: f.definite,
            drop_bare_nominals: f.drop_bare_nominals,
            index,
        })
    }
}

impl SyntaxEvents {
    /// Replaces the document's events with those the rules find in its
    /// parsed sentences, then gives mentions of one real event one
    /// `doc_event` id. Linear in the document's length, except that the
    /// coreference step compares each event with the document-level events
    /// before it (a few dozen in a long article).
    pub fn process(&self, doc: &mut Document) {
        let mut events: Vec<Event> = Vec::new();
        let mut definite = Vec::new();
        let mut tolls = Vec::new();
        let mentions = graph::Mentions::new(doc);
        // Event types reported so far, for bare nominals that refer back.
        let mut seen: HashSet<String> = HashSet::new();
        for s in 0..doc.sentences.len() {
            let Some(g) = Graph::new(doc, &mentions, s) else {
                continue;
            };
            for (e, m) in self.sentence_events(&g) {
                if self.drop_bare_nominals
                    && m.bare
                    && e.modality.is_asserted()
                    && e.genericity.is_specific()
                    && !(m.definite && seen.contains(&e.event_type))
                {
                    continue;
                }
                seen.insert(e.event_type.clone());
                events.push(e);
                definite.push(m.definite);
                tolls.push(m.toll);
            }
        }
        doc.events = events;
        carry_casualties(&mut doc.events, &tolls);
        coref::cluster(doc, &definite, &tolls);
    }

    /// The events of one sentence, each with what kind of mention it is.
    fn sentence_events(&self, g: &Graph) -> Vec<(Event, Mention)> {
        let mut out: Vec<(Event, Mention)> = Vec::new();
        for t in 0..g.len() {
            // Rules listing the word's lemma or its own form ("shelling",
            // whose lemma a parser may guess as "shell").
            let form = g.form(t).to_lowercase();
            let mut candidates: Vec<usize> =
                self.index.get(g.lemma(t)).cloned().unwrap_or_default();
            if form != g.lemma(t) {
                candidates.extend(self.index.get(&form).into_iter().flatten());
                candidates.sort_unstable();
                candidates.dedup();
            }
            for k in candidates {
                let rule = &self.rules[k];
                let taken = out
                    .iter()
                    .any(|(e, _)| e.trigger == g.span(t) && e.event_type == rule.event_type);
                if !taken && self.triggers(g, rule, t, &form) {
                    // "The attack" refers back; "the deaths of three
                    // soldiers" tells of its own event: a restrictive
                    // complement licenses the article.
                    let restricted = g
                        .children(t)
                        .iter()
                        .any(|&c| matches!(g.rel(c), "nmod" | "acl" | "acl:relcl"));
                    let definite =
                        g.upos(t) == "NOUN" && g.has_dep(t, "det", &self.definite) && !restricted;
                    let event = self.event(g, rule, t);
                    let bare = g.upos(t) == "NOUN" && event.arguments.is_empty();
                    let toll = rule.casualties == Some(Casualty::Toll);
                    let definite = definite || toll;
                    out.push((
                        event,
                        Mention {
                            definite,
                            toll,
                            bare,
                        },
                    ));
                }
            }
        }
        out
    }

    /// Whether word `t` triggers the rule: a listed lemma with its part of
    /// speech (a verb or a noun when none is given), and the constraints.
    /// A noun that modifies another noun names a kind of thing, not an
    /// event ("protest camps", "attack helicopters", "arrest warrant").
    fn triggers(&self, g: &Graph, rule: &Rule, t: usize, form: &str) -> bool {
        let upos = g.upos(t);
        if upos == "NOUN" && g.rel(t) == "compound" && !rule.compound_trigger {
            return false;
        }
        // A trigger listed in its own form ("shelling/NOUN") matches that
        // form (`form`, lower-cased) whatever lemma the parser guessed ("shell").
        let listed = rule.triggers.iter().any(|(l, u)| {
            (l == g.lemma(t) || l == form)
                && match u {
                    Some(u) => u == upos,
                    None => upos == "VERB" || upos == "NOUN",
                }
        });
        listed
            && (rule.requires.is_empty()
                || rule.requires.iter().any(|p| !p.follow(g, t).is_empty()))
            && rule.forbids.iter().all(|p| p.follow(g, t).is_empty())
    }

    /// The event the rule builds at trigger `t`.
    fn event(&self, g: &Graph, rule: &Rule, t: usize) -> Event {
        let filled = args::fill(g, rule, t, &self.classes);
        let victims: Vec<usize> = filled
            .iter()
            .filter(|f| f.argument.role == "Victim")
            .map(|f| f.head)
            .collect();
        let mut arguments: Vec<Argument> = filled.into_iter().map(|f| f.argument).collect();
        let time = timing::event_time(g, t);
        if let Some(time) = &time {
            arguments.push(Argument {
                role: "Time".into(),
                span: time.span,
                value: Some(time.value.clone()),
                ..Default::default()
            });
        }
        let count = rule.casualties.and_then(|_| casualties::total(g, &victims));
        let genericity = modality::genericity(g, &self.modality, t, &arguments);
        // Dated after the article was published and not told in the past:
        // still to come ("the ministers meet next week").
        let mut modality = modality::modality(g, &self.modality, t);
        let later = time
            .as_ref()
            .zip(g.doc.published)
            .is_some_and(|(time, day)| timing::starts_after(&time.value, day));
        if later && modality == Modality::Asserted && !modality::told_as_past(g, t) {
            modality = Modality::Future;
        }
        let mut event = Event {
            event_type: rule.event_type.clone(),
            trigger: g.span(t),
            arguments,
            score: 1.0,
            sentence: g.sentence,
            rule: rule.id.clone(),
            modality,
            genericity,
            casualties_at_least: count.is_some_and(|c| c.at_least),
            ..Default::default()
        };
        match rule.casualties {
            Some(Casualty::Killed | Casualty::Toll) => event.killed = count.map(|c| c.n),
            Some(Casualty::Injured) => event.injured = count.map(|c| c.n),
            None => {}
        }
        event
    }
}

/// Within one sentence, an asserted Attack and the asserted Die and Injure
/// events it caused ([`coref::caused`]) give each other the `Place` and
/// `Time` the other lacks: all of those of the first that has the role ("at
/// a checkpoint near Tal Afar" is two places of one setting).
fn share_setting(run: &mut [Event], pairs: &[(usize, usize)]) {
    for role in ["Place", "Time"] {
        let of = |e: &Event| -> Vec<Argument> {
            e.arguments
                .iter()
                .filter(|a| a.role == role)
                .cloned()
                .collect()
        };
        let mut given: Vec<(usize, Vec<Argument>)> = Vec::new();
        for k in 0..run.len() {
            let partners = pairs
                .iter()
                .filter_map(|&(i, j)| (i == k).then_some(j).or((j == k).then_some(i)));
            let first = partners.map(|p| of(&run[p])).find(|v| !v.is_empty());
            if let Some(args) = first {
                given.push((k, args));
            }
        }
        for (k, args) in given {
            if !run[k].arguments.iter().any(|x| x.role == role) {
                run[k].arguments.extend(args);
            }
        }
    }
}

/// What kind of mention an event's trigger is.
struct Mention {
    /// A definite nominal ("the attack"), which may refer back; a death
    /// toll always does.
    definite: bool,
    /// A death toll, whose count may exceed earlier counts of its deaths.
    toll: bool,
    /// A nominal with no argument at all, not even a time.
    bare: bool,
}

/// An Attack reports the deaths and injuries of the Die and Injure events
/// in its sentence ("attacked a checkpoint, killing two soldiers"), and the
/// two share where and when they happened: the parse often hangs "near the
/// airport" or "on Wednesday" on one of them only ("a strike on Wednesday
/// that killed X near the airport"). Events come in sentence order, so each
/// sentence's events are one run of them. A death toll (`tolls[i]`) counts
/// deaths told before, and gives the attack beside it no count: "the
/// bombing" of "the toll from the bombing has risen to 45" is the attack
/// that killed 30 earlier, not another one.
fn carry_casualties(events: &mut [Event], tolls: &[bool]) {
    let mut first = 0;
    for run in events.chunk_by_mut(|a, b| a.sentence == b.sentence) {
        let pairs = coref::caused(run, |e| e.modality.is_asserted());
        share_setting(run, &pairs);
        let start = first;
        first += run.len();
        let toll = |h: usize| tolls.get(start + h).copied().unwrap_or(false);
        for i in 0..run.len() {
            let of = |t: &str| {
                pairs
                    .iter()
                    .filter(|&&(a, h)| a == i && run[h].event_type == t && !toll(h))
                    .map(|&(_, h)| (run[h].killed.or(run[h].injured), run[h].casualties_at_least))
                    .next()
            };
            let (died, hurt) = (of("Life:Die"), of("Life:Injure"));
            let a = &mut run[i];
            if let Some((Some(n), least)) = died {
                a.killed = a.killed.or(Some(n));
                a.casualties_at_least |= least;
            }
            if let Some((Some(n), least)) = hurt {
                a.injured = a.injured.or(Some(n));
                a.casualties_at_least |= least;
            }
        }
    }
}
