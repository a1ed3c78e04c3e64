//! Pronoun arguments: "he", "they", "its" refer back to an entity mentioned
//! earlier. An analyst would rather read the pronoun than a wrong name, so a
//! pronoun is resolved only when the choice is clear: exactly one distinct
//! compatible entity in its own sentence before it or in the sentence
//! before; or, for a possessive ("The US responded with its own strikes"),
//! the subject of its clause when that is the only compatible entity before
//! it in the sentence. A pronoun that is the subject of a reported clause,
//! or the possessive on that subject, stands for the one who reports it
//! when the two agree ("The army said its helicopters struck", "Police
//! said they arrested 40 people"), named or not. The argument stays the
//! pronoun; what it stands for is its `antecedent`.

use super::graph::Graph;
use super::{phrase, Classes};
use crate::document::{Document, Entity, Span, WordSyntax};

/// Verbs that report their subject's words.
const REPORTING: [&str; 15] = [
    "say",
    "tell",
    "announce",
    "claim",
    "report",
    "confirm",
    "state",
    "add",
    "insist",
    "acknowledge",
    "admit",
    "deny",
    "allege",
    "warn",
    "stress",
];

/// Entity labels a pronoun may refer to.
fn compatible(pronoun: &str) -> &'static [&'static str] {
    match pronoun {
        "he" | "him" | "his" | "she" | "her" | "hers" => &["PER"],
        "it" | "its" => &["ORG", "LOC"],
        "they" | "them" | "their" => &["ORG", "PER", "MISC"],
        _ => &[],
    }
}

/// The parse of the last word of an entity mention (its head in English).
fn last_word<'d>(doc: &'d Document, e: &Entity) -> Option<&'d WordSyntax> {
    let sentence = doc.sentences.get(e.sentence)?;
    let i = sentence
        .tokens
        .iter()
        .position(|t| t.span.end == e.span.end)?;
    sentence.syntax.get(i)
}

/// Whether the entity can be what the pronoun stands for: of a compatible
/// label, a noun (never an adjective: "an anti-ISIS coalition ... They"),
/// and plural for "they" (a name is one person or one body; "they" is the
/// Houthis, the Russians).
fn can_refer(doc: &Document, pronoun: &str, e: &Entity) -> bool {
    if !compatible(pronoun).contains(&e.label.as_str()) {
        return false;
    }
    let Some(w) = last_word(doc, e) else {
        return true;
    };
    if w.upos == "ADJ" {
        return false;
    }
    let plural_pronoun = matches!(pronoun, "they" | "them" | "their");
    !plural_pronoun || w.feats.contains("Number=Plur")
}

/// What a pronoun argument refers to, when that is clear: an entity
/// mention, or the noun phrase of the one who reports the pronoun's clause.
/// `classes`: the rule file's noun classes ("people", "group").
pub fn antecedent(g: &Graph, word: usize, classes: &Classes) -> Option<Span> {
    if g.upos(word) != "PRON" || compatible(g.lemma(word)).is_empty() {
        return None;
    }
    if let Some(span) = speaker(g, word, classes) {
        return Some(span);
    }
    let pronoun = g.lemma(word);
    let at = g.span(word).start;
    let fits = |e: &&Entity| e.span.end <= at && can_refer(g.doc, pronoun, e);
    let in_sentence = |s: usize| {
        g.mentions.entities[s]
            .iter()
            .map(|&k| &g.doc.entities[k])
            .filter(fits)
    };
    if g.rel(word) == "nmod:poss" {
        if let Some(span) = clause_subject(g, word, in_sentence(g.sentence).collect()) {
            return Some(span);
        }
    }
    let first = g.sentence.saturating_sub(1);
    let mut found: Option<(Span, &str)> = None;
    for e in (first..=g.sentence).flat_map(in_sentence) {
        let text = g.doc.slice(e.span);
        match found {
            Some((_, t)) if t != text => return None,
            _ => found = Some((e.span, text)),
        }
    }
    found.map(|(span, _)| span)
}

/// The subject of the possessive's clause, when it is the only compatible
/// entity (`before`, the sentence's compatible entities before the pronoun):
/// "Iran condemned the US for its strikes" has two, and stays unresolved.
fn clause_subject(g: &Graph, word: usize, before: Vec<&Entity>) -> Option<Span> {
    let first = before.first()?;
    let text = g.doc.slice(first.span);
    if before.iter().any(|e| g.doc.slice(e.span) != text) {
        return None;
    }
    let verb = g.clause_verb(word);
    g.deps(verb, "nsubj")
        .filter(|&s| s < word)
        .find_map(|s| g.entity(s).filter(|e| e.span == first.span))
        .map(|e| e.span)
}

/// The subject of the verb of saying that reports the pronoun's clause,
/// when the pronoun is that clause's subject or the possessive on it and
/// the two agree: "The army said its helicopters struck" (said → struck),
/// "Its jets hit the base, the ministry said" (a parenthetical "said").
fn speaker(g: &Graph, word: usize, classes: &Classes) -> Option<Span> {
    let subject = |w: usize| matches!(g.rel(w), "nsubj" | "nsubj:pass");
    let holder = if g.rel(word) == "nmod:poss" {
        g.head(word)?
    } else {
        word
    };
    if !subject(holder) {
        return None;
    }
    let mut clause = g.head(holder)?;
    while g.rel(clause) == "conj" {
        clause = g.head(clause)?;
    }
    let reporting = |v: usize| REPORTING.contains(&g.lemma(v));
    let verb = match g.head(clause) {
        Some(h) if g.rel(clause) == "ccomp" && reporting(h) => h,
        _ => g.deps(clause, "parataxis").find(|&c| reporting(c))?,
    };
    let s = g.deps(verb, "nsubj").find(|&s| s != word)?;
    agreeing(g, g.lemma(word), s, classes)
}

/// The speaker `s` as what `pronoun` stands for, when they agree: a
/// compatible entity, or a common noun of the right kind and number ("it"
/// a body, "they" people or a body, "he" one person).
fn agreeing(g: &Graph, pronoun: &str, s: usize, classes: &Classes) -> Option<Span> {
    if let Some(e) = g.entity(s) {
        return can_refer(g.doc, pronoun, e).then_some(e.span);
    }
    if g.upos(s) != "NOUN" {
        return None;
    }
    let of = |c: &str| super::args::in_class(g, s, c, classes);
    let plural = g.feat(s, "Number=Plur");
    let agrees = match pronoun {
        "it" | "its" => !plural && !of("people"),
        "they" | "them" | "their" => (plural && of("people")) || of("group"),
        "he" | "him" | "his" | "she" | "her" | "hers" => !plural && of("people"),
        _ => false,
    };
    agrees.then(|| phrase::noun_phrase(g, s))
}
