//! The events stage: rule-based extraction of ACE-style events.
//!
//! Rules are data ([`EventRules`], `rules/events.toml`): per event type, the
//! words that trigger it and how each argument role is filled from the entity
//! mentions of the sentence (entity type, side of the trigger, a preposition
//! right before the mention, distance). Time arguments come from the time stage,
//! casualty counts from number + noun patterns near a killing or wounding word.

pub mod eval;

use crate::document::{Argument, Document, Event, Span};
use crate::error::{Error, Result};
use crate::rules::RuleFile;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Before,
    After,
    #[default]
    Any,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleRule {
    pub role: String,
    pub entity: Vec<String>,
    #[serde(default)]
    pub side: Side,
    #[serde(default)]
    pub preps: Vec<String>,
    #[serde(default = "default_gap")]
    pub max_gap: usize,
    #[serde(default)]
    pub many: bool,
}

fn default_gap() -> usize {
    12
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventRule {
    #[serde(rename = "type")]
    pub event_type: String,
    pub triggers: Vec<String>,
    #[serde(default)]
    pub roles: Vec<RoleRule>,
    #[serde(default)]
    pub instruments: Vec<String>,
    #[serde(default)]
    pub examples: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    casualty_nouns: Vec<String>,
    event: Vec<EventRule>,
}

/// Compiled event rules.
pub struct EventRules {
    pub rules: Vec<EventRule>,
    /// Trigger word sequences (lowercase) → rule index; longest first.
    triggers: Vec<(Vec<String>, usize)>,
    casualty_nouns: Vec<Vec<String>>,
}

/// Candidate lemmas of a word: the word itself and the stems its regular
/// inflections may come from ("strikes" → strike, strik; "killed" → kill,
/// kille; "planned" → plan). A word matches a lexicon entry when any candidate
/// is listed, so no candidate needs to be the right one.
pub fn lemmas(word: &str) -> Vec<String> {
    let w = word.to_lowercase();
    let mut out = vec![w.clone()];
    if w.chars().count() <= 3 {
        return out;
    }
    let mut push = |s: String| {
        if s.chars().count() >= 2 && !out.contains(&s) {
            out.push(s);
        }
    };
    if let Some(stem) = w.strip_suffix("ies").or_else(|| w.strip_suffix("ied")) {
        push(format!("{stem}y"));
    }
    for suffix in ["s", "es", "ed", "d", "ing"] {
        if let Some(stem) = w.strip_suffix(suffix) {
            push(stem.to_string());
            if suffix == "ing" {
                push(format!("{stem}e"));
            }
            // Doubled final consonant: "planned" → "plan".
            let b = stem.as_bytes();
            if (suffix == "ing" || suffix == "ed")
                && b.len() >= 3
                && b[b.len() - 1] == b[b.len() - 2]
            {
                push(stem[..stem.len() - 1].to_string());
            }
        }
    }
    out
}

impl RuleFile for EventRules {
    const BUILTIN: &'static str = include_str!("../../rules/events.toml");
    const BUILTIN_PATH: &'static str = "rules/events.toml";

    fn parse(source: &str, path: &Path) -> Result<EventRules> {
        let file: RulesFile = toml::from_str(source).map_err(|e| Error::Rules {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let mut triggers = Vec::new();
        for (i, rule) in file.event.iter().enumerate() {
            for t in &rule.triggers {
                let words: Vec<String> = t.split_whitespace().map(str::to_lowercase).collect();
                if words.is_empty() {
                    return Err(Error::Rules {
                        path: path.to_path_buf(),
                        reason: format!("{}: empty trigger", rule.event_type),
                    });
                }
                triggers.push((words, i));
            }
        }
        // Longest first, so "drone strike" wins over "strike"; then file order.
        triggers.sort_by_key(|t| std::cmp::Reverse(t.0.len()));
        Ok(EventRules {
            casualty_nouns: file
                .casualty_nouns
                .iter()
                .map(|n| n.split_whitespace().map(str::to_lowercase).collect())
                .collect(),
            rules: file.event,
            triggers,
        })
    }
}

impl EventRules {
    /// Finds the events of a document (sentences, entities and times must be set).
    pub fn process(&self, doc: &mut Document) {
        let mut events = Vec::new();
        for (s, sentence) in doc.sentences.iter().enumerate() {
            let words: Vec<&str> = sentence
                .tokens
                .iter()
                .map(|t| &doc.text[t.span.start..t.span.end])
                .collect();
            let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
            let forms: Vec<Vec<String>> = words.iter().map(|w| lemmas(w)).collect();
            // Entity mentions of this sentence as token ranges.
            let start_of: HashMap<usize, usize> = sentence
                .tokens
                .iter()
                .enumerate()
                .map(|(i, t)| (t.span.start, i))
                .collect();
            let end_of: HashMap<usize, usize> = sentence
                .tokens
                .iter()
                .enumerate()
                .map(|(i, t)| (t.span.end, i + 1))
                .collect();
            let mentions: Vec<(usize, usize, usize)> = doc
                .entities
                .iter()
                .enumerate()
                .filter(|(_, e)| e.sentence == s)
                .filter_map(|(k, e)| {
                    Some((*start_of.get(&e.span.start)?, *end_of.get(&e.span.end)?, k))
                })
                .collect();
            let in_entity = |i: usize| mentions.iter().any(|&(a, b, _)| a <= i && i < b);
            let mut used = vec![false; words.len()];
            let mut i = 0;
            while i < words.len() {
                let hit = self.triggers.iter().find(|(t, _)| {
                    i + t.len() <= words.len()
                        && t.iter().enumerate().all(|(k, w)| forms[i + k].contains(w))
                });
                let Some((t, r)) = hit else {
                    i += 1;
                    continue;
                };
                let (len, r) = (t.len(), *r);
                if in_entity(i) || used[i] {
                    i += 1;
                    continue;
                }
                for u in used.iter_mut().skip(i).take(len) {
                    *u = true;
                }
                let rule = &self.rules[r];
                let trigger = Span::new(
                    sentence.tokens[i].span.start,
                    sentence.tokens[i + len - 1].span.end,
                );
                let mut event = Event {
                    event_type: rule.event_type.clone(),
                    trigger,
                    arguments: Vec::new(),
                    score: 0.0,
                    sentence: s,
                    killed: None,
                    injured: None,
                    rule: format!("{}:{}", rule.event_type, t.join(" ")),
                };
                let mut taken: Vec<usize> = Vec::new();
                for role in &rule.roles {
                    let mut cands: Vec<(usize, usize)> = mentions
                        .iter()
                        .filter(|(_, _, k)| !taken.contains(k))
                        .filter(|(_, _, k)| role.entity.contains(&doc.entities[*k].label))
                        .filter_map(|&(a, b, k)| {
                            let (side_ok, gap) = if b <= i {
                                (role.side != Side::After, i - b)
                            } else if a >= i + len {
                                (role.side != Side::Before, a - (i + len))
                            } else {
                                return None;
                            };
                            let prep_ok = role.preps.is_empty()
                                || (a > 0 && role.preps.contains(&lower[a - 1]));
                            (side_ok && prep_ok && gap <= role.max_gap).then_some((gap, k))
                        })
                        .collect();
                    cands.sort();
                    let n = if role.many {
                        cands.len()
                    } else {
                        cands.len().min(1)
                    };
                    for &(_, k) in &cands[..n] {
                        taken.push(k);
                        event.arguments.push(Argument {
                            role: role.role.clone(),
                            span: doc.entities[k].span,
                            canonical: None,
                            value: None,
                        });
                    }
                }
                if !rule.instruments.is_empty() {
                    let near = i.saturating_sub(4)..(i + len + 4).min(words.len());
                    if let Some(j) = near.clone().find(|&j| {
                        forms[j].iter().any(|f| rule.instruments.contains(f))
                            && !(i..i + len).contains(&j)
                    }) {
                        event.arguments.push(Argument {
                            role: "Instrument".into(),
                            span: sentence.tokens[j].span,
                            canonical: None,
                            value: None,
                        });
                    } else if let Some(j) = (i..i + len)
                        .find(|&j| forms[j].iter().any(|f| rule.instruments.contains(f)))
                    {
                        event.arguments.push(Argument {
                            role: "Instrument".into(),
                            span: sentence.tokens[j].span,
                            canonical: None,
                            value: None,
                        });
                    }
                }
                // The time expression of the sentence nearest the trigger.
                if let Some(t) = doc
                    .times
                    .iter()
                    .filter(|t| sentence.span.contains(&t.span) && t.timex_type != "DURATION")
                    .min_by_key(|t| t.span.start.abs_diff(trigger.start))
                {
                    event.arguments.push(Argument {
                        role: "Time".into(),
                        span: t.span,
                        canonical: None,
                        value: Some(t.value.clone()),
                    });
                }
                if matches!(rule.event_type.as_str(), "Conflict:Attack" | "Life:Die") {
                    let (killed, injured) = self.casualties(&lower);
                    event.killed = killed;
                    event.injured = injured;
                }
                let filled = event.arguments.len() as f32;
                event.score = (0.5 + 0.1 * filled).min(0.95);
                events.push(event);
                i += len;
            }
        }
        doc.events = events;
    }

    /// Casualty counts: a number followed (within three words) by a casualty
    /// noun, counted as killed or injured by the nearest such verb or noun.
    fn casualties(&self, lower: &[String]) -> (Option<u64>, Option<u64>) {
        let kill = |w: &str| {
            matches!(
                w,
                "kill" | "dead" | "death" | "die" | "killed" | "deaths" | "died" | "fatality"
            )
        };
        let hurt = |w: &str| w.starts_with("wound") || w.starts_with("injur") || w == "hurt";
        let (mut killed, mut injured) = (None, None);
        for (i, w) in lower.iter().enumerate() {
            let Some(n) = number(w) else { continue };
            let noun = (i + 1..(i + 4).min(lower.len())).find(|&j| {
                self.casualty_nouns.iter().any(|cn| {
                    j + cn.len() <= lower.len()
                        && cn.iter().enumerate().all(|(k, c)| lower[j + k] == *c)
                })
            });
            if noun.is_none() {
                continue;
            }
            let dist = |f: &dyn Fn(&str) -> bool| {
                (0..lower.len())
                    .filter(|&j| f(&lower[j]))
                    .map(|j| j.abs_diff(i))
                    .min()
            };
            match (dist(&kill), dist(&hurt)) {
                (Some(k), Some(h)) if h < k => injured = injured.or(Some(n)),
                (Some(_), _) => killed = killed.or(Some(n)),
                (None, Some(_)) => injured = injured.or(Some(n)),
                _ => {}
            }
        }
        (killed, injured)
    }
}

/// Reads a count written in digits ("3", "1,200") or words ("three",
/// "twenty-five"); vague quantities ("several") are not counts.
pub fn number(word: &str) -> Option<u64> {
    let digits: String = word.chars().filter(|c| *c != ',').collect();
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        return digits.parse().ok().filter(|_| digits.len() <= 7);
    }
    crate::time::lexicon::small_number_word(word).map(u64::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflections_reach_their_lemma() {
        for (word, lemma) in [
            ("strikes", "strike"),
            ("killed", "kill"),
            ("killing", "kill"),
            ("shelling", "shell"),
            ("deployed", "deploy"),
            ("casualties", "casualty"),
            ("planned", "plan"),
            ("arriving", "arrive"),
            ("Protested", "protest"),
        ] {
            assert!(
                lemmas(word).contains(&lemma.to_string()),
                "{word}: {:?}",
                lemmas(word)
            );
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(number("three"), Some(3));
        assert_eq!(number("2,500"), Some(2500));
        assert_eq!(number("twenty-five"), Some(25));
        assert_eq!(number("several"), None);
        assert_eq!(number("troops"), None);
    }

    #[test]
    fn builtin_rules_parse_and_cover_the_eight_ace_types() {
        let r = EventRules::builtin();
        let types: Vec<&str> = r.rules.iter().map(|e| e.event_type.as_str()).collect();
        for t in [
            "Conflict:Attack",
            "Life:Die",
            "Movement:Transport",
            "Justice:Arrest-Jail",
            "Contact:Meet",
            "Conflict:Demonstrate",
            "Contact:Phone-Write",
            "Transaction:Transfer-Money",
        ] {
            assert!(types.contains(&t), "{t}");
        }
    }
}
