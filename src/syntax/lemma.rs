//! Lemmas as edit scripts (UDPipe style), so lemmatisation is classification.
//!
//! A script first fixes the casing of the form (keep, lower-case, or
//! capitalise), then strips characters from its end and appends a suffix:
//! "running" → strip 4, append "" → "run"; "was" → strip 3, append "be".
//! The scripts seen at least twice in training are the classes; a word whose
//! predicted script cannot apply (strips more than the form has) keeps its
//! form, and so do words of unseen scripts at training time (no loss).

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// How the form's casing is changed before the suffix edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Case {
    Keep,
    Lower,
    Capital,
}

impl Case {
    const ALL: [Case; 3] = [Case::Keep, Case::Lower, Case::Capital];

    fn code(self) -> char {
        match self {
            Case::Keep => 'k',
            Case::Lower => 'l',
            Case::Capital => 'c',
        }
    }

    fn from_code(c: char) -> Option<Case> {
        Case::ALL.into_iter().find(|k| k.code() == c)
    }

    fn apply(self, form: &str) -> String {
        match self {
            Case::Keep => form.to_string(),
            Case::Lower => form.to_lowercase(),
            Case::Capital => {
                let mut chars = form.chars();
                match chars.next() {
                    Some(first) => first
                        .to_uppercase()
                        .chain(chars.flat_map(char::to_lowercase))
                        .collect(),
                    None => String::new(),
                }
            }
        }
    }
}

/// One edit script, written as a class name `CASE|STRIP|APPEND`, e.g. `l|3|be`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Script {
    case: Case,
    strip: usize,
    append: String,
}

impl Script {
    /// The identity: the lemma is the form.
    pub fn identity() -> Script {
        Script {
            case: Case::Keep,
            strip: 0,
            append: String::new(),
        }
    }

    /// The shortest script turning `form` into `lemma`; on equal length,
    /// keeping the case wins over lower-casing over capitalising.
    pub fn learn(form: &str, lemma: &str) -> Script {
        let target: Vec<char> = lemma.chars().collect();
        Case::ALL
            .into_iter()
            .map(|case| {
                let cased: Vec<char> = case.apply(form).chars().collect();
                let common = cased
                    .iter()
                    .zip(&target)
                    .take_while(|(a, b)| a == b)
                    .count();
                Script {
                    case,
                    strip: cased.len() - common,
                    append: target[common..].iter().collect(),
                }
            })
            .min_by_key(|s| s.strip + s.append.chars().count())
            .expect("three cases")
    }

    /// The lemma of `form`; a script that strips more than the form has
    /// gives the form unchanged.
    pub fn apply(&self, form: &str) -> String {
        let cased: Vec<char> = self.case.apply(form).chars().collect();
        if self.strip > cased.len() {
            return form.to_string();
        }
        let mut out: String = cased[..cased.len() - self.strip].iter().collect();
        out.push_str(&self.append);
        if out.is_empty() {
            form.to_string()
        } else {
            out
        }
    }

    pub fn name(&self) -> String {
        format!("{}|{}|{}", self.case.code(), self.strip, self.append)
    }

    pub fn from_name(name: &str) -> Option<Script> {
        let mut parts = name.splitn(3, '|');
        let case = Case::from_code(parts.next()?.chars().next()?)?;
        let strip = parts.next()?.parse().ok()?;
        let append = parts.next()?.to_string();
        Some(Script {
            case,
            strip,
            append,
        })
    }
}

/// The script classes of a model, most frequent first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scripts {
    pub names: Vec<String>,
    #[serde(skip)]
    scripts: Vec<Script>,
    #[serde(skip)]
    index: HashMap<String, usize>,
}

impl Scripts {
    /// The scripts of (form, lemma) pairs seen at least `min_count` times;
    /// the identity is always class 0.
    pub fn learn<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>, min_count: usize) -> Scripts {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for (form, lemma) in pairs {
            *counts.entry(Script::learn(form, lemma).name()).or_default() += 1;
        }
        let identity = Script::identity().name();
        let mut names: Vec<(String, usize)> = counts
            .into_iter()
            .filter(|(n, c)| *c >= min_count && *n != identity)
            .collect();
        names.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut all = vec![identity];
        all.extend(names.into_iter().map(|(n, _)| n));
        Scripts::from_names(all)
    }

    /// Rebuilds the classes from their names (as stored in a model config);
    /// unparsable names become the identity.
    pub fn from_names(names: Vec<String>) -> Scripts {
        let scripts = names
            .iter()
            .map(|n| Script::from_name(n).unwrap_or_else(Script::identity))
            .collect();
        let index = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        Scripts {
            names,
            scripts,
            index,
        }
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The class that turns `form` into `lemma`, if it is one of ours.
    pub fn class_of(&self, form: &str, lemma: &str) -> Option<usize> {
        self.index.get(&Script::learn(form, lemma).name()).copied()
    }

    pub fn apply(&self, class: usize, form: &str) -> String {
        self.scripts
            .get(class)
            .map(|s| s.apply(form))
            .unwrap_or_else(|| form.to_string())
    }
}

/// The lemmas of training words by (form, UPOS): for each pair its most
/// frequent lemma. Nine in ten dev words are such a pair, and for them the
/// lexicon is right 99.7% of the time (with gold UPOS); scripts handle the
/// rest. Stored next to the model as `lexicon.tsv` (form, UPOS, lemma).
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    map: HashMap<(String, String), String>,
    /// Every lemma of the lexicon, lower-cased: what a guessed lemma is
    /// checked against.
    lemmas: HashSet<String>,
}

impl Lexicon {
    /// From (form, UPOS, lemma) triples; ties go to the alphabetically first lemma.
    pub fn learn<'a>(words: impl Iterator<Item = (&'a str, &'a str, &'a str)>) -> Lexicon {
        let mut counts: HashMap<(&str, &str), HashMap<&str, usize>> = HashMap::new();
        for (form, upos, lemma) in words {
            *counts
                .entry((form, upos))
                .or_default()
                .entry(lemma)
                .or_default() += 1;
        }
        let map = counts
            .into_iter()
            .map(|((form, upos), lemmas)| {
                let best = lemmas
                    .into_iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
                    .expect("at least one lemma")
                    .0;
                ((form.to_string(), upos.to_string()), best.to_string())
            })
            .collect();
        Lexicon::with_lemmas(map)
    }

    fn with_lemmas(map: HashMap<(String, String), String>) -> Lexicon {
        let lemmas = map.values().map(|l| l.to_lowercase()).collect();
        Lexicon { map, lemmas }
    }

    /// Whether `lemma` (lower-case) is the lemma of some training word.
    pub fn is_lemma(&self, lemma: &str) -> bool {
        self.lemmas.contains(lemma)
    }

    pub fn get(&self, form: &str, upos: &str) -> Option<&str> {
        self.map
            .get(&(form.to_string(), upos.to_string()))
            .map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// One `form TAB upos TAB lemma` line per entry, sorted.
    pub fn to_tsv(&self) -> String {
        let mut lines: Vec<String> = self
            .map
            .iter()
            .map(|((f, u), l)| format!("{f}\t{u}\t{l}\n"))
            .collect();
        lines.sort();
        lines.concat()
    }

    /// Reads [`Lexicon::to_tsv`] output; lines without three fields are skipped.
    pub fn from_tsv(text: &str) -> Lexicon {
        let map = text
            .lines()
            .filter_map(|line| {
                let mut cols = line.split('\t');
                let (f, u, l) = (cols.next()?, cols.next()?, cols.next()?);
                Some(((f.to_string(), u.to_string()), l.to_string()))
            })
            .collect();
        Lexicon::with_lemmas(map)
    }
}

/// English irregular verb forms → base form, from `irregular_verbs.txt`.
/// Base forms keep themselves ("lay" stays "lay", not "lie").
fn irregular_verbs() -> &'static HashMap<String, String> {
    static TABLE: OnceLock<HashMap<String, String>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut map = HashMap::new();
        let rows = include_str!("irregular_verbs.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .filter(|cols| cols.len() == 3);
        let rows: Vec<Vec<&str>> = rows.collect();
        for cols in &rows {
            map.insert(cols[0].to_string(), cols[0].to_string());
        }
        for cols in &rows {
            for form in cols[1..].iter().flat_map(|c| c.split('/')) {
                map.entry(form.to_string())
                    .or_insert_with(|| cols[0].to_string());
            }
        }
        map
    })
}

/// Lemmas of predicted words: the lexicon for known (form, UPOS) pairs (as
/// written, then lower-cased for a capital at the start of a sentence), then
/// the irregular verbs of English, else the predicted script. A predicted
/// script is what goes wrong on rare verbs ("fled" → "fl"), and event rules
/// look triggers up by lemma.
#[derive(Debug, Clone)]
pub struct Lemmatizer {
    pub scripts: Scripts,
    pub lexicon: Lexicon,
}

impl Lemmatizer {
    /// The lemma given `script`, the predicted edit script.
    pub fn lemma(&self, form: &str, upos: &str, script: usize) -> String {
        self.known(form, upos)
            .unwrap_or_else(|| self.guess(form, upos, script))
    }

    /// The lemma from the lexicon or the irregular verbs, which need no
    /// script: `None` for a word they lack.
    pub fn known(&self, form: &str, upos: &str) -> Option<String> {
        if let Some(lemma) = self.lexicon.get(form, upos) {
            return Some(lemma.to_string());
        }
        let lower = form.to_lowercase();
        if upos != "PROPN" && lower != form {
            if let Some(lemma) = self.lexicon.get(&lower, upos) {
                return Some(lemma.to_string());
            }
        }
        if upos == "VERB" || upos == "AUX" {
            return irregular_verbs().get(&lower).cloned();
        }
        None
    }

    /// The lemma of a word [`Lemmatizer::known`] lacks, from its script.
    pub fn guess(&self, form: &str, upos: &str, script: usize) -> String {
        let lower = form.to_lowercase();
        let guess = self.scripts.apply(script, form);
        if !matches!(upos, "VERB" | "NOUN") || self.lexicon.is_lemma(&guess.to_lowercase()) {
            return guess;
        }
        // An unseen word whose guessed lemma is no known lemma: a regular
        // inflection that gives a known one ("injuring" → "injure", not
        // "injur"), else no "e" the spelling cannot have ("wounding" →
        // "wound", not "wounde").
        let stems = regular_stems(&lower);
        if let Some(known) = stems.iter().find(|c| self.lexicon.is_lemma(c)) {
            return known.clone();
        }
        match guess.strip_suffix('e') {
            Some(stem)
                if stems.iter().any(|c| c == stem)
                    && NO_FINAL_E.iter().any(|x| stem.ends_with(x)) =>
            {
                stem.to_string()
            }
            _ => guess,
        }
    }
}

/// Consonant clusters after which English spells no silent "e": a stem
/// ending so is its own lemma ("wound", "bomb", "attack").
const NO_FINAL_E: [&str; 22] = [
    "nd", "mb", "ld", "rd", "nt", "ll", "ss", "ck", "sh", "rk", "rm", "rn", "lk", "lp", "mp", "ft",
    "pt", "ct", "xt", "wn", "nk", "rt",
];

/// The lemmas a regular inflection of `lower` may come from, most likely
/// first: "injuring" → injur, injure; "shelled" → shell, shelle, shel;
/// "attacks" → attack.
fn regular_stems(lower: &str) -> Vec<String> {
    let undouble = |s: &str| {
        let b = s.as_bytes();
        (b.len() > 2 && b[b.len() - 1] == b[b.len() - 2]).then(|| s[..s.len() - 1].to_string())
    };
    let mut out = Vec::new();
    for suffix in ["ing", "ed"] {
        if let Some(stem) = lower.strip_suffix(suffix).filter(|s| s.len() > 2) {
            out.push(stem.to_string());
            out.push(format!("{stem}e"));
            out.extend(undouble(stem));
        }
    }
    if let Some(stem) = lower.strip_suffix("ied") {
        out.push(format!("{stem}y"));
    }
    if let Some(stem) = lower.strip_suffix("ies") {
        out.push(format!("{stem}y"));
    }
    if let Some(stem) = lower.strip_suffix("es") {
        out.push(stem.to_string());
    }
    if let Some(stem) = lower.strip_suffix('s') {
        out.push(stem.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_turn_forms_into_lemmas() {
        for (form, lemma) in [
            ("running", "run"),
            ("was", "be"),
            ("The", "the"),
            ("AP", "AP"),
            ("jurists", "jurist"),
            ("making", "make"),
            ("n't", "not"),
            ("WAS", "be"),
            ("Better", "good"),
            ("Été", "été"),
        ] {
            let s = Script::learn(form, lemma);
            assert_eq!(s.apply(form), lemma, "{form} {}", s.name());
            assert_eq!(Script::from_name(&s.name()), Some(s));
        }
    }

    #[test]
    fn scripts_generalise_and_fail_safe() {
        let s = Script::learn("walked", "walk");
        assert_eq!(s.apply("jumped"), "jump");
        let s = Script::learn("running", "run");
        assert_eq!(s.apply("ab"), "ab");
        assert_eq!(Script::learn("The", "the").apply("A"), "a");
    }

    #[test]
    fn classes_keep_frequent_scripts_identity_first() {
        let pairs = [
            ("cats", "cat"),
            ("dogs", "dog"),
            ("mice", "mouse"),
            ("a", "a"),
        ];
        let s = Scripts::learn(pairs.into_iter(), 2);
        assert_eq!(s.names, ["k|0|", "k|1|"]);
        assert_eq!(s.class_of("hats", "hat"), Some(1));
        assert_eq!(s.class_of("mice", "mouse"), None);
        assert_eq!(s.apply(1, "hats"), "hat");
        let back = Scripts::from_names(s.names.clone());
        assert_eq!(back.apply(1, "hats"), "hat");
    }

    /// A guessed lemma that no training word has is checked against the
    /// regular inflections: the scripts that strip "ing" or strip it and
    /// add "e" are each right for some verbs and wrong for others.
    #[test]
    fn unknown_guesses_fall_back_to_regular_inflections() {
        let lexicon =
            Lexicon::learn([("injured", "VERB", "injure"), ("made", "VERB", "make")].into_iter());
        let l = Lemmatizer {
            scripts: Scripts::from_names(vec!["k|3|".into(), "k|3|e".into()]),
            lexicon,
        };
        assert_eq!(l.lemma("injuring", "VERB", 0), "injure", "a known lemma");
        assert_eq!(l.lemma("wounding", "VERB", 1), "wound", "no 'e' after 'nd'");
        assert_eq!(l.lemma("making", "VERB", 1), "make", "a known guess stays");
        assert_eq!(
            l.lemma("pasting", "VERB", 1),
            "paste",
            "'st' may take an 'e'"
        );
        assert_eq!(
            l.lemma("Bolting", "PROPN", 0),
            "Bolt",
            "names are not checked"
        );
    }

    #[test]
    fn lexicon_prefers_frequent_lemmas_and_round_trips() {
        let words = [
            ("her", "PRON", "she"),
            ("her", "PRON", "she"),
            ("her", "PRON", "her"),
            ("saw", "VERB", "see"),
            ("saw", "NOUN", "saw"),
        ];
        let lex = Lexicon::learn(words.into_iter());
        assert_eq!(lex.get("her", "PRON"), Some("she"));
        assert_eq!(lex.get("saw", "NOUN"), Some("saw"));
        assert_eq!(lex.get("seen", "VERB"), None);
        let back = Lexicon::from_tsv(&lex.to_tsv());
        assert_eq!(back.to_tsv(), lex.to_tsv());
        let l = Lemmatizer {
            scripts: Scripts::from_names(vec!["k|0|".into(), "k|1|".into()]),
            lexicon: back,
        };
        assert_eq!(l.lemma("saw", "VERB", 0), "see");
        assert_eq!(l.lemma("hats", "NOUN", 1), "hat");
        // A capital at the start of a sentence, then irregular verbs the
        // training words never showed; a verb base form stays itself.
        assert_eq!(l.lemma("Saw", "VERB", 0), "see");
        assert_eq!(l.lemma("Fled", "VERB", 1), "flee");
        assert_eq!(l.lemma("withdrew", "VERB", 1), "withdraw");
        assert_eq!(l.lemma("lay", "VERB", 1), "lay");
        assert_eq!(l.lemma("fled", "NOUN", 1), "fle");
    }
}
