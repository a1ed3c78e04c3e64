//! Pronoun arguments: "he", "they", "its" refer back to an entity mentioned
//! earlier. An analyst would rather read the pronoun than a wrong name, so a
//! pronoun is resolved only when the choice is clear: exactly one distinct
//! compatible entity in its own sentence before it or in the sentence
//! before. The argument stays the pronoun; the name is its `antecedent`.

use super::graph::Graph;
use crate::document::Span;

/// Entity labels a pronoun may refer to.
fn compatible(pronoun: &str) -> &'static [&'static str] {
    match pronoun {
        "he" | "him" | "his" | "she" | "her" | "hers" => &["PER"],
        "it" | "its" => &["ORG", "LOC"],
        "they" | "them" | "their" => &["ORG", "PER", "MISC"],
        _ => &[],
    }
}

/// The entity mention a pronoun argument refers to, when that is clear.
pub fn antecedent(g: &Graph, word: usize) -> Option<Span> {
    if g.upos(word) != "PRON" {
        return None;
    }
    let labels = compatible(g.lemma(word));
    if labels.is_empty() {
        return None;
    }
    let at = g.span(word).start;
    let first = g.sentence.saturating_sub(1);
    let mut found: Option<(Span, &str)> = None;
    let candidates = (first..=g.sentence)
        .flat_map(|s| g.mentions.entities[s].iter().map(|&k| &g.doc.entities[k]));
    for e in candidates.filter(|e| e.span.end <= at) {
        if !labels.contains(&e.label.as_str()) {
            continue;
        }
        let text = g.doc.slice(e.span);
        match found {
            Some((_, t)) if t != text => return None,
            _ => found = Some((e.span, text)),
        }
    }
    found.map(|(span, _)| span)
}
