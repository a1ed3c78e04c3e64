//! Argument spans: the noun phrase of an argument's head word, read off the
//! parse.
//!
//! The phrase is the head with the modifiers that say which thing it is
//! (determiners, adjectives, compounds, numbers, possessors, flat names, a
//! name run in after its title and "of" chains: "the leader of the armed
//! group"), and without what says
//! something else about it: relative clauses, appositions, coordinated nouns
//! (each conjunct is an argument of its own) and other prepositional phrases
//! (often other arguments: "a checkpoint *near Tal Afar*").

use super::graph::Graph;
use crate::document::Span;

/// Relations whose whole subtree belongs to the phrase of their head.
const INSIDE: [&str; 11] = [
    "det",
    "det:poss",
    "amod",
    "compound",
    "nummod",
    "nmod:poss",
    "flat",
    "flat:name",
    "fixed",
    "advmod",
    "goeswith",
];

/// The noun phrase headed by word `head`, as a span of the document; it
/// also covers the whole entity mention the head lies in.
pub fn noun_phrase(g: &Graph, head: usize) -> Span {
    phrase_without(g, head, &[])
}

/// The noun phrase of `head` without the words in `skip` and their
/// dependents: the trigger ("left nine people dead" has the victims "nine
/// people", not "nine people dead") and the heads of the event's other
/// arguments ("Israeli warplanes struck": attacker "Israeli", instrument
/// "warplanes").
pub fn argument_phrase(g: &Graph, head: usize, skip: &[usize]) -> Span {
    phrase_without(g, head, skip)
}

fn phrase_without(g: &Graph, head: usize, skip: &[usize]) -> Span {
    let mut inside = vec![false; g.len()];
    collect(g, head, true, skip, &mut inside);
    // The phrase is contiguous: the run of included words around the head.
    let mut start = head;
    while start > 0 && inside[start - 1] {
        start -= 1;
    }
    let mut end = head;
    while end + 1 < g.len() && inside[end + 1] {
        end += 1;
    }
    // An opening punctuation mark or preposition is never the phrase's edge.
    while start < head && matches!(g.upos(start), "PUNCT" | "ADP" | "CCONJ") {
        start += 1;
    }
    while end > head && matches!(g.upos(end), "PUNCT" | "ADP" | "CCONJ") {
        end -= 1;
    }
    let mut span = Span::new(g.span(start).start, g.span(end).end);
    if let Some(e) = g.entity(head) {
        span = Span::new(span.start.min(e.span.start), span.end.max(e.span.end));
    }
    span
}

fn collect(g: &Graph, w: usize, top: bool, skip: &[usize], inside: &mut [bool]) {
    inside[w] = true;
    for &c in g.children(w) {
        if skip.contains(&c) {
            continue;
        }
        let rel = g.rel(c);
        let of_chain = rel == "nmod" && g.cases(c).contains(&"of");
        // A date is the event's time, not part of a participant ("the
        // Wednesday drone strike": the instrument is "drone").
        if g.time(c).is_some() && g.time(w).is_none() {
            continue;
        }
        // An adjective before the numeral before the head is no modifier
        // of it but a misattached predicate: "shot dead two smugglers".
        let before_number = rel == "amod" && g.deps(w, "nummod").any(|n| c < n && n < w);
        if before_number {
            continue;
        }
        let keep = INSIDE.contains(&rel)
            || of_chain
            // The preposition of an inner "of" phrase, the 's of a possessor.
            || (!top && rel == "case")
            // Punctuation inside a name ("al-Muhandis") or a number ("1,200").
            || (rel == "punct" && is_inner_punct(g, c))
            // A name right after its title: "opposition candidate Kizza Besigye".
            || (rel == "appos" && is_run_in_name(g, w, c));
        if keep {
            collect(g, c, false, skip, inside);
        }
    }
}

/// Hyphens and periods that glue words of a name together, not commas or
/// brackets that set a phrase off.
fn is_inner_punct(g: &Graph, c: usize) -> bool {
    matches!(g.form(c), "-" | "." | "'" | "’")
}

/// A name in apposition with no comma or dash between it and its head: part
/// of the same phrase ("candidate Kizza Besigye"), unlike "the commander,
/// Gen. Rahimi", which names the same person twice.
fn is_run_in_name(g: &Graph, head: usize, c: usize) -> bool {
    c > head && g.upos(c) == "PROPN" && (head + 1..c).all(|i| g.upos(i) != "PUNCT")
}
