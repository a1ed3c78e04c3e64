//! Filling an event's roles: follow each role's paths from the trigger,
//! take each coordinated noun as an argument of its own, see through
//! appositions ("the commander, Gen. Rahimi") and keep the words whose
//! entity type, noun class or part of speech the role allows.

use super::file::{Role, Rule};
use super::graph::Graph;
use super::{phrase, pronouns, Classes};
use crate::document::{Argument, Span};

/// An argument and its head word.
pub struct Filled {
    pub argument: Argument,
    pub head: usize,
}

/// The arguments of the event the rule builds at trigger `t`; a word fills
/// at most one role (the first that takes it).
pub fn fill(g: &Graph, rule: &Rule, t: usize, classes: &Classes) -> Vec<Filled> {
    let mut out: Vec<Filled> = Vec::new();
    for role in &rule.roles {
        for path in &role.paths {
            for reached in path.follow(g, t) {
                let reached = if role.name == "Place" {
                    through_part(g, reached)
                } else {
                    reached
                };
                let mut words = g.conjuncts(reached);
                words.extend(coordinated_appositions(g, reached));
                for w in words {
                    if harmed_by_another(g, w, t)
                        || modifies_next(g, role, w, classes)
                        || no_one(g, w)
                    {
                        continue;
                    }
                    let Some(head) = qualifying(g, role, w, classes) else {
                        continue;
                    };
                    if head == t || out.iter().any(|f| f.head == head) {
                        continue;
                    }
                    // Two words of one name ("Operation Inherent Resolve")
                    // reached by two paths are one participant.
                    // The phrase leaves out the trigger and the heads of the
                    // other arguments ("Israeli warplanes": attacker Israeli,
                    // instrument warplanes), and a run stops short of a word
                    // another role took ("US drone strike").
                    let taken: Vec<usize> = std::iter::once(t)
                        .chain(out.iter().map(|f| f.head))
                        .collect();
                    let mut argument = argument(g, &role.name, head, &taken, classes);
                    if let Some(first) = compound_run_start(g, role, head, classes) {
                        let start = phrase::noun_phrase(g, first).start;
                        let run = Span::new(start, argument.span.end);
                        if !out.iter().any(|f| f.argument.span.overlaps(&run)) {
                            argument.span = run;
                        }
                    }
                    if out.iter().any(|f| f.argument.span.overlaps(&argument.span)) {
                        continue;
                    }
                    out.push(Filled { argument, head });
                    if role.name == "Place" || places_target(g, rule, &role.name, head, classes) {
                        for p in named_within(g, head) {
                            let named = self::argument(g, "Place", p, &[t], classes);
                            // The target's own phrase may hold the name ("the
                            // neighbourhoods of Askar"): the place is still
                            // the name, for the analyst's map.
                            let clash = out.iter().any(|f| {
                                (f.head != head || role.name == "Place")
                                    && f.argument.span.overlaps(&named.span)
                            });
                            if !clash {
                                out.push(Filled {
                                    argument: named,
                                    head: p,
                                });
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// Whether `w` is a compound that modifies the next word, itself a
/// compound of the same head the role accepts: in "Houthi rebel attacks" the
/// attacker is "Houthi rebel", one participant, not "Houthi" and "rebel".
/// ("U.S. air strike" keeps "U.S.": "air" is no attacker; "the Wednesday
/// drone strike" keeps its date out of the instrument.)
fn modifies_next(g: &Graph, role: &Role, w: usize, classes: &Classes) -> bool {
    w + 1 < g.len()
        && g.time(w).is_none()
        && g.rel(w) == "compound"
        && g.rel(w + 1) == "compound"
        && g.head(w) == g.head(w + 1)
        && allows(g, role, w + 1, classes)
}

/// The first of the compounds before `head` that modify it (see
/// [`modifies_next`]), whose words then open its phrase.
fn compound_run_start(g: &Graph, role: &Role, head: usize, classes: &Classes) -> Option<usize> {
    let mut first = None;
    let mut k = head;
    while k > 0 && modifies_next(g, role, k - 1, classes) {
        k -= 1;
        first = Some(k);
    }
    first
}

/// Nouns that name a part of a place or the ground around it ("in the
/// midst of a residential area", "in the heart of the old city", "in front
/// of the governor's office", "on the outskirts of Sela"): the place is what
/// they are part of or around.
const PARTS: [&str; 10] = [
    "midst",
    "heart",
    "middle",
    "center",
    "centre",
    "edge",
    "part",
    "front",
    "outskirts",
    "vicinity",
];

/// The place a part noun is part of (see [`PARTS`]), else the word itself.
fn through_part(g: &Graph, w: usize) -> usize {
    if !PARTS.contains(&g.lemma(w)) {
        return w;
    }
    g.deps(w, "nmod")
        .find(|&c| g.cases(c).contains(&"of"))
        .unwrap_or(w)
}

/// Whether a target is a common noun of place ("a crowded cafe in Hesper",
/// "an oil depot outside Corra") of a rule that has places: the named places
/// it lies in are then the event's places too.
fn places_target(g: &Graph, rule: &Rule, role: &str, head: usize, classes: &Classes) -> bool {
    role == "Target"
        && rule.roles.iter().any(|r| r.name == "Place")
        && classes
            .get("place")
            .is_some_and(|set| set.contains(g.lemma(head)))
}

/// Prepositions that put a named place around a common one: "a mosque in
/// Hadra", "the streets of Olva", "the road between Tiko and Marra".
const AROUND: [&str; 7] = ["in", "of", "near", "outside", "inside", "between", "at"];

/// The named places a common noun of place lies in ("his home in Durak",
/// "a house in Sufra village"): also the event's places, since an analyst
/// locates it by the name. A name itself is looked no further into.
fn named_within(g: &Graph, head: usize) -> Vec<usize> {
    if g.entity(head).is_some() || g.upos(head) == "PROPN" {
        return Vec::new();
    }
    let is_place_name = |w: usize| {
        g.entity(w).is_some_and(|e| e.label == "LOC")
            || g.upos(w) == "PROPN"
            || g.deps(w, "compound")
                .any(|c| g.entity(c).is_some_and(|e| e.label == "LOC"))
    };
    // "In a market in the northern town of Dorva": through the common noun
    // to the name it is "of".
    let named = |w: usize| -> Option<usize> {
        if is_place_name(w) {
            return Some(w);
        }
        g.deps(w, "nmod")
            .find(|&c| g.cases(c).contains(&"of") && is_place_name(c))
    };
    // "Ulu village, Beka county": the apposition names the place around.
    let around = g.deps(head, "appos").filter(|&a| is_place_name(a));
    g.deps(head, "nmod")
        .filter(|&c| g.cases(c).iter().any(|k| AROUND.contains(k)))
        .flat_map(|c| g.conjuncts(c))
        .filter_map(named)
        .chain(around)
        .collect()
}

/// Verbs of harm whose gerund a parser may hang on its own object as a
/// modifier: "killing 23 civilians and injuring dozens" with "injuring" an
/// `amod` of "dozens".
const HARM: [&str; 5] = ["injure", "wound", "hurt", "maim", "kill"];

/// Whether `w` is the object of another harm verb misparsed as its
/// modifier (see [`HARM`]): the injured are not also the killed.
fn harmed_by_another(g: &Graph, w: usize, t: usize) -> bool {
    g.deps(w, "amod")
        .any(|c| c != t && g.xpos(c) == "VBG" && HARM.contains(&g.lemma(c)))
}

/// "No group claimed the attack", "nobody was hurt": a word that says no one
/// took part is no participant.
pub(super) fn no_one(g: &Graph, w: usize) -> bool {
    matches!(g.lemma(w), "nobody" | "none" | "no-one")
        || g.deps(w, "det").any(|d| g.lemma(d) == "no")
}

/// Names a parser hung on a noun as a second apposition although "and"
/// joins them ("the commander, Gen. Qassem Soleimani, and militia leader Abu
/// Mahdi al-Muhandis"): an apposition with its own coordinator is one more
/// participant, not another name for the first.
fn coordinated_appositions(g: &Graph, w: usize) -> Vec<usize> {
    g.deps(w, "appos")
        .filter(|&a| {
            g.children(a).iter().any(|&c| {
                c < a
                    && (g.rel(c) == "cc"
                        || g.children(c).iter().any(|&k| k < c && g.rel(k) == "cc"))
            })
        })
        .collect()
}

/// The word itself when the role allows it, else an apposition of it that
/// the role allows ("the commander, Gen. Rahimi" for a role that takes PER).
fn qualifying(g: &Graph, role: &Role, w: usize, classes: &Classes) -> Option<usize> {
    let mut near: Vec<usize> = g.deps(w, "appos").collect();
    if g.rel(w) == "appos" {
        near.extend(g.head(w));
    }
    // A place noun with its name before it ("Ulu village") is named: its
    // apposition is the larger place around it ("Ulu village, Beka county"),
    // not its name.
    let named_place = |a: usize| {
        role.name == "Place"
            && g.deps(a, "compound")
                .any(|c| g.upos(c) == "PROPN" || g.entity(c).is_some())
    };
    let named = |a: &usize| g.entity(*a).is_some() || g.upos(*a) == "PROPN" || named_place(*a);
    // A title and the name in apposition are one participant; the name says
    // who ("the commander, Gen. Idris Matar").
    let ok = |a: &usize| allows(g, role, *a, classes);
    if allows(g, role, w, classes) {
        if !named(&w) {
            if let Some(a) = near.iter().find(|a| named(a) && ok(a)) {
                return Some(*a);
            }
        }
        return Some(w);
    }
    near.into_iter().find(ok)
}

/// "Iranian-backed", "U.S.-led", "al-Qaida-linked": a hyphenated word whose
/// last part is a lower-case participle (a parser may tag it a name; a name
/// such as "al-Hamed" ends in a capital part).
pub(super) fn backed_adjective(form: &str) -> bool {
    form.rsplit_once('-').is_some_and(|(_, last)| {
        last.len() > 2 && last.ends_with("ed") && last.chars().all(|c| c.is_ascii_lowercase())
    })
}

/// Whether word `w` may head an argument of the role.
pub fn allows(g: &Graph, role: &Role, w: usize, classes: &Classes) -> bool {
    // A date is the event's time, never a participant or a place.
    if g.time(w).is_some() {
        return false;
    }
    // "Iranian-backed attacks": who backs an attack is not who makes it, and
    // an "-led", "-linked" or "-based" adjective names no participant.
    if backed_adjective(g.form(w)) {
        return false;
    }
    if let Some(e) = g.entity(w) {
        if role.entities.iter().any(|l| l == &e.label) {
            return true;
        }
    }
    let in_class = role.classes.iter().any(|c| in_class(g, w, c, classes));
    let noun = matches!(g.upos(w), "NOUN" | "PROPN" | "NUM" | "X");
    (in_class && noun) || role.upos.iter().any(|u| u == g.upos(w))
}

/// Whether word `w` is in the rule file's noun class `class`, by its lemma
/// or, where the parser's lemma is odd ("gendarm"), by its form.
pub(super) fn in_class(g: &Graph, w: usize, class: &str, classes: &Classes) -> bool {
    let form = g.form(w).to_lowercase();
    classes
        .get(class)
        .is_some_and(|set| set.contains(g.lemma(w)) || set.contains(&form))
}

/// The argument headed by `head`: its noun phrase, and for a pronoun what
/// it refers to when clear.
fn argument(g: &Graph, role: &str, head: usize, skip: &[usize], classes: &Classes) -> Argument {
    Argument {
        role: role.to_string(),
        span: phrase::argument_phrase(g, head, skip),
        canonical: None,
        value: None,
        head: Some(g.span(head)),
        antecedent: pronouns::antecedent(g, head, classes),
    }
}
