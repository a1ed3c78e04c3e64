//! The resolve stage: canonical actors within a document.
//!
//! Mentions that name the same thing become one [`Actor`]: aliases from the
//! actor lexicon (`U.S.`, `American`, `Washington` → United States), titles
//! dropped from names and kept apart (`Gen. Qassem Soleimani` → `Qassem
//! Soleimani`), and a person's later short mention joined to the full name
//! (`Soleimani` → `Qassem Soleimani`). Event arguments then carry the canonical
//! name of the mention they point at.

use crate::document::{Actor, Document, Span};
use crate::error::{Error, Result};
use crate::rules::RuleFile;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActorEntry {
    name: String,
    #[serde(rename = "type")]
    label: String,
    aliases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Titles {
    words: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActorsFile {
    actor: Vec<ActorEntry>,
    titles: Titles,
}

/// The actor lexicon.
pub struct ActorRules {
    /// Normalised alias → (canonical name, type).
    aliases: HashMap<String, (String, String)>,
    titles: Vec<String>,
}

fn normalise(name: &str) -> String {
    let name = name.trim();
    let name = name
        .strip_suffix("’s")
        .or_else(|| name.strip_suffix("'s"))
        .unwrap_or(name);
    let lower = name.to_lowercase();
    lower
        .strip_prefix("the ")
        .unwrap_or(&lower)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl RuleFile for ActorRules {
    const BUILTIN: &'static str = include_str!("../rules/actors.toml");
    const BUILTIN_PATH: &'static str = "rules/actors.toml";

    fn parse(source: &str, path: &Path) -> Result<ActorRules> {
        let file: ActorsFile = toml::from_str(source).map_err(|e| Error::Rules {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let mut aliases = HashMap::new();
        for a in file.actor {
            for alias in a.aliases.iter().chain(std::iter::once(&a.name)) {
                aliases.insert(normalise(alias), (a.name.clone(), a.label.clone()));
            }
        }
        Ok(ActorRules {
            aliases,
            titles: file.titles.words,
        })
    }
}

impl ActorRules {
    /// A mention's name without leading titles, and the title words removed.
    pub fn strip_titles<'a>(&self, name: &'a str) -> (&'a str, Option<&'a str>) {
        let mut rest = name.trim();
        let start = rest;
        while let Some((first, tail)) = rest.split_once(char::is_whitespace) {
            if !self.titles.iter().any(|t| t == first) {
                break;
            }
            rest = tail.trim_start();
        }
        let title = start[..start.len() - rest.len()].trim();
        (rest, (!title.is_empty()).then_some(title))
    }

    /// Groups the document's entity mentions into actors and fills in the
    /// canonical names of event arguments.
    pub fn process(&self, doc: &mut Document) {
        let actors = self.link_actors(doc);
        name_arguments(doc, &actors);
        doc.actors = actors;
    }

    /// The document's actors, each entity mention linked to its own
    /// (`Entity::actor`): one per canonical name, a surname alone joining
    /// the earlier person whose name ends with it.
    fn link_actors(&self, doc: &mut Document) -> Vec<Actor> {
        let mut actors: Vec<Actor> = Vec::new();
        let mut by_key: HashMap<String, usize> = HashMap::new();
        // The first person actor with each last name, so that a surname alone
        // finds its full name without a pass over every actor.
        let mut by_surname: HashMap<String, usize> = HashMap::new();
        // Full names first, so that a later "Soleimani" finds "Qassem Soleimani".
        let mut order: Vec<usize> = (0..doc.entities.len()).collect();
        order.sort_by_key(|&i| doc.entities[i].span.start);
        for i in order {
            let e = &doc.entities[i];
            let text = &doc.text[e.span.start..e.span.end];
            let (name, _title) = self.strip_titles(text);
            let name = name
                .strip_suffix("’s")
                .or_else(|| name.strip_suffix("'s"))
                .unwrap_or(name);
            let key = normalise(name);
            let (canonical, label) = match self.aliases.get(&key) {
                Some((n, l)) => (n.clone(), l.clone()),
                None => (name.to_string(), e.label.clone()),
            };
            let mut found = by_key.get(&normalise(&canonical)).copied();
            if found.is_none() && e.label == "PER" && !key.contains(' ') {
                // A surname alone: the earlier person whose name ends with it.
                found = by_surname.get(&key).copied();
            }
            let idx = match found {
                Some(k) => {
                    actors[k].mentions += 1;
                    k
                }
                None => {
                    actors.push(Actor {
                        name: canonical.clone(),
                        label,
                        mentions: 1,
                        first: e.span,
                    });
                    let idx = actors.len() - 1;
                    let normal = normalise(&canonical);
                    if actors[idx].label == "PER" {
                        if let Some(last) = normal.rsplit(' ').next() {
                            by_surname.entry(last.to_string()).or_insert(idx);
                        }
                    }
                    by_key.insert(normal, idx);
                    idx
                }
            };
            doc.entities[i].actor = Some(idx);
        }
        actors
    }
}

/// Each event argument's canonical name, from the actors: that of the entity
/// mention with the argument's span, else of the entity holding its head
/// word, else of a pronoun's antecedent.
fn name_arguments(doc: &mut Document, actors: &[Actor]) {
    // The first entity at each span, as a scan from the start would find.
    let mut at_span: HashMap<Span, Option<usize>> = HashMap::new();
    for e in &doc.entities {
        at_span.entry(e.span).or_insert(e.actor);
    }
    // An argument that is a whole noun phrase ("The United States", the
    // syntax engine's) names the entity holding its head word; a
    // resolved pronoun names its antecedent's.
    let mut by_start: Vec<(Span, Option<usize>)> =
        doc.entities.iter().map(|e| (e.span, e.actor)).collect();
    by_start.sort_by_key(|(s, _)| (s.start, s.end));
    let holding = |head: Span| {
        let i = by_start.partition_point(|(s, _)| s.start <= head.start);
        (i > 0)
            .then(|| by_start[i - 1])
            .filter(|(s, _)| s.end >= head.end)
            .and_then(|(_, actor)| actor)
    };
    for event in &mut doc.events {
        for arg in &mut event.arguments {
            if let Some(actor) = at_span.get(&arg.span) {
                arg.canonical = actor.map(|a| actors[a].name.clone());
            } else if let Some(actor) = arg.head.and_then(holding) {
                arg.canonical = Some(actors[actor].name.clone());
            } else if let Some(Some(actor)) = arg.antecedent.and_then(|s| at_span.get(&s)) {
                // A pronoun whose referent is clear ("its strike" after
                // "Washington"): the text stays the pronoun, the
                // canonical name is the referent's.
                arg.canonical = Some(actors[*actor].name.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_not_part_of_names() {
        let r = ActorRules::builtin();
        assert_eq!(
            r.strip_titles("Lt. Gen. Othman Al-Ghanimi"),
            ("Othman Al-Ghanimi", Some("Lt. Gen."))
        );
        assert_eq!(r.strip_titles("Soleimani"), ("Soleimani", None));
    }
}
