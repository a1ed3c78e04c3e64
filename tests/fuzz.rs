//! Property tests ("fuzzing") of the text stages: whatever the text, cleaning,
//! sentence splitting, time, events and actor resolution must not panic, and
//! every span they produce must lie inside the text on character boundaries.
//! HTML extraction gets tag soup. Inputs are built from pieces that stress the
//! rules (abbreviations, initials, dates, numbers, quotes, control and bidi
//! characters, CRLF, long tokens) mixed with arbitrary Unicode.
//!
//! proptest records every failing input it finds in `tests/fuzz.proptest-regressions`
//! and replays those first on every run: that file is the corpus of crashers,
//! kept as regression tests. `tests/corpus/` holds hand-made hostile inputs that
//! run through the same checks.

use casefile::clean::{BoilerplateRules, Cleaner};
use casefile::document::{Document, Span};
use casefile::events::EventRules;
use casefile::resolve::ActorRules;
use casefile::rules::RuleFile;
use casefile::segment::{Abbreviations, Segmenter};
use proptest::prelude::*;

struct Stages {
    cleaner: Cleaner,
    segmenter: Segmenter,
    events: EventRules,
    actors: ActorRules,
}

fn stages() -> Stages {
    Stages {
        cleaner: Cleaner::new(BoilerplateRules::builtin()),
        segmenter: Segmenter::new(Abbreviations::builtin()),
        events: EventRules::builtin(),
        actors: ActorRules::builtin(),
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

/// Runs the text stages with entities made up from capitalised words (the
/// model is not what is under test here) and checks every span.
fn run_text_stages(st: &Stages, text: &str) {
    let mut doc = Document::new("fuzz", text);
    st.cleaner.process(&mut doc);
    st.segmenter.process(&mut doc);
    for b in &doc.blocks {
        check_span(text, *b, "block");
    }
    let mut last_end = 0;
    for (i, s) in doc.sentences.iter().enumerate() {
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
    casefile::pipeline::time_stage(&mut doc);
    st.events.process(&mut doc);
    st.actors.process(&mut doc);
    for t in &doc.times {
        check_span(text, t.span, "time");
    }
    for e in &doc.events {
        check_span(text, e.trigger, "trigger");
        for a in &e.arguments {
            check_span(text, a.span, "argument");
        }
    }
    for a in &doc.actors {
        check_span(text, a.first, "actor");
    }
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
    fn text_stages_never_panic_and_spans_stay_in_the_text(text in article()) {
        run_text_stages(&stages(), &text);
    }

    #[test]
    fn arbitrary_unicode_is_handled(text in "\\PC{0,400}") {
        run_text_stages(&stages(), &text);
    }

    #[test]
    fn html_extraction_never_panics(html in tag_soup()) {
        // Whether script text shows depends on how HTML5 parses the soup
        // ("</<script>" opens a comment, not a script); src/ingest/html.rs
        // tests that on well-formed pages. Here: no panic, sane text.
        let out = casefile::ingest::html::extract(&html);
        prop_assert!(out.text.len() <= html.len() * 4 + 16);
        run_text_stages(&stages(), &out.text);
    }
}

/// The hand-made hostile corpus: each file goes through the same checks, and
/// so do two large inputs built here rather than kept in the repository.
#[test]
fn hostile_corpus_files_pass_the_text_stages() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let st = stages();
    run_text_stages(&st, &"x".repeat(300_000));
    let deep = format!(
        "{}<p>Deep text.</p>{}",
        "<div>".repeat(60_000),
        "</div>".repeat(60_000)
    );
    let out = casefile::ingest::html::extract(&deep);
    assert!(out.text.contains("Deep text."));
    run_text_stages(&st, &out.text);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        if path.extension().is_some_and(|e| e == "html") {
            let out = casefile::ingest::html::extract(&text);
            run_text_stages(&st, &out.text);
        } else {
            run_text_stages(&st, &text);
        }
        n += 1;
    }
    assert!(n >= 3, "the corpus is in place");
}
