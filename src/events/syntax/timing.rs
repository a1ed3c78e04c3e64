//! The time of an event: the time expression attached to its trigger in the
//! parse ("killed *on Tuesday*", "the *March 3* attack"), else one attached
//! to the verb of its clause, else none. Durations and sets ("for three
//! days", "every hour") are never an event's date; neither is a time
//! expression merely somewhere in the sentence.

use super::graph::Graph;
use crate::document::TimeExpr;

/// Relations by which a time expression attaches to what it dates.
/// (`obl:unmarked` and `nmod:unmarked` are UD English EWT 2.14's names for
/// bare noun phrases such as "Tuesday", `obl:tmod` and `obl:npmod` before.)
const TIME_RELS: [&str; 10] = [
    "obl:tmod",
    "obl:unmarked",
    "obl",
    "nmod:tmod",
    "nmod:unmarked",
    "obl:npmod",
    "nmod",
    "compound",
    "advmod",
    "amod",
];

/// The time expression dating the event triggered by `t`.
pub fn event_time<'a>(g: &Graph<'a>, t: usize) -> Option<&'a TimeExpr> {
    let v = g.clause_verb(t);
    attached(g, t)
        .or_else(|| if v != t { attached(g, v) } else { None })
        .or_else(|| shared_verb(g, t).and_then(|h| attached(g, h)))
}

/// The verb whose time a verbal trigger shares: the first of coordinated
/// verbs ("shot and killed ... on Sunday"), or the main verb of a
/// participial clause ("attacked the post on Sunday, killing two").
fn shared_verb(g: &Graph, t: usize) -> Option<usize> {
    let h = g.head(t)?;
    let shares = match g.rel(t) {
        "conj" => true,
        "advcl" | "xcomp" => g.deps(t, "mark").next().is_none(),
        _ => false,
    };
    (shares && g.is_verbal(h) && g.is_verbal(t)).then_some(h)
}

/// A DATE or TIME expression whose head word depends on `w`. A time word
/// with a complement of its own outside the expression is a noun, not a
/// date: "in the future of relations" does not date anything.
fn attached<'a>(g: &Graph<'a>, w: usize) -> Option<&'a TimeExpr> {
    g.children(w)
        .iter()
        .filter(|&&c| TIME_RELS.contains(&g.rel(c)))
        .find_map(|&c| {
            let own = g.time(c);
            let time = own.or_else(|| inner_time(g, c))?;
            let complemented =
                own.is_some() && g.deps(c, "nmod").any(|d| !time.span.contains(&g.span(d)));
            (matches!(time.timex_type.as_str(), "DATE" | "TIME") && !complemented).then_some(time)
        })
}

/// A time expression in the phrase of `c` ("on the night of 4 June": the
/// expression is on a dependent of "night").
fn inner_time<'a>(g: &Graph<'a>, c: usize) -> Option<&'a TimeExpr> {
    g.children(c)
        .iter()
        .filter(|&&d| matches!(g.rel(d), "nmod" | "nummod" | "compound" | "flat"))
        .find_map(|&d| g.time(d))
}
