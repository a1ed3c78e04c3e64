//! A sentence's parse as a graph the rules walk.
//!
//! The parse stores each word's head; rules walk both ways, so the dependents
//! of every word are listed once here. [`Graph::args`] adds the dependents
//! that UD leaves implicit but that an event needs: the shared subject of
//! coordinated verbs ("gunmen shot and killed"), the controlled subject of an
//! `xcomp` ("threatened to strike"), the subject of a participial `advcl`
//! ("..., killing two soldiers") and the noun a participle or relative clause
//! modifies ("soldiers killed in the blast", "the strike that killed").

use crate::document::{Document, Entity, Span, TimeExpr, WordSyntax};

/// Relative pronouns: a relative clause's subject or object that stands
/// for the noun the clause modifies.
const RELATIVE: [&str; 4] = ["that", "which", "who", "whom"];

/// The entity mentions and time expressions of each sentence of a document,
/// found once per document so that looking up a word's is cheap (the
/// engine stays linear in the document's length).
pub struct Mentions {
    /// Per sentence, indices into `Document::entities`.
    pub entities: Vec<Vec<usize>>,
    /// Per sentence, indices into `Document::times`.
    pub times: Vec<Vec<usize>>,
}

impl Mentions {
    pub fn new(doc: &Document) -> Mentions {
        let n = doc.sentences.len();
        let mut entities = vec![Vec::new(); n];
        for (k, e) in doc.entities.iter().enumerate() {
            if let Some(list) = entities.get_mut(e.sentence) {
                list.push(k);
            }
        }
        let mut times = vec![Vec::new(); n];
        for (k, t) in doc.times.iter().enumerate() {
            // Sentences are in text order: the last one starting before the time.
            let s = doc
                .sentences
                .partition_point(|s| s.span.start <= t.span.start);
            if s > 0 && doc.sentences[s - 1].span.overlaps(&t.span) {
                times[s - 1].push(k);
            }
        }
        Mentions { entities, times }
    }
}

pub struct Graph<'a> {
    pub doc: &'a Document,
    pub mentions: &'a Mentions,
    pub sentence: usize,
    words: &'a [WordSyntax],
    spans: Vec<Span>,
    children: Vec<Vec<usize>>,
    lemmas: Vec<String>,
    /// Each word's relation, as the parser gave it but for repairs
    /// ([`repaired_rels`]).
    rels: Vec<&'a str>,
}

impl<'a> Graph<'a> {
    /// The parse of sentence `s`, or `None` when it has none (or one that
    /// does not fit its words, which a rule must not walk).
    pub fn new(doc: &'a Document, mentions: &'a Mentions, s: usize) -> Option<Graph<'a>> {
        let sentence = doc.sentences.get(s)?;
        let words = &sentence.syntax[..];
        let n = words.len();
        if n == 0 || n != sentence.tokens.len() || words.iter().any(|w| w.head > n) {
            return None;
        }
        let mut children = vec![Vec::new(); n];
        for (i, w) in words.iter().enumerate() {
            if w.head > 0 && w.head - 1 != i {
                children[w.head - 1].push(i);
            }
        }
        let lemmas: Vec<String> = words.iter().map(|w| w.lemma.to_lowercase()).collect();
        let rels = repaired_rels(words, &children, &lemmas);
        Some(Graph {
            doc,
            mentions,
            sentence: s,
            words,
            spans: sentence.tokens.iter().map(|t| t.span).collect(),
            children,
            lemmas,
            rels,
        })
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn head(&self, i: usize) -> Option<usize> {
        let h = self.words[i].head;
        (h > 0 && h - 1 != i).then(|| h - 1)
    }

    pub fn rel(&self, i: usize) -> &str {
        self.rels[i]
    }

    /// The lemma, lowercased.
    pub fn lemma(&self, i: usize) -> &str {
        &self.lemmas[i]
    }

    pub fn upos(&self, i: usize) -> &str {
        &self.words[i].upos
    }

    pub fn xpos(&self, i: usize) -> &str {
        &self.words[i].xpos
    }

    /// Whether a morphological feature is set (`Tense=Pres`).
    pub fn feat(&self, i: usize, feat: &str) -> bool {
        self.words[i].feats.split('|').any(|f| f == feat)
    }

    pub fn form(&self, i: usize) -> &str {
        self.doc.slice(self.spans[i])
    }

    pub fn span(&self, i: usize) -> Span {
        self.spans[i]
    }

    pub fn children(&self, i: usize) -> &[usize] {
        &self.children[i]
    }

    /// Direct dependents with exactly this relation.
    pub fn deps<'s>(&'s self, i: usize, rel: &'s str) -> impl Iterator<Item = usize> + 's {
        self.children[i]
            .iter()
            .copied()
            .filter(move |&c| self.rel(c) == rel)
    }

    /// Whether a direct dependent with this relation has one of `lemmas`.
    pub fn has_dep(&self, i: usize, rel: &str, lemmas: &[String]) -> bool {
        self.deps(i, rel)
            .any(|c| lemmas.iter().any(|l| l == self.lemma(c)))
    }

    /// The lemmas of a nominal's prepositions (`case`), and of `fixed`
    /// words that complete them ("because of"). An English preposition
    /// comes before its noun: a `case` after it is a misattached one ("the
    /// assault on the United States by extremists" with "by" under
    /// "States"), and would make the target the attacker.
    pub fn cases(&self, i: usize) -> Vec<&str> {
        self.deps(i, "case")
            .filter(|&c| c < i)
            .map(|c| self.lemma(c))
            .collect()
    }

    pub fn is_verbal(&self, i: usize) -> bool {
        matches!(self.upos(i), "VERB" | "AUX")
    }

    pub fn is_relative_pronoun(&self, i: usize) -> bool {
        self.upos(i) == "PRON"
            && (self.feat(i, "PronType=Rel") || RELATIVE.contains(&self.lemma(i)))
            && self.head(i).is_some_and(|h| self.rel(h) == "acl:relcl")
    }

    /// The entity mention the word lies in.
    pub fn entity(&self, i: usize) -> Option<&'a Entity> {
        let span = self.spans[i];
        self.mentions.entities[self.sentence]
            .iter()
            .map(|&k| &self.doc.entities[k])
            .find(|e| e.span.contains(&span))
    }

    /// The time expression the word lies in.
    pub fn time(&self, i: usize) -> Option<&'a TimeExpr> {
        let span = self.spans[i];
        self.mentions.times[self.sentence]
            .iter()
            .map(|&k| &self.doc.times[k])
            .find(|t| t.span.overlaps(&span))
    }

    /// Dependents with relation `rel`, with the implicit ones UD leaves to
    /// the reader (see the module documentation).
    pub fn args(&self, i: usize, rel: &str) -> Vec<usize> {
        let mut found: Vec<usize> = self.deps(i, rel).collect();
        for f in found.iter_mut() {
            if self.is_relative_pronoun(*f) {
                *f = self.head(i).unwrap_or(*f);
            }
        }
        if found.is_empty() {
            found = self.implicit(i, rel);
        }
        found
    }

    /// The implicit dependent `rel` of `i`, from its head (see [`Graph::args`]).
    fn implicit(&self, i: usize, rel: &str) -> Vec<usize> {
        // The root has no head, but may share its object with a conjunct.
        let Some(h) = self.head(i) else {
            return if rel == "obj" {
                self.object_from_conjunct(i)
            } else {
                Vec::new()
            };
        };
        let subject = rel == "nsubj" || rel == "nsubj:pass";
        match self.rel(i) {
            // "left Iraq in 2011, but thousands were sent back": a conjunct
            // with a subject of its own (active or passive) shares none.
            "conj" if self.is_verbal(h) && subject => {
                if self.has_own_subject(i) {
                    Vec::new()
                } else {
                    self.args(h, rel)
                }
            }
            // "shot and killed two officers": the shared object hangs on the
            // first verb, after the second.
            "conj" if self.is_verbal(h) && rel == "obj" => {
                self.args(h, rel).into_iter().filter(|&o| o > i).collect()
            }
            // "showed the officer shooting X", "ordered troops to attack": the
            // complement's subject is its head's object when there is one,
            // else its head's subject ("vowed to attack").
            "xcomp" if rel == "nsubj" => {
                let object: Vec<usize> = self.deps(h, "obj").collect();
                if object.is_empty() {
                    self.args(h, "nsubj")
                } else {
                    object
                }
            }
            // "..., killing two", "accused of shooting X", "after storming the
            // town": a participle or gerund shares its head's subject.
            // A clause with a subject of its own shares none ("two soldiers
            // were killed when their convoy was ambushed": the soldiers did
            // not ambush).
            "advcl" if rel == "nsubj" && self.has_own_subject(i) => Vec::new(),
            "advcl"
                if rel == "nsubj"
                    && (self.xpos(i) == "VBG" || self.deps(i, "mark").next().is_none()) =>
            {
                let subject = self.args(h, "nsubj");
                if subject.is_empty() {
                    self.args(h, "nsubj:pass")
                } else {
                    subject
                }
            }
            "acl" if subject => self.subject_of_noun_clause(i, h, rel),
            _ if rel == "obj" => self.object_from_conjunct(i),
            _ => Vec::new(),
        }
    }

    /// Whether clause `i` has a subject of its own, active or passive.
    fn has_own_subject(&self, i: usize) -> bool {
        self.deps(i, "nsubj")
            .chain(self.deps(i, "nsubj:pass"))
            .next()
            .is_some()
    }

    /// The implicit subject `rel` (`nsubj` or `nsubj:pass`) of `i`, a clause
    /// hung on the noun `h` by `acl`: the noun itself, when the clause's form
    /// says it is that kind of subject.
    fn subject_of_noun_clause(&self, i: usize, h: usize, rel: &str) -> Vec<usize> {
        let active = rel == "nsubj";
        let is = match self.xpos(i) {
            // "soldiers killed in the blast": the noun is the participle's
            // passive subject; but one with an object is active, a finite
            // verb misread as a participle ("gunmen kidnapped and later
            // killed a councillor").
            "VBN" => {
                let has_object = !self.args(i, "obj").is_empty();
                active == has_object
            }
            // "soldiers arriving in the city".
            "VBG" => active,
            // "the first troops to arrive", "combatants to arrive at the
            // camp": an infinitive on a noun has it as subject. The roles'
            // classes keep out "a plan to attack", "efforts to arrest".
            "VB" => active && self.deps(i, "mark").any(|m| self.lemma(m) == "to"),
            // A finite verb hung on a noun as its modifier ("after the two
            // heads of government talked by phone") is that noun's predicate,
            // unless the noun is already another verb's subject or object and
            // the verb has no object: then it is a past participle tagged as
            // a past tense ("soldiers killed in the blast were buried").
            "VBD" => {
                let taken = matches!(self.rel(h), "nsubj" | "nsubj:pass" | "obj" | "iobj");
                let passive = taken && self.args(i, "obj").is_empty();
                passive != active
            }
            _ => false,
        };
        if is {
            vec![h]
        } else {
            Vec::new()
        }
    }

    /// "gunmen shot and killed X" parsed with X on "killed": X is the object
    /// of "shot" too, when "killed" has no subject of its own.
    fn object_from_conjunct(&self, i: usize) -> Vec<usize> {
        self.deps(i, "conj")
            .filter(|&c| self.is_verbal(c) && self.deps(c, "nsubj").next().is_none())
            .flat_map(|c| self.deps(c, "obj").collect::<Vec<_>>())
            .collect()
    }

    /// The word and the words coordinated with it ("soldiers and police"),
    /// nominals only: each conjunct is an argument of its own.
    pub fn conjuncts(&self, i: usize) -> Vec<usize> {
        let mut out = vec![i];
        let mut k = 0;
        while k < out.len() {
            let w = out[k];
            for c in self.deps(w, "conj") {
                if !self.is_verbal(c) && !out.contains(&c) {
                    out.push(c);
                }
            }
            k += 1;
        }
        out
    }

    /// The verb whose clause the word is in: the word itself for a verb,
    /// else the nearest verbal head (a nominal trigger's governing verb).
    pub fn clause_verb(&self, i: usize) -> usize {
        let mut w = i;
        for _ in 0..self.len() {
            if self.is_verbal(w) || self.deps(w, "cop").next().is_some() {
                return w;
            }
            match self.head(w) {
                Some(h) => w = h,
                None => return w,
            }
        }
        w
    }
}

/// Each word's relation, repaired where the parse contradicts itself or
/// English:
/// - "killed at least 20 people", "up to 30", "as many as 30": the parser
///   takes the quantifier for a preposition and makes the object an oblique
///   (even a passive agent, and the subject a passive one: "Police arrested
///   at least 40 protesters"). A noun after its verb, with no preposition of
///   its own and a quantifier on its number, is the object.
/// - A passive agent (`obl:agent`) is always introduced by "by": one with
///   another preposition ("found dead near Pirot") is an oblique, a place or
///   time rather than who did it.
/// - "Two soldiers were killed and five wounded": the number before the
///   elided predicate is its subject (the parser makes it an oblique).
/// - A passive subject of a verb with an object and no passive auxiliary is
///   the subject of an active verb.
fn repaired_rels<'w>(
    words: &'w [WordSyntax],
    children: &[Vec<usize>],
    lemmas: &[String],
) -> Vec<&'w str> {
    let has = |i: usize, rel: &str, lemma: &[&str]| {
        children[i].iter().any(|&c| {
            words[c].deprel == rel && (lemma.is_empty() || lemma.contains(&lemmas[c].as_str()))
        })
    };
    // The head word of a quantifier on the noun's number: "at least", "at
    // most", "up to", "as many as", "more/fewer/less than".
    let quantifier = |i: usize| {
        children[i]
            .iter()
            .filter(|&&n| words[n].deprel == "nummod")
            .flat_map(|&n| children[n].iter().copied())
            .find(|&q| {
                matches!(
                    lemmas[q].as_str(),
                    "least" | "most" | "up" | "as" | "many" | "more" | "fewer" | "less"
                )
            })
    };
    // No preposition of its own, but for the "at" of "at least" or "at
    // most" the parser may hang on the noun.
    let bare = |i: usize, q: usize| {
        children[i].iter().all(|&c| {
            words[c].deprel != "case"
                || (lemmas[c] == "at" && matches!(lemmas[q].as_str(), "least" | "most"))
        })
    };
    let mut rels: Vec<&str> = words.iter().map(|w| w.deprel.as_str()).collect();
    for (i, w) in words.iter().enumerate() {
        let head = w.head.wrapping_sub(1);
        let after_verb = w.head > 0 && head < i && words[head].upos == "VERB";
        let quantified = quantifier(i).is_some_and(|q| bare(i, q));
        if matches!(rels[i], "obl" | "obl:agent") && after_verb && quantified {
            rels[i] = "obj";
        } else if rels[i] == "obl:agent" && !has(i, "case", &["by"]) {
            rels[i] = "obl";
        }
    }
    // "Two soldiers were killed and five wounded": the number before an
    // elided "were wounded" is its subject, not an oblique.
    for (i, w) in words.iter().enumerate() {
        let head = w.head.wrapping_sub(1);
        let elided = w.head > 0
            && i < head
            && w.upos == "NUM"
            && rels[i] == "obl:unmarked"
            && words[head].deprel == "conj"
            && (words[head].upos == "ADJ" || words[head].xpos == "VBN")
            && !has(head, "nsubj", &[])
            && !has(head, "nsubj:pass", &[]);
        if elided {
            rels[i] = if words[head].upos == "ADJ" {
                "nsubj"
            } else {
                "nsubj:pass"
            };
        }
    }
    for (i, w) in words.iter().enumerate() {
        let head = w.head.wrapping_sub(1);
        if rels[i] == "nsubj:pass" && w.head > 0 && !has(head, "aux:pass", &[]) {
            let object = children[head].iter().any(|&c| rels[c] == "obj");
            if object {
                rels[i] = "nsubj";
            }
        }
    }
    rels
}
