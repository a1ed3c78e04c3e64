//! A small rule-based noun-phrase chunker for the events stage.
//!
//! Event arguments are entity names or the heads of common-noun phrases
//! ("a bus", "the embassy", "two soldiers"), never whole clauses. Without a
//! part-of-speech tagger the chunker works from closed word classes, which are
//! data (`[phrases]` in `rules/events.toml`): a phrase is an optional opener
//! (determiner, number, possessive `'s`) and a run of content words, i.e.
//! words that are neither function words nor listed verbs nor punctuation.
//! Its last word is its head. A lowercase `-ed`/`-ing` word is read as a verb,
//! which ends the phrase, unless it directly follows an opener ("the wounded
//! soldiers", "a bombing" but "militants attacked").

use serde::Deserialize;

/// The word classes the chunker works from (all lowercase).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhraseWords {
    /// Words that open a noun phrase: articles, demonstratives, possessive
    /// pronouns, quantifiers.
    #[serde(default)]
    pub determiners: Vec<String>,
    /// Prepositions: never inside a noun phrase.
    #[serde(default)]
    pub prepositions: Vec<String>,
    /// Other words never inside a noun phrase: conjunctions, pronouns,
    /// auxiliaries, modals, wh-words, adverbs.
    #[serde(default)]
    pub function_words: Vec<String>,
    /// Verb forms not recognisable by their ending ("took", "says").
    #[serde(default)]
    pub verbs: Vec<String>,
    /// Light verbs whose object is the event ("launched a strike", "carried
    /// out raids"): they do not separate the subject from the trigger.
    #[serde(default)]
    pub support_verbs: Vec<String>,
    /// Words that make an `-ed` trigger right before them a passive
    /// participle ("officers killed in clashes", "killed by police").
    #[serde(default)]
    pub participle_cues: Vec<String>,
    /// Words and marks that end a clause, and so an object.
    #[serde(default)]
    pub clause_breaks: Vec<String>,
    /// Function words that join phrases or clauses ("and", "than", "that",
    /// "including"): a trigger after one may be a noun ("Ferguson and the
    /// shooting"), so they are no sign of a verb.
    #[serde(default)]
    pub conjunctions: Vec<String>,
    /// Conjunctions that coordinate (and, or): one between a name and a
    /// trigger means the two are unrelated, as a preposition does.
    #[serde(default)]
    pub coordinators: Vec<String>,
    /// Adjectives the chunker takes into noun phrases ("her dead sibling",
    /// "the dead"): a trigger among them is never a bare noun mention.
    #[serde(default)]
    pub adjectives: Vec<String>,
}

/// What earlier stages found a word to be part of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    None,
    /// A name: always a content word ("IS" is no "is").
    Name,
    /// A time expression: never inside a noun phrase ("a base Friday").
    Time,
}

/// A noun phrase: token indices of its first word (the opener, if any) and
/// its head (the last word).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    pub start: usize,
    pub head: usize,
}

pub fn is_possessive(w: &str) -> bool {
    w == "'s" || w == "’s"
}

fn is_punct(w: &str) -> bool {
    !w.chars().next().is_some_and(char::is_alphanumeric)
}

/// A lowercase word that reads as a verb form by its ending.
fn verb_like(word: &str) -> bool {
    let starts_lower = word.chars().next().is_some_and(char::is_lowercase);
    starts_lower && word.len() > 4 && (word.ends_with("ed") || word.ends_with("ing"))
}

impl PhraseWords {
    pub fn lowercase(&mut self) {
        for w in self
            .determiners
            .iter_mut()
            .chain(&mut self.prepositions)
            .chain(&mut self.function_words)
            .chain(&mut self.verbs)
            .chain(&mut self.clause_breaks)
            .chain(&mut self.participle_cues)
            .chain(&mut self.support_verbs)
            .chain(&mut self.conjunctions)
            .chain(&mut self.coordinators)
            .chain(&mut self.adjectives)
        {
            *w = w.to_lowercase();
        }
    }

    pub fn determiner(&self, lower: &str) -> bool {
        self.determiners.iter().any(|d| d == lower)
    }

    fn opener(&self, lower: &str) -> bool {
        is_possessive(lower) || self.determiner(lower) || super::number(lower).is_some()
    }

    /// Whether a word can be inside a noun phrase at all.
    fn content(&self, lower: &str) -> bool {
        !is_punct(lower)
            && !self.opener(lower)
            && !self.preposition(lower)
            && !self.function_words.iter().any(|f| f == lower)
            && !self.verbs.iter().any(|v| v == lower)
    }

    fn breaks_clause(&self, lower: &str) -> bool {
        self.clause_breaks.iter().any(|c| c == lower)
    }

    /// Punctuation or a clause break: the context words a trigger looks at
    /// (`veto_near_before`, `needs_near_after`...) stop here, this word
    /// included.
    pub fn ends_window(&self, lower: &str) -> bool {
        is_punct(lower) || self.breaks_clause(lower)
    }

    /// "of" after a quantity: "dozens of students", "two of the guards".
    pub fn partitive(&self, lower: &[String], j: usize) -> bool {
        lower[j] == "of" && j > 0 && self.opener(&lower[j - 1])
    }

    pub fn participle_cue(&self, lower: &str) -> bool {
        self.participle_cues.iter().any(|c| c == lower)
    }

    /// A word after which a trigger reads as a verb, not a noun: "to", or a
    /// function word that is not one of the `conjunctions` (pronouns,
    /// auxiliaries, modals, adverbs: "they protest", "will attack").
    pub fn verbal_cue(&self, lower: &str) -> bool {
        lower == "to"
            || (self.function_words.iter().any(|f| f == lower)
                && !self.conjunctions.iter().any(|c| c == lower))
    }

    pub fn adjective(&self, lower: &str) -> bool {
        self.adjectives.iter().any(|a| a == lower)
    }

    pub fn preposition(&self, lower: &str) -> bool {
        self.prepositions.iter().any(|p| p == lower)
    }

    /// Whether a word keeps an argument found by distance alone from a
    /// trigger: a preposition, verb, coordination or clause break lies
    /// between a subject or pre-modifier and its verb or noun only when the
    /// two are unrelated ("Ferguson and the shooting", "X urged ... to cease
    /// bombing").
    pub fn separates(&self, word: &str, lower: &str) -> bool {
        if self.support_verbs.iter().any(|v| v == lower) {
            return false;
        }
        self.breaks_clause(lower)
            || self.coordinators.iter().any(|c| c == lower)
            || self.preposition(lower)
            || self.verbs.iter().any(|v| v == lower)
            || verb_like(word)
    }

    /// The noun phrases of a sentence (`words` as written, `lower` lowercased).
    pub fn chunks(&self, words: &[&str], lower: &[String], marks: &[Mark]) -> Vec<Chunk> {
        let content = |i: usize| match marks[i] {
            Mark::Name => true,
            Mark::Time => false,
            Mark::None => self.content(&lower[i]),
        };
        let mut out = Vec::new();
        let mut i = 0;
        while i < lower.len() {
            let start = i;
            while i < lower.len() && self.opener(&lower[i]) {
                i += 1;
            }
            let opened = i > start;
            let run = i;
            while i < lower.len() && content(i) {
                if marks[i] != Mark::Name && verb_like(words[i]) && !(opened && i == run) {
                    break;
                }
                i += 1;
            }
            if i > run {
                out.push(Chunk { start, head: i - 1 });
            } else if !opened {
                i += 1;
            }
        }
        out
    }

    /// End (exclusive) of the object of a verb ending at `from`: the noun
    /// phrases and names after it, with their coordinations ("X, Y and Z"),
    /// up to a function word other than "and"/"or", a verb or a clause break.
    /// A noun's object follows "of" ("the killing of X").
    pub fn object_end(
        &self,
        words: &[&str],
        lower: &[String],
        marks: &[Mark],
        from: usize,
    ) -> usize {
        let mut j = from;
        if lower.get(j).is_some_and(|w| w == "of") {
            j += 1;
        }
        while j < lower.len() {
            let w = lower[j].as_str();
            let partitive = j > from && self.partitive(lower, j);
            let joins = matches!(w, "and" | "or" | ",") || partitive || self.opener(w);
            match marks[j] {
                Mark::Name => {
                    j += 1;
                    continue;
                }
                Mark::Time => break,
                Mark::None => {}
            }
            let verb = verb_like(words[j]) && j > from && !self.opener(&lower[j - 1]);
            if self.breaks_clause(w) || verb || !(joins || self.content(w)) {
                break;
            }
            j += 1;
        }
        j
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> PhraseWords {
        PhraseWords {
            determiners: vec!["the".into(), "a".into(), "his".into(), "most".into()],
            prepositions: vec!["near".into(), "in".into()],
            function_words: vec!["and".into(), "that".into(), "they".into()],
            verbs: vec!["took".into()],
            clause_breaks: vec![";".into(), "said".into()],
            participle_cues: vec![],
            support_verbs: vec![],
            conjunctions: vec!["and".into(), "that".into()],
            coordinators: vec!["and".into()],
            adjectives: vec![],
        }
    }

    #[test]
    fn conjunctions_are_no_verb_cue_and_coordinators_separate() {
        let w = words();
        // "they protest" is a verb; "Ferguson and the shooting" no sign of one.
        assert!(w.verbal_cue("they") && w.verbal_cue("to"));
        assert!(!w.verbal_cue("and") && !w.verbal_cue("that"));
        assert!(w.separates("and", "and"));
        assert!(!w.separates("that", "that"));
    }

    fn split(s: &str) -> (Vec<&str>, Vec<String>) {
        let w: Vec<&str> = s.split(' ').collect();
        let l = w.iter().map(|x| x.to_lowercase()).collect();
        (w, l)
    }

    fn heads(s: &str) -> Vec<String> {
        let (w, l) = split(s);
        words()
            .chunks(&w, &l, &vec![Mark::None; w.len()])
            .iter()
            .map(|c| w[c.start..=c.head].join(" "))
            .collect()
    }

    #[test]
    fn phrases_end_at_function_words_and_verbs() {
        assert_eq!(
            heads("the armed men attacked a police station near the border"),
            ["the armed men", "a police station", "the border"]
        );
        assert_eq!(
            heads("two soldiers took his car"),
            ["two soldiers", "his car"]
        );
        // A possessive opens the phrase it modifies.
        assert_eq!(
            heads("Norland 's most senior officer"),
            ["Norland", "'s most senior officer"]
        );
    }

    #[test]
    fn objects_run_over_coordination_up_to_a_preposition() {
        let (w, l) = split("killed the colonel , his driver and a guard near the gate");
        let end = words().object_end(&w, &l, &vec![Mark::None; w.len()], 1);
        assert_eq!(w[1..end].join(" "), "the colonel , his driver and a guard");
        let (w, l) = split("killed three people ; police said");
        assert_eq!(words().object_end(&w, &l, &vec![Mark::None; w.len()], 1), 3);
    }
}
