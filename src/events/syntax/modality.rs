//! Event semantics: whether the text says the event happened (modality) and
//! whether it is one occurrence or a kind of event (genericity).
//!
//! Both are read off the trigger's clause: negation and modal auxiliaries on
//! the trigger or on the verb that governs a nominal trigger ("no arrests
//! were made", "could attack"), and verbs of planning or threatening that
//! take the event as their complement ("threatened to strike"). The words
//! are data ([`ModalityWords`], in the rule file).

use super::graph::Graph;
use crate::document::{Argument, Genericity, Modality};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModalityWords {
    /// `advmod` lemmas that negate their verb ("not", "never").
    #[serde(default)]
    pub negation: Vec<String>,
    /// Determiners that negate their noun ("no arrests").
    #[serde(default)]
    pub negative_determiners: Vec<String>,
    /// Auxiliaries of the future ("will").
    #[serde(default)]
    pub future_aux: Vec<String>,
    /// Auxiliaries of possibility ("could", "would", "may", "might").
    #[serde(default)]
    pub hypothetical_aux: Vec<String>,
    /// Verbs whose complement (`xcomp`, or object for a nominal trigger) is
    /// planned ("plan", "intend", "prepare").
    #[serde(default)]
    pub future_heads: Vec<String>,
    /// Verbs and nouns whose complement is threatened, wanted or feared
    /// ("threaten", "want", "vow", "fear", "threat").
    #[serde(default)]
    pub hypothetical_heads: Vec<String>,
    /// Verbs of denial whose clausal complement the source says did not
    /// happen ("denied that its forces had shelled the village", "denied
    /// carrying out the attack").
    #[serde(default)]
    pub denial_heads: Vec<String>,
    /// Subordinators of a condition ("if", "unless").
    #[serde(default)]
    pub conditions: Vec<String>,
    /// Light verbs whose object (or passive subject) is the event itself
    /// ("made no arrests", "could carry out attacks"): their negation and
    /// modals are the event's. Other verbs' are not ("could not confirm
    /// the attack" reports an attack).
    #[serde(default)]
    pub support_verbs: Vec<String>,
    /// Modifiers that put a nominal trigger in the future ("the planned
    /// meeting", "the upcoming summit"): the noun names an event to come.
    #[serde(default)]
    pub future_modifiers: Vec<String>,
    /// Modifiers that make a nominal trigger a possibility ("a possible
    /// attack", "potential strikes").
    #[serde(default)]
    pub hypothetical_modifiers: Vec<String>,
    /// Nouns of a trend or a proportion whose `nmod` is a set of events
    /// counted, not one event ("a jump of 50 percent in deaths from the
    /// virus"): such a trigger with no participant is generic ([`genericity`]).
    #[serde(default)]
    pub statistic_heads: Vec<String>,
    /// Adverbs of frequency that make an event a habit, not one occurrence
    /// ("militants sometimes throw grenades", "police usually make
    /// arrests"): on the trigger, or on the verb whose object it is.
    #[serde(default)]
    pub habitual: Vec<String>,
}

/// The modality of the event triggered by word `t`.
pub fn modality(g: &Graph, words: &ModalityWords, t: usize) -> Modality {
    let v = g.clause_verb(t);
    let support = v != t
        && matches!(g.rel(t), "obj" | "nsubj:pass")
        && words.support_verbs.iter().any(|l| l == g.lemma(v));
    let scope = if support { vec![t, v] } else { vec![t] };
    if scope
        .iter()
        .any(|&w| g.has_dep(w, "advmod", &words.negation))
        || g.has_dep(t, "det", &words.negative_determiners)
        || nobody_took_part(g, t)
    {
        return Modality::Negated;
    }
    let aux = |list: &[String]| {
        scope
            .iter()
            .any(|&w| g.has_dep(w, "aux", list) || g.has_dep(w, "aux:pass", list))
    };
    if aux(&words.hypothetical_aux) || conditional(g, words, t) {
        return Modality::Hypothetical;
    }
    if aux(&words.future_aux) || destined(g, t) {
        return Modality::Future;
    }
    if g.upos(t) == "NOUN" {
        let modified =
            |list: &[String]| g.has_dep(t, "amod", list) || g.has_dep(t, "compound", list);
        if modified(&words.hypothetical_modifiers) {
            return Modality::Hypothetical;
        }
        if modified(&words.future_modifiers) {
            return Modality::Future;
        }
    }
    // The event as the complement of a verb of planning, threatening or
    // denial; through its support verb ("vowed to carry out attacks",
    // "denied carrying out the attack").
    let anchor = if support { v } else { t };
    // "block them from leaving" is a complement like "prevent an attack". A
    // purpose clause ("gathered to protest", "is in London to meet") is
    // not: in news such events mostly happen as told.
    let complement = match g.rel(anchor) {
        "xcomp" | "obj" | "nmod" | "ccomp" | "acl" => true,
        "advcl" => g.deps(anchor, "mark").any(|c| g.lemma(c) == "from"),
        _ => false,
    };
    let governor = g.head(anchor).filter(|_| complement);
    if let Some(h) = governor {
        let clausal = matches!(g.rel(anchor), "ccomp" | "xcomp");
        if clausal && words.denial_heads.iter().any(|l| l == g.lemma(h)) {
            return Modality::Negated;
        }
        if words.future_heads.iter().any(|l| l == g.lemma(h)) {
            return Modality::Future;
        }
        if words.hypothetical_heads.iter().any(|l| l == g.lemma(h)) {
            return Modality::Hypothetical;
        }
    }
    Modality::Asserted
}

/// Whether the verb's subject or object says no one took part: "no one was
/// killed", "nobody was arrested", "gunmen killed no one".
fn nobody_took_part(g: &Graph, t: usize) -> bool {
    g.is_verbal(t)
        && g.children(t).iter().any(|&c| {
            matches!(g.rel(c), "nsubj" | "nsubj:pass" | "obj") && super::args::no_one(g, c)
        })
}

/// Whether the event is under a condition: the trigger, or a clause or
/// phrase it is part of, is introduced by "if" ("if attacks continue", "if
/// we see threats and attacks"), or its verb is the consequent of one ("if
/// caught, we are sending them to prison"). The walk up stops at an
/// adverbial or relative clause and at an oblique, which are no part of
/// the event.
fn conditional(g: &Graph, words: &ModalityWords, t: usize) -> bool {
    let condition = |w: usize| g.has_dep(w, "mark", &words.conditions);
    let mut w = t;
    for _ in 0..8 {
        if condition(w) || (g.is_verbal(w) && g.deps(w, "advcl").any(condition)) {
            return true;
        }
        let part = matches!(
            g.rel(w),
            "conj" | "obj" | "xcomp" | "nmod" | "nsubj" | "nsubj:pass"
        );
        match g.head(w) {
            Some(h) if part => w = h,
            _ => return false,
        }
    }
    false
}

/// Whether the trigger's clause is in the "be to" construction of a
/// scheduled event ("the meeting was to take place last week", "troops are
/// to attack at dawn"): the clause's verb has the infinitive marker and "be"
/// as its copula or auxiliary, and the trigger is that verb or its subject.
fn destined(g: &Graph, t: usize) -> bool {
    let v = g.clause_verb(t);
    let own = v == t || (g.head(t) == Some(v) && g.rel(t).starts_with("nsubj"));
    let be = |rel: &str| g.deps(v, rel).any(|c| g.lemma(c) == "be");
    own && g.deps(v, "mark").any(|c| g.lemma(c) == "to") && (be("cop") || be("aux"))
}

/// The genericity of the event triggered by `t`: a bare plural nominal
/// trigger that is the subject of a present-tense clause and has no time
/// ("terror attacks are rising") is a kind of event, not one event; so is a
/// bare nominal with no participant, place or time at all ("personal
/// attacks", "protests are a right", "fears of unrest"), unless its clause
/// tells of the past: "officers killed in clashes" speak of particular
/// clashes. A trigger with no participant counted by a trend or a
/// proportion ([`ModalityWords::statistic_heads`]: "a jump in deaths from
/// the virus") is generic whatever its clause says; "a spike in clashes
/// between the army and the rebels" counts particular clashes.
pub fn genericity(
    g: &Graph,
    words: &ModalityWords,
    t: usize,
    arguments: &[Argument],
) -> Genericity {
    let has_time = arguments.iter().any(|a| a.role == "Time");
    let has_args = !arguments.is_empty();
    let participants = arguments
        .iter()
        .any(|a| !matches!(a.role.as_str(), "Time" | "Place"));
    let counted = !participants
        && g.upos(t) == "NOUN"
        && g.rel(t) == "nmod"
        && g.head(t)
            .is_some_and(|h| words.statistic_heads.iter().any(|l| l == g.lemma(h)));
    if counted || habitual(g, words, t) {
        return Genericity::Generic;
    }
    let plural = g.xpos(t) == "NNS" || g.feat(t, "Number=Plur");
    let bare = !g
        .children(t)
        .iter()
        .any(|&c| matches!(g.rel(c), "det" | "nummod" | "nmod:poss" | "det:poss"));
    let subject = matches!(g.rel(t), "nsubj" | "nsubj:pass");
    let present = g.head(t).is_some_and(|h| present_tense(g, h));
    let past = g.head(t).is_some_and(|_| past_tense(g, g.clause_verb(t)));
    let kind = (plural && subject && present) || (!has_args && !past);
    if g.upos(t) == "NOUN" && bare && kind && !has_time {
        Genericity::Generic
    } else {
        Genericity::Specific
    }
}

/// Whether the event is told as a habit: an adverb of frequency on the
/// trigger or, for a nominal trigger, on the verb whose object or passive
/// subject it is ("often carry out attacks"), or a time of "every" or
/// "each" ("marches every Sunday").
fn habitual(g: &Graph, words: &ModalityWords, t: usize) -> bool {
    let v = g.clause_verb(t);
    let scope = if v != t && matches!(g.rel(t), "obj" | "nsubj:pass") {
        vec![t, v]
    } else {
        vec![t]
    };
    let every = |w: usize| {
        g.children(w).iter().any(|&c| {
            matches!(
                g.rel(c),
                "obl:tmod" | "obl:unmarked" | "obl:npmod" | "nmod:tmod"
            ) && g
                .deps(c, "det")
                .any(|d| matches!(g.lemma(d), "every" | "each"))
        })
    };
    scope
        .iter()
        .any(|&w| g.has_dep(w, "advmod", &words.habitual) || every(w))
}

/// Whether the trigger's clause is told in a past tense or the present
/// perfect ("withdrew in May", "has been held since May"): then a date the
/// time stage put after the article is its error, not an event to come.
pub fn told_as_past(g: &Graph, t: usize) -> bool {
    let v = g.clause_verb(t);
    past_tense(g, v) || g.deps(v, "aux").any(|a| g.lemma(a) == "have")
}

/// Whether a clause tells of the past: its verb or an auxiliary in the
/// simple past ("were killed"), or a past participle modifying a noun
/// ("officers killed in clashes"). A present perfect ("has focused on
/// personal attacks") may sum up a kind of event, and does not count.
fn past_tense(g: &Graph, v: usize) -> bool {
    let past = |w: usize| g.xpos(w) == "VBD";
    past(v)
        || g.children(v)
            .iter()
            .any(|&c| matches!(g.rel(c), "aux" | "aux:pass" | "cop") && past(c))
        || g.xpos(v) == "VBN" && matches!(g.rel(v), "acl" | "amod")
}

/// Whether a clause's verb, or its auxiliary or copula, is in the present.
fn present_tense(g: &Graph, v: usize) -> bool {
    let pres = |w: usize| matches!(g.xpos(w), "VBZ" | "VBP") || g.feat(w, "Tense=Pres");
    let finite = std::iter::once(v).chain(
        g.children(v)
            .iter()
            .copied()
            .filter(|&c| matches!(g.rel(c), "aux" | "aux:pass" | "cop")),
    );
    let mut any_past = false;
    let mut any_pres = false;
    for w in finite {
        any_past |= g.xpos(w) == "VBD" || g.feat(w, "Tense=Past") && g.xpos(w) != "VBN";
        any_pres |= pres(w);
    }
    any_pres && !any_past
}
