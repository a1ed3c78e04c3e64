//! Pronoun arguments: "he", "they", "its" refer back to an entity mentioned
//! earlier. An analyst would rather read the pronoun than a wrong name, so a
//! pronoun is resolved only when the choice is clear: exactly one distinct
//! compatible entity in its own sentence before it or in the sentence
//! before; or, for a possessive ("The US responded with its own strikes"),
//! the subject of its clause when that is the only compatible entity before
//! it in the sentence. The argument stays the pronoun; the name is its
//! `antecedent`.

use super::graph::Graph;
use crate::document::{Document, Entity, Span, WordSyntax};

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

/// The entity mention a pronoun argument refers to, when that is clear.
pub fn antecedent(g: &Graph, word: usize) -> Option<Span> {
    if g.upos(word) != "PRON" || compatible(g.lemma(word)).is_empty() {
        return None;
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
