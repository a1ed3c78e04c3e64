//! Property tests ("fuzzing") of the text stages: whatever the text, cleaning,
//! sentence splitting, time, events and actor resolution must not panic, and
//! every span they produce must lie inside the text on character boundaries.
//! HTML extraction gets tag soup. Inputs are built from pieces that stress the
//! rules (abbreviations, initials, dates, numbers, quotes, control and bidi
//! characters, CRLF, long tokens) mixed with arbitrary Unicode.
//!
//! The events stage reads the parse, and the parser is a model: here every
//! sentence gets a parse drawn at random from a seed proptest picks: a tree
//! with one root, as the parser's decoder always gives, with random
//! relations and tags, and lemmas that are often the rules' own trigger
//! lemmas. The hand-checked
//! parses of the rule examples, perturbed at random, put the rules' paths to
//! work on parses close to real ones.
//!
//! proptest records every failing input it finds in `tests/fuzz.proptest-regressions`
//! and replays those first on every run: that file is the corpus of crashers,
//! kept as regression tests. `tests/corpus/` holds hand-made hostile inputs that
//! run through the same checks.

use casefile::clean::{BoilerplateRules, Cleaner};
use casefile::document::{Document, Span, WordSyntax};
use casefile::events::syntax::{conllu, SyntaxEvents};
use casefile::resolve::ActorRules;
use casefile::rng::Rng;
use casefile::rules::RuleFile;
use casefile::segment::{Abbreviations, Segmenter};
use proptest::prelude::*;

struct Stages {
    cleaner: Cleaner,
    segmenter: Segmenter,
    events: SyntaxEvents,
    actors: ActorRules,
    /// The rules' trigger lemmas and their part of speech (`None`: a
    /// noun or a verb), for the random parses.
    triggers: Vec<(String, Option<String>)>,
}

fn stages() -> Stages {
    let events = SyntaxEvents::builtin();
    let triggers = events
        .rules
        .iter()
        .flat_map(|r| r.triggers.clone())
        .collect();
    Stages {
        cleaner: Cleaner::new(BoilerplateRules::builtin()),
        segmenter: Segmenter::new(Abbreviations::builtin()),
        events,
        actors: ActorRules::builtin(),
        triggers,
    }
}

/// Picks one of `xs` with the seeded generator, so that a parse is a
/// function of the seed proptest draws and shrinks.
trait Pick {
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str;
}

impl Pick for Rng {
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const RELATIONS: [&str; 36] = [
    "nsubj",
    "nsubj:pass",
    "obj",
    "iobj",
    "obl",
    "obl:agent",
    "obl:tmod",
    "obl:npmod",
    "nmod",
    "nmod:poss",
    "nmod:tmod",
    "amod",
    "nummod",
    "det",
    "case",
    "compound",
    "compound:prt",
    "conj",
    "cc",
    "advcl",
    "acl",
    "acl:relcl",
    "xcomp",
    "ccomp",
    "aux",
    "aux:pass",
    "cop",
    "mark",
    "advmod",
    "appos",
    "flat",
    "punct",
    "dep",
    "parataxis",
    "fixed",
    "expl",
];
/// The relations between a trigger and its arguments, drawn half the time.
const ARGUMENT_RELATIONS: [&str; 9] = [
    "nsubj",
    "nsubj:pass",
    "obj",
    "obl",
    "obl:agent",
    "nmod",
    "case",
    "compound",
    "nummod",
];
const UPOS: [&str; 15] = [
    "NOUN", "VERB", "PROPN", "ADJ", "ADP", "DET", "NUM", "PRON", "AUX", "ADV", "CCONJ", "SCONJ",
    "PART", "PUNCT", "X",
];
const XPOS: [&str; 16] = [
    "NN", "NNS", "NNP", "NNPS", "VBD", "VBN", "VBG", "VBZ", "VB", "IN", "DT", "CD", "PRP", "PRP$",
    "JJ", "RB",
];
const FEATS: [&str; 8] = [
    "_",
    "Number=Plur",
    "Number=Sing",
    "PronType=Rel",
    "Voice=Pass",
    "Polarity=Neg",
    "Tense=Past|VerbForm=Part",
    "NumType=Card",
];
/// Words the rules look for besides triggers: relative pronouns, negation
/// and modality, casualty bounds, pronouns, "be" and "by".
const WORDS: [&str; 22] = [
    "that", "which", "who", "not", "no", "may", "could", "least", "more", "than", "dozen",
    "dozens", "be", "by", "it", "its", "they", "their", "he", "deny", "say", "threaten",
];

/// A random word analysis: one of the rules' triggers, another word they
/// look for, or the form itself (a name when capitalised, as arguments
/// mostly are, else often a noun), with random tags.
fn random_word(st: &Stages, rng: &mut Rng, form: &str) -> WordSyntax {
    let (lemma, upos) = match rng.below(3) {
        0 => {
            let (lemma, upos) = &st.triggers[rng.below(st.triggers.len())];
            let upos = upos.as_deref().unwrap_or(rng.pick(&["NOUN", "VERB"]));
            (lemma.clone(), upos.to_string())
        }
        1 => (rng.pick(&WORDS).to_string(), rng.pick(&UPOS).to_string()),
        _ => {
            let upos = if form.chars().next().is_some_and(char::is_uppercase) {
                "PROPN"
            } else if rng.below(2) == 0 {
                "NOUN"
            } else {
                rng.pick(&UPOS)
            };
            (form.to_lowercase(), upos.to_string())
        }
    };
    WordSyntax {
        lemma,
        upos,
        xpos: rng.pick(&XPOS).into(),
        feats: rng.pick(&FEATS).into(),
        head: 0,
        deprel: if rng.below(2) == 0 {
            rng.pick(&ARGUMENT_RELATIONS)
        } else {
            rng.pick(&RELATIONS)
        }
        .into(),
    }
}

/// Gives every sentence a random parse: a tree with one root (word k+1
/// of a random order hangs from one of the words before it in that order).
fn random_parses(st: &Stages, doc: &mut Document, seed: u64) {
    let mut rng = Rng(seed);
    let text = doc.text.clone();
    for s in &mut doc.sentences {
        let n = s.tokens.len();
        let mut words: Vec<WordSyntax> = s
            .tokens
            .iter()
            .map(|t| random_word(st, &mut rng, &text[t.span.start..t.span.end]))
            .collect();
        let mut order: Vec<usize> = (1..=n).collect();
        for i in (1..n).rev() {
            order.swap(i, rng.below(i + 1));
        }
        for (k, &w) in order.iter().enumerate() {
            let word = &mut words[w - 1];
            if k == 0 {
                word.head = 0;
                word.deprel = "root".into();
            } else {
                word.head = order[rng.below(k)];
            }
        }
        s.syntax = words;
    }
}

/// Perturbs parses at random, keeping each a tree with one root: some
/// words hang from another word outside their own subtree, and some get
/// another relation, analysis or no entity.
fn perturb(st: &Stages, doc: &mut Document, seed: u64) {
    let mut rng = Rng(seed);
    let text = doc.text.clone();
    for s in &mut doc.sentences {
        let n = s.syntax.len();
        for w in 1..=n {
            match rng.below(8) {
                0 if s.syntax[w - 1].head != 0 => {
                    let h = 1 + rng.below(n);
                    // Walk up from h: if w is on the way, h is in w's subtree.
                    let mut up = h;
                    while up != 0 && up != w {
                        up = s.syntax[up - 1].head;
                    }
                    if up == 0 {
                        s.syntax[w - 1].head = h;
                    }
                }
                1 if s.syntax[w - 1].head != 0 => {
                    s.syntax[w - 1].deprel = rng.pick(&RELATIONS).into();
                }
                2 => {
                    let t = s.tokens[w - 1].span;
                    let head = s.syntax[w - 1].head;
                    let deprel = std::mem::take(&mut s.syntax[w - 1].deprel);
                    s.syntax[w - 1] = WordSyntax {
                        head,
                        deprel,
                        ..random_word(st, &mut rng, &text[t.start..t.end])
                    };
                }
                _ => {}
            }
        }
    }
    doc.entities.retain(|_| rng.below(5) != 0);
}

/// Runs the events stage (twice: the same events each time) and the resolve
/// stage on a parsed document, and checks every span they produce.
fn run_events(st: &Stages, doc: &mut Document) {
    let mut again = doc.clone();
    st.events.process(doc);
    st.events.process(&mut again);
    assert_eq!(doc.events, again.events, "the same document, other events");
    st.actors.process(doc);
    let text = &doc.text;
    for e in &doc.events {
        check_span(text, e.trigger, "trigger");
        let sentence = doc.sentences.get(e.sentence).expect("the event's sentence");
        assert!(
            sentence.span.contains(&e.trigger),
            "trigger outside its sentence"
        );
        for a in &e.arguments {
            check_span(text, a.span, "argument");
            for s in a.head.iter().chain(&a.antecedent) {
                check_span(text, *s, "argument head or antecedent");
            }
        }
    }
    for a in &doc.actors {
        check_span(text, a.first, "actor");
    }
}

fn check_span(text: &str, s: Span, what: &str) {
    assert!(
        s.start <= s.end && s.end <= text.len(),
        "{what} {s:?} outside the text"
    );
    assert!(
        text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
        "{what} {s:?} splits a character"
    );
}

/// Runs the text stages with entities made up from capitalised words and a
/// random parse from `seed` (the models are not what is under test here)
/// and checks every span.
fn run_text_stages(st: &Stages, text: &str, seed: u64) {
    let mut doc = Document::new("fuzz", text);
    st.cleaner.process(&mut doc);
    st.segmenter.process(&mut doc);
    for b in &doc.blocks {
        check_span(text, *b, "block");
    }
    let mut last_end = 0;
    for s in &doc.sentences {
        check_span(text, s.span, "sentence");
        assert!(
            s.span.start >= last_end,
            "sentences overlap or go backwards"
        );
        last_end = s.span.end;
        for t in &s.tokens {
            check_span(text, t.span, "token");
            assert!(s.span.contains(&t.span), "token outside its sentence");
        }
    }
    capitalised_entities(&mut doc);
    casefile::pipeline::time_stage(&mut doc);
    for t in &doc.times {
        check_span(text, t.span, "time");
    }
    random_parses(st, &mut doc, seed);
    run_events(st, &mut doc);
}

/// Entities as the NER stage might find them: every capitalised word, of a
/// type that depends on where it starts.
fn capitalised_entities(doc: &mut Document) {
    for (i, s) in doc.sentences.iter().enumerate() {
        for t in s.tokens.iter().filter(|t| {
            doc.text[t.span.start..t.span.end]
                .chars()
                .next()
                .is_some_and(char::is_uppercase)
        }) {
            doc.entities.push(casefile::document::Entity {
                span: t.span,
                label: ["PER", "LOC", "ORG", "MISC"][t.span.start % 4].into(),
                score: 0.9,
                sentence: i,
                actor: None,
            });
        }
    }
}

/// A document of the rule examples' hand-checked parses chosen by `picks`
/// (indices modulo their number), perturbed from `seed`, through the
/// events and resolve stages.
fn run_example_parses(st: &Stages, picks: &[usize], seed: u64) {
    let blocks = conllu::blocks(include_str!("../rules/events_syntax.examples.conllu"));
    let chosen: Vec<&str> = picks
        .iter()
        .map(|i| blocks[i % blocks.len()].as_str())
        .collect();
    let published = chrono::NaiveDate::from_ymd_opt(2024, 3, 15).unwrap();
    let mut doc = conllu::document("examples", &chosen, published).unwrap();
    perturb(st, &mut doc, seed);
    run_events(st, &mut doc);
}

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("U.S.".to_string()),
        Just("U .S.".to_string()),
        Just("Lt. Gen.".to_string()),
        Just("Maj Gen".to_string()),
        Just("Jan. 3".to_string()),
        Just("Feb. 8, 2024, 7:04 PM".to_string()),
        Just("Updated: February 08, 2024".to_string()),
        Just("the end of last month".to_string()),
        Just("two days after".to_string()),
        Just("Wednesday".to_string()),
        Just("drone strike killed".to_string()),
        Just("three US soldiers".to_string()),
        Just("was killed by".to_string()),
        Just("met in".to_string()),
        Just("READ ALSO:".to_string()),
        Just("Photo: AP".to_string()),
        Just("\"".to_string()),
        Just("\r\n".to_string()),
        Just("\n\n".to_string()),
        Just(".".to_string()),
        Just("\u{200b}".to_string()),
        Just("\u{202e}".to_string()),
        Just("\u{feff}".to_string()),
        Just("e\u{301}".to_string()),
        Just("🇮🇶".to_string()),
        "[A-Z][a-z]{0,8}",
        "[0-9]{1,6}",
        "\\PC{0,12}",
        "x{200,2000}",
    ]
}

fn article() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (piece(), prop_oneof![Just(" "), Just(""), Just("\n")]),
        0..60,
    )
    .prop_map(|parts| parts.into_iter().map(|(p, sep)| p + sep).collect())
}

fn tag_soup() -> impl Strategy<Value = String> {
    let bit = prop_oneof![
        Just("<div>".to_string()),
        Just("</div>".to_string()),
        Just("<p>".to_string()),
        Just("</p>".to_string()),
        Just("<b>".to_string()),
        Just("<script>var x = '</p>';</script>".to_string()),
        Just("<nav class=\"menu\">Home</nav>".to_string()),
        Just("<article>".to_string()),
        Just("<meta property=\"article:published_time\" content=\"2024-02-08\">".to_string()),
        Just("<title>T</title>".to_string()),
        Just("<!-- c -->".to_string()),
        Just("&amp;&nbsp;&#x1F600;&bogus;".to_string()),
        Just("1 < 2".to_string()),
        "[A-Za-z ,.]{0,80}",
        "\\PC{0,20}",
    ];
    prop::collection::vec(bit, 0..80).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn text_stages_never_panic_and_spans_stay_in_the_text(text in article(), seed in any::<u64>()) {
        run_text_stages(&stages(), &text, seed);
    }

    #[test]
    fn arbitrary_unicode_is_handled(text in "\\PC{0,400}", seed in any::<u64>()) {
        run_text_stages(&stages(), &text, seed);
    }

    #[test]
    fn perturbed_example_parses_give_events_inside_the_text(
        picks in prop::collection::vec(any::<usize>(), 1..8),
        seed in any::<u64>(),
    ) {
        run_example_parses(&stages(), &picks, seed);
    }

    #[test]
    fn html_extraction_never_panics(html in tag_soup(), seed in any::<u64>()) {
        // Whether script text shows depends on how HTML5 parses the soup
        // ("</<script>" opens a comment, not a script); src/ingest/html.rs
        // tests that on well-formed pages. Here: no panic, sane text.
        let out = casefile::ingest::html::extract(&html);
        prop_assert!(out.text.len() <= html.len() * 4 + 16);
        run_text_stages(&stages(), &out.text, seed);
    }
}

/// The hand-made hostile corpus: each file goes through the same checks, and
/// so do two large inputs built here rather than kept in the repository.
#[test]
fn hostile_corpus_files_pass_the_text_stages() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let st = stages();
    run_text_stages(&st, &"x".repeat(300_000), 0);
    let deep = format!(
        "{}<p>Deep text.</p>{}",
        "<div>".repeat(60_000),
        "</div>".repeat(60_000)
    );
    let out = casefile::ingest::html::extract(&deep);
    assert!(out.text.contains("Deep text."));
    run_text_stages(&st, &out.text, 0);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for seed in 0..4 {
            if path.extension().is_some_and(|e| e == "html") {
                let out = casefile::ingest::html::extract(&text);
                run_text_stages(&st, &out.text, seed);
            } else {
                run_text_stages(&st, &text, seed);
            }
        }
        n += 1;
    }
    assert!(n >= 3, "the corpus is in place");
}

/// The random parses are not a waste of the fuzzer's time: on them the
/// rules find events (arguments seldom: a role's path rarely fits a random
/// tree), and on the perturbed examples events with their arguments.
#[test]
fn random_and_perturbed_parses_give_events() {
    let st = stages();
    let text = "Gunmen killed two police officers near Tal Afar on Sunday. \
                Police arrested three men in Mosul after the attack. \
                Protesters marched in Baghdad, and the minister met them.";
    let (mut events, mut arguments) = (0, 0);
    for seed in 0..20 {
        let mut doc = Document::new("fuzz", text);
        st.cleaner.process(&mut doc);
        st.segmenter.process(&mut doc);
        capitalised_entities(&mut doc);
        casefile::pipeline::time_stage(&mut doc);
        random_parses(&st, &mut doc, seed);
        run_events(&st, &mut doc);
        events += doc.events.len();
        arguments += doc.events.iter().map(|e| e.arguments.len()).sum::<usize>();
    }
    assert!(
        events >= 20 && arguments > 0,
        "{events} events, {arguments} arguments"
    );
    let blocks = conllu::blocks(include_str!("../rules/events_syntax.examples.conllu"));
    let published = chrono::NaiveDate::from_ymd_opt(2024, 3, 15).unwrap();
    let (mut kept, mut before, mut arguments) = (0, 0, 0);
    for seed in 0..20u64 {
        let picks: Vec<&str> = (0..4)
            .map(|k| blocks[(seed as usize * 7 + k * 13) % blocks.len()].as_str())
            .collect();
        let mut doc = conllu::document("examples", &picks, published).unwrap();
        let mut plain = doc.clone();
        st.events.process(&mut plain);
        before += plain.events.len();
        perturb(&st, &mut doc, seed);
        run_events(&st, &mut doc);
        kept += doc.events.len();
        arguments += doc.events.iter().map(|e| e.arguments.len()).sum::<usize>();
    }
    assert!(
        before > 20 && kept > 20 && arguments > kept,
        "{before} events unperturbed, {kept} perturbed with {arguments} arguments"
    );
}
