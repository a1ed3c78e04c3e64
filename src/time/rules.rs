//! The pattern rules and the engine that turns their matches into TIMEX3s.
//!
//! Every rule is a case-insensitive regular expression plus a handler that
//! checks the context and computes the value. All matches of all rules are
//! collected, then the longest non-overlapping ones win; finally clock times
//! are fused with adjacent dates and modifiers such as "early" or "the end
//! of" are pulled into the extent.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use regex::{Captures, Match, Regex};

use super::lexicon::{
    month_full_re, month_number, month_re, number_re, parse_number, small_number_word,
    weekday_number, year_words_re, COUNT_NOUNS, DAY_RE, QUANTITY_BEFORE, UNIT_RE, WEEKDAY_RE,
    YEAR_BEFORE, YEAR_RE,
};
use super::resolve::{
    add_days, duration, holiday, nearest_month_year, nearest_year, offset_point, quarter_of,
    season, season_of, shifted, weekday_date, weekend, ymd, Lean, Unit,
};
use super::{Timex, TimexType};

/// A candidate expression found by one rule.
#[derive(Debug, Clone)]
pub(crate) struct Cand {
    pub start: usize,
    pub end: usize,
    pub ty: TimexType,
    pub value: String,
    prio: u8,
    /// For bare clock times: the "Thh:mm" part, to fuse with a nearby date.
    clock: Option<String>,
}

pub(crate) struct Ctx<'a> {
    pub text: &'a str,
    pub anchor: Option<NaiveDate>,
    /// The document talks about quarters (earnings reports): "a year ago"
    /// then means the year-ago quarter.
    pub quarterly: bool,
}

type Handler = fn(&Ctx, &Captures) -> Option<Cand>;

struct Rule {
    re: Regex,
    prio: u8,
    f: Handler,
}

fn cand(c: &Captures, ty: TimexType, value: impl Into<String>) -> Option<Cand> {
    let m = c.get(0)?;
    Some(Cand {
        start: m.start(),
        end: m.end(),
        ty,
        value: value.into(),
        prio: 0,
        clock: None,
    })
}

fn date(c: &Captures, value: impl Into<String>) -> Option<Cand> {
    cand(c, TimexType::Date, value)
}

fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(build_rules)
}

/// A rule before compilation: its pattern (without the case-insensitive
/// flag), its priority (lower wins among overlapping matches of one length)
/// and its handler.
type Spec = (String, u8, Handler);

/// The pattern pieces the rule families share (month names, numbers,
/// weekdays, units...), built once so that every family spells them alike.
struct Pieces {
    month: String,
    month_full: String,
    num: String,
    yw: String,
    wd: &'static str,
    day: &'static str,
    year: &'static str,
    unit: &'static str,
    unit_sing: &'static str,
    ord: &'static str,
}

impl Pieces {
    fn new() -> Self {
        Pieces {
            month: month_re(),
            month_full: month_full_re(),
            num: number_re(),
            yw: year_words_re(),
            wd: WEEKDAY_RE,
            day: DAY_RE,
            year: YEAR_RE,
            unit: UNIT_RE,
            unit_sing: r"(?:second|minute|hour|day|night|week|fortnight|month|quarter|year|decade|century)",
            ord: r"(?:first|second|third|fourth|1st|2nd|3rd|4th)",
        }
    }
}

/// Compiles every rule, family by family. The order of the families, and of
/// the rules within each, is the order rules are tried in; keep it when
/// adding one, since ties between matches can depend on it.
fn build_rules() -> Vec<Rule> {
    let p = Pieces::new();
    let families = [
        calendar_dates(&p),
        month_and_year_dates(&p),
        decades_and_centuries(&p),
        quarters_and_halves(&p),
        relative_periods(&p),
        clock_times(),
        durations_and_sets(&p),
        vague_references(),
    ];
    families
        .into_iter()
        .flatten()
        .map(|(pat, prio, f)| Rule {
            re: Regex::new(&format!("(?i){pat}")).expect("valid temporal pattern"),
            prio,
            f,
        })
        .collect()
}

/// Absolute calendar dates: "March 5, 2024", "5 March 2024", "March 5",
/// "the 5th of March", ISO "2024-03-05" (with a clock time) and "3/5/2024".
fn calendar_dates(p: &Pieces) -> Vec<Spec> {
    let Pieces {
        month,
        wd,
        day,
        year,
        ..
    } = p;
    vec![
        (
            format!(r"\b(?:(?P<wd>{wd}),?\s+)?(?P<m>{month})\s*(?P<d>{day})\b,?\s*(?P<y>{year})\b"),
            0,
            h_date_full,
        ),
        (
            format!(r"\b(?:(?P<wd>{wd}),?\s+)?(?:the\s+)?(?P<d>{day})\s+(?:of\s+)?(?P<m>{month}),?\s*(?P<y>{year})\b"),
            0,
            h_date_full,
        ),
        (
            format!(r"\b(?:(?P<wd>{wd}),?\s+)?(?P<m>{month})\s*(?P<d>{day})\b"),
            1,
            h_date_partial,
        ),
        (
            format!(r"\b(?:(?P<wd>{wd}),?\s+)?(?:the\s+)?(?P<d>{day})\s+(?:of\s+)?(?P<m>{month})"),
            1,
            h_date_partial,
        ),
        (
            r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?:[T\s](?P<h>[0-2]\d):(?P<mi>[0-5]\d))?\b".into(),
            0,
            h_iso,
        ),
        (
            r"\b(?P<m>1[0-2]|0?[1-9])/(?P<d>[0-3]?\d)/(?P<y>(?:19|20)\d\d)\b".into(),
            0,
            h_iso,
        ),
    ]
}

/// Months and years: "March 2024", "March last year", "the same period a
/// year ago", "in the fiscal year", "last March", "2024", "fiscal 2024".
fn month_and_year_dates(p: &Pieces) -> Vec<Spec> {
    let Pieces {
        month,
        month_full,
        year,
        ..
    } = p;
    vec![
        (
            format!(r"\b(?P<m>{month})(?:\s+of)?,?\s+(?P<y>{year})\b"),
            1,
            h_month_year,
        ),
        (
            format!(r"\b(?P<m>{month_full})\s+(?P<rel>this|last|next)\s+year\b"),
            1,
            h_month_rel_year,
        ),
        (
            r"\bthe\s+(?:corresponding|same|comparable|year-ago|year-earlier)\s+(?:period|quarter)\s+(?:of\s+|in\s+)?(?:a\s+year\s+(?:ago|earlier)|last\s+year)\b".into(),
            0,
            h_same_period_last_year,
        ),
        (
            r"\b(?P<prep>for|of|in|during|throughout)\s+(?P<t>the\s+(?P<q>current\s+|full\s+|entire\s+|whole\s+)?(?:fiscal\s+)?year)\b(?P<ended>\s+end(?:ed|ing))?".into(),
            2,
            h_the_year,
        ),
        (
            format!(r"\b(?:(?P<rel>last|next|this|this\s+past|this\s+coming)\s+)?(?P<m>{month_full})"),
            2,
            h_month,
        ),
        (
            format!(r"(?i)\b(?:(?P<fy>fiscal(?:\s+year)?|fy)\s*)?(?P<y>{year})\b"),
            3,
            h_year,
        ),
    ]
}

/// Decades, centuries and years in words: "the 1990s", "the eighties", "the
/// 20th century", "nineteen ninety-nine", "two thousand and five".
fn decades_and_centuries(p: &Pieces) -> Vec<Spec> {
    let Pieces { yw, .. } = p;
    vec![
        (
            r"\b(?:the\s+)?(?:(?:early|mid|late)[\s-]+)?(?P<c>1[0-9]|20)(?P<d>\d)0'?s\b".into(),
            1,
            h_decade,
        ),
        (
            r"\bthe\s+(?:(?:early|mid|late)[\s-]+)?(?P<w>twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b".into(),
            1,
            h_decade_words,
        ),
        (
            r"\b(?:the\s+)?(?P<n>\d{1,2}(?:st|nd|rd|th)|twentieth|twenty-first|nineteenth)\s+century\b".into(),
            1,
            h_century,
        ),
        (
            format!(r"\b(?:the\s+year\s+)?(?:nineteen[\s-](?:hundred\s+(?:and\s+)?)?(?P<a>{yw})|two\s+thousand(?:\s+and)?(?:[\s-](?P<b>{yw}))?)\b"),
            1,
            h_spelled_year,
        ),
    ]
}

/// Quarters, halves and fiscal periods: "the third quarter of 2023", "the
/// latest quarter", "Q3 2023", "the first half of this year", "year-ago".
fn quarters_and_halves(p: &Pieces) -> Vec<Spec> {
    let Pieces { year, ord, .. } = p;
    vec![
        (
            format!(
                r"\b(?:(?P<det>the|its|their|this\s+year's|last\s+year's|next\s+year's|the\s+year-(?:ago|earlier)|the\s+comparable(?:\s+year-ago)?|year-ago|year-earlier|the\s+(?P<y1>{year})|(?P<y2>{year}))\s+)?(?:(?:fiscal|calendar)[\s-]+)?(?P<ord>{ord})[\s-]+(?:fiscal[\s-]+)?quarter\b(?:\s+(?:of|in)\s+(?:fiscal\s+)?(?:(?P<y3>{year})|(?P<rel>this|last|next)\s+year))?"
            ),
            0,
            h_quarter_ord,
        ),
        (
            format!(
                r"\b(?P<det>the\s+latest|the\s+current|the\s+most\s+recent|the\s+recent|the\s+just-(?:ended|completed)|the\s+past|the\s+last|the\s+previous|the\s+prior|the\s+comparable(?:\s+year-ago)?|the\s+year-ago|the\s+year-earlier|last\s+year's|this|last|next|the|the\s+(?P<y>{year})(?:\s+fiscal)?)\s+(?P<what>quarter|period)\b"
            ),
            1,
            h_quarter_generic,
        ),
        (
            r"\b(?:the\s+)?(?P<q>q[1-4])(?:\s+(?P<y>(?:19|20)\d\d))?\b".into(),
            1,
            h_quarter_q,
        ),
        (
            format!(
                r"\bthe\s+(?P<ord>first|second|1st|2nd)\s+half\s+of\s+(?:(?:fiscal|the\s+fiscal)\s+)?(?:(?P<y>{year})|(?P<rel>this|last|next|the)\s+year)\b"
            ),
            0,
            h_half,
        ),
        (r"\byear[-\s](?P<w>ago|earlier)\b".into(), 2, h_year_ago_adj),
    ]
}

/// Periods relative to the anchor: "last week", "this weekend", "the end of
/// the month", "year-end", "yesterday", "on Friday", "last summer",
/// "Christmas".
fn relative_periods(p: &Pieces) -> Vec<Spec> {
    let Pieces { wd, year, .. } = p;
    vec![
        (
            r"\b(?P<rel>last|this|next|this\s+past|this\s+coming|the\s+coming|the\s+current|the\s+present)\s+(?P<u>week|month|year|decade|century|quarter)\b".into(),
            1,
            h_rel_unit,
        ),
        (
            r"\b(?P<rel>the|this|last|next|this\s+past|this\s+coming|that)\s+weekend\b".into(),
            1,
            h_weekend,
        ),
        (
            r"\bthe\s+(?:end|beginning|start|middle|rest|remainder|close)\s+of\s+the\s+(?P<u>week|month|year|decade|century)\b".into(),
            1,
            h_current_unit,
        ),
        (
            r"\b(?:earlier|later)\s+in\s+the\s+(?P<u>week|month|year)\b".into(),
            1,
            h_current_unit,
        ),
        (
            r"\b(?:the\s+)?year(?:'s)?[-\s]end\b".into(),
            2,
            h_year_end,
        ),
        (
            r"\b(?P<w>today|tonight|tomorrow|yesterday|the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow|last\s+night|this\s+(?:morning|afternoon|evening))(?:\s+(?P<pod>morning|afternoon|evening|night))?\b".into(),
            1,
            h_deictic,
        ),
        (
            format!(r"\b(?:(?P<rel>last|next|this|this\s+coming|this\s+past|coming|the\s+previous|the\s+following)\s+)?(?P<wd>{wd})(?:\s+(?P<pod>morning|afternoon|evening|night))?\b"),
            2,
            h_weekday,
        ),
        (
            format!(r"\b(?:(?P<rel>last|this|next|this\s+past|this\s+coming|the|early|late|mid-?)\s+)?(?P<s>spring|summer|fall|autumn|winter)\b(?:,?\s+(?:of\s+)?(?P<y>{year})\b)?"),
            2,
            h_season,
        ),
        (
            r"\b(?:(?P<rel>last|this|next)\s+)?(?P<h>christmas\s+eve|christmas(?:\s+day)?|new\s+year's\s+eve|new\s+year's\s+day|thanksgiving(?:\s+day)?|independence\s+day|the\s+fourth\s+of\s+july|halloween|valentine's\s+day|labor\s+day|memorial\s+day|easter(?:\s+sunday)?|good\s+friday)\b".into(),
            1,
            h_holiday,
        ),
    ]
}

/// Clock times: "3 p.m. EST", "15:30", "noon".
fn clock_times() -> Vec<Spec> {
    vec![
        (
            r"\b(?:at\s+)?(?P<h>[01]?\d|2[0-3])(?:[:.](?P<mi>[0-5]\d))?\s*(?P<ap>a\.m\.?|p\.m\.?|am\b|pm\b)(?:\s+(?-i:(?P<tz>[ECMP][SD]T|GMT|UTC|ET)\b))?".into(),
            1,
            h_clock,
        ),
        (
            r"\b(?P<h>[01]?\d|2[0-3]):(?P<mi>[0-5]\d)\b(?:\s+(?-i:(?P<tz>[ECMP][SD]T|GMT|UTC|ET)\b))?".into(),
            2,
            h_clock,
        ),
        (
            r"\b(?P<w>noon|midnight|midday)\b".into(),
            2,
            h_noon,
        ),
    ]
}

/// Durations and sets: "three days", "two weeks ago", "a 10-year", "in
/// recent years", "the past month", "every Monday", "twice a year", "on
/// Mondays".
fn durations_and_sets(p: &Pieces) -> Vec<Spec> {
    let Pieces {
        num,
        unit,
        unit_sing,
        wd,
        month_full,
        ..
    } = p;
    vec![
        (
            format!(r"\b(?P<pre>(?:(?:nearly|more\s+than|less\s+than|fewer\s+than|no\s+more\s+than|no\s+less\s+than|at\s+least|at\s+most|up\s+to)\s+)?(?:(?:the|its|their)\s+)?(?:(?P<rel>past|last|next|first|coming|previous|following|latest|final|remaining|ensuing|preceding|initial|other|year-earlier|year-ago)\s+)?)(?P<n>{num})(?P<half>\s+and\s+a\s+half)?(?:\s+(?:to|or)\s+(?P<n2>{num}))?(?:\s+or\s+so)?\s+(?:(?:more|additional|full|straight|consecutive|long|trading|business|working|calendar|successive|extra)\s+)?(?P<u>{unit})\b(?P<half2>\s+and\s+a\s+half)?(?:\s+or\s+so)?(?P<dir>\s+(?:ago|earlier|later|before|after|from\s+now|hence|back))?"),
            2,
            h_duration,
        ),
        (
            format!(r"\b(?P<n>\d+(?:\.\d+)?|{num})-(?P<u>{unit_sing})(?P<tail>-(?:old|long)\b)?"),
            2,
            h_hyphen_duration,
        ),
        (
            r"\b(?:(?P<pre>recent|the\s+past|past|the\s+last|the\s+next|the\s+coming|coming|the\s+ensuing|future|the)\s+)?(?P<u>seconds|minutes|hours|days|weeks|months|quarters|years|decades|centuries)\b(?P<ahead>\s+ahead)?".into(),
            3,
            h_bare_units,
        ),
        (
            format!(r"\bthe\s+(?P<rel>past|last|next|coming)\s+(?P<u>{unit_sing})\b"),
            1,
            h_past_unit,
        ),
        (
            format!(r"\b(?:(?P<adv>daily|weekly|monthly|yearly|hourly|nightly|biweekly|semiannually)|(?:every|each)\s+(?:(?P<k>other|\d+|{num})\s+)?(?P<u>{unit}|{wd}s?|{month_full}|morning|afternoon|evening|night)|(?P<freq>once|twice|\S+\s+times)\s+(?:a|an|per|each|every)\s+(?P<u2>{unit_sing})|per\s+(?P<u3>{unit_sing}))\b"),
            1,
            h_set,
        ),
        (
            format!(r"\b(?:on\s+)?(?P<wd>{wd})s\b"),
            2,
            h_weekday_set,
        ),
    ]
}

/// Vague references: "now", "recently", "the near future".
fn vague_references() -> Vec<Spec> {
    vec![
        (
            r"\b(?P<w>now|currently|these\s+days|nowadays|at\s+present|recently|more\s+recently|most\s+recently|the\s+past|the\s+future|the\s+near\s+future|the\s+distant\s+future|the\s+near\s+term|the\s+short\s+term|a\s+later\s+date)\b".into(),
            3,
            h_refs,
        ),
    ]
}

// ---------------------------------------------------------------------------
// Context helpers

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\'' || c == '.' || c == '-'
}

/// The word ending right before `pos` (skipping spaces), lower-cased.
fn prev_word(text: &str, pos: usize) -> String {
    let before = text[..pos].trim_end();
    let start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| !is_word_char(c))
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(0);
    before[start..].to_lowercase()
}

/// The word starting right after `pos` (skipping spaces), as written.
fn next_word(text: &str, pos: usize) -> &str {
    let after = text[pos..].trim_start();
    let end = after
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '\''))
        .map(|(i, _)| i)
        .unwrap_or(after.len());
    &after[..end]
}

/// Whether the word at `pos` is capitalised (or the text around is all caps).
fn capitalised(text: &str, pos: usize) -> bool {
    text[pos..].chars().next().is_some_and(|c| c.is_uppercase())
}

/// Whether `text` starts with the ASCII word `prefix`, ignoring case, without
/// copying the text.
fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.is_char_boundary(prefix.len())
        && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// Whether `pos` starts a sentence (or a quotation, heading or line).
fn sentence_initial(text: &str, pos: usize) -> bool {
    let before = text[..pos].trim_end_matches([' ', '\t']);
    match before.chars().next_back() {
        None => true,
        Some(c) => matches!(
            c,
            '.' | '!' | '?' | '"' | '`' | '\'' | '(' | '\n' | ':' | '_' | '-'
        ),
    }
}

/// Byte range of the sentence around `start..end`.
fn sentence(text: &str, start: usize, end: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let is_break = |i: usize| -> bool {
        let c = bytes[i];
        if c == b'\n' && i + 1 < bytes.len() && bytes[i + 1] == b'\n' {
            return true;
        }
        if matches!(c, b'.' | b'?' | b'!') && i + 2 < bytes.len() && bytes[i + 1] == b' ' {
            let n = bytes[i + 2];
            let starts = n.is_ascii_uppercase() || n == b'"' || n == b'`' || n == b'\'';
            return starts && !(c == b'.' && is_abbreviation(&text[..i]));
        }
        false
    };
    let mut s = start;
    while s > 0 && !is_break(s - 1) {
        s -= 1;
    }
    let mut e = end;
    while e < bytes.len() && !is_break(e) {
        e += 1;
    }
    while !text.is_char_boundary(s) {
        s += 1;
    }
    while !text.is_char_boundary(e) {
        e -= 1;
    }
    (s, e)
}

/// Whether the text ends with an abbreviation or initial whose period does
/// not end a sentence ("Mr", "Jan", "P").
fn is_abbreviation(before: &str) -> bool {
    const ABBR: &[&str] = &[
        "mr", "mrs", "ms", "dr", "gen", "sen", "rep", "gov", "lt", "col", "sgt", "capt", "st",
        "jr", "sr", "prof", "rev", "corp", "inc", "co", "ltd", "no", "vs", "jan", "feb", "mar",
        "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.n", "u.k", "a.m",
        "p.m",
    ];
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"')
        .next()
        .unwrap_or("");
    (word.len() == 1 && word.chars().all(|c| c.is_ascii_uppercase()))
        || ABBR.contains(&word.to_ascii_lowercase().as_str())
}

fn tense_marker(word: &str) -> Option<Lean> {
    let w = word.to_ascii_lowercase();
    const FUTURE: &[&str] = &[
        "will",
        "shall",
        "wo",
        "scheduled",
        "upcoming",
        "next",
        "plans",
        "plan",
        "expected",
        "expects",
        "due",
        "going",
        "intends",
        "tomorrow",
        "would",
        "until",
        "soon",
        "effective",
    ];
    const PAST: &[&str] = &[
        "said",
        "was",
        "were",
        "had",
        "did",
        "ago",
        "last",
        "yesterday",
        "told",
        "came",
        "went",
        "met",
        "began",
        "left",
        "took",
        "made",
        "won",
        "lost",
        "fell",
        "rose",
        "saw",
        "gave",
        "got",
        "held",
        "led",
        "ran",
        "sent",
        "spent",
        "paid",
        "sold",
        "struck",
        "hit",
        "shot",
        "put",
        "quit",
        "cut",
        "earlier",
        "since",
        "previously",
    ];
    if w.ends_with("'ll") || FUTURE.contains(&w.as_str()) {
        return Some(Lean::Future);
    }
    // "-ed" words are past verbs unless capitalised ("United").
    let ed = w.len() > 4 && w.ends_with("ed") && word.starts_with(|c: char| c.is_lowercase());
    if PAST.contains(&w.as_str()) || ed {
        return Some(Lean::Past);
    }
    None
}

/// Whether the expression at `start..end` is about the future, judged from the
/// nearest tense marker before it in its sentence (or just after it).
fn lean(ctx: &Ctx, start: usize, end: usize) -> Lean {
    let (s, e) = sentence(ctx.text, start, end);
    let words = |t: &str| -> Vec<String> {
        t.split(|c: char| !(c.is_alphanumeric() || c == '\''))
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let before = words(&ctx.text[s..start]);
    for (i, w) in before.iter().enumerate().rev() {
        let prev = |k: usize| -> String {
            i.checked_sub(k)
                .map(|j| before[j].to_ascii_lowercase())
                .unwrap_or_default()
        };
        let lw = w.to_ascii_lowercase();
        // "set to resume", "is to meet": future.
        if lw == "to"
            && matches!(
                prev(1).as_str(),
                "set"
                    | "is"
                    | "are"
                    | "due"
                    | "poised"
                    | "planned"
                    | "plans"
                    | "plan"
                    | "scheduled"
                    | "expected"
                    | "going"
                    | "hopes"
                    | "intends"
                    | "wants"
            )
        {
            return Lean::Future;
        }
        if let Some(l) = tense_marker(w) {
            // "had been scheduled to", "was expected": a past plan.
            if l == Lean::Future && matches!(prev(1).as_str(), "had" | "been" | "was" | "were") {
                return Lean::Past;
            }
            return l;
        }
    }
    for w in words(&ctx.text[end..e]).iter().take(5) {
        if let Some(l) = tense_marker(w) {
            return l;
        }
    }
    Lean::Past
}

fn digits(s: &str) -> Option<u32> {
    s.trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .parse()
        .ok()
}

fn g<'t>(c: &Captures<'t>, name: &str) -> Option<&'t str> {
    c.name(name).map(|m| m.as_str())
}

fn lower(c: &Captures, name: &str) -> String {
    g(c, name)
        .map(|s| {
            s.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Handlers: absolute dates

fn month_ok(ctx: &Ctx, c: &Captures) -> bool {
    c.name("m")
        .is_some_and(|m| capitalised(ctx.text, m.start()))
}

fn h_date_full(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    if !month_ok(ctx, c) {
        return None;
    }
    let m = month_number(g(c, "m")?)?;
    let d = digits(g(c, "d")?)?;
    let y: i32 = g(c, "y")?.parse().ok()?;
    let dt = NaiveDate::from_ymd_opt(y, m, d)?;
    date(c, ymd(dt))
}

fn h_date_partial(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    if !month_ok(ctx, c) {
        return None;
    }
    let m = month_number(g(c, "m")?)?;
    let d = digits(g(c, "d")?)?;
    let whole = c.get(0)?;
    // "May 20 people", "March 3:30" are not dates.
    let after = &ctx.text[whole.end()..];
    let digit_after = |p: char| {
        after
            .strip_prefix(p)
            .is_some_and(|r| r.trim_start().starts_with(|ch: char| ch.is_ascii_digit()))
    };
    if digit_after(':') || digit_after(',') {
        return None;
    }
    let Some(anchor) = ctx.anchor else {
        NaiveDate::from_ymd_opt(2000, m, d)?;
        return date(c, format!("XXXX-{m:02}-{d:02}"));
    };
    let lean = lean(ctx, whole.start(), whole.end());
    // A weekday in the expression pins the year down.
    let y = match g(c, "wd").and_then(weekday_number) {
        Some(wd) => (anchor.year() - 1..=anchor.year() + 1)
            .filter_map(|y| NaiveDate::from_ymd_opt(y, m, d))
            .filter(|dt| dt.weekday().number_from_monday() == wd)
            .min_by_key(|dt| (*dt - anchor).num_days().abs())
            .map(|dt| dt.year())
            .or_else(|| nearest_year(anchor, m, d, lean))?,
        None => nearest_year(anchor, m, d, lean)?,
    };
    let dt = NaiveDate::from_ymd_opt(y, m, d)?;
    date(c, ymd(dt))
}

fn h_iso(_ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let y: i32 = g(c, "y")?.parse().ok()?;
    let m: u32 = g(c, "m")?.parse().ok()?;
    let d: u32 = g(c, "d")?.parse().ok()?;
    let dt = NaiveDate::from_ymd_opt(y, m, d)?;
    match (g(c, "h"), g(c, "mi")) {
        (Some(h), Some(mi)) => cand(c, TimexType::Time, format!("{}T{h}:{mi}", ymd(dt))),
        _ => date(c, ymd(dt)),
    }
}

fn h_month_year(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    if !month_ok(ctx, c) {
        return None;
    }
    let m = month_number(g(c, "m")?)?;
    let y: i32 = g(c, "y")?.parse().ok()?;
    date(c, format!("{y:04}-{m:02}"))
}

const MONTH_PREP: &[&str] = &[
    "in",
    "since",
    "of",
    "by",
    "until",
    "till",
    "before",
    "after",
    "during",
    "from",
    "to",
    "through",
    "early",
    "late",
    "mid",
    "mid-",
    "last",
    "next",
    "this",
    "end",
    "each",
    "every",
    "between",
    "and",
    "or",
    "on",
    "for",
    "throughout",
    "around",
    "as",
    "the",
];

fn h_month(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let mm = c.name("m")?;
    if !capitalised(ctx.text, mm.start()) {
        return None;
    }
    let m = month_number(mm.as_str())?;
    let rel = lower(c, "rel");
    let nw = next_word(ctx.text, mm.end());
    // "April Glaspie", "August Strindberg": a capitalised word next is a name.
    if nw.starts_with(|ch: char| ch.is_uppercase()) && month_number(nw).is_none() {
        return None;
    }
    if rel.is_empty() && matches!(m, 3 | 5) {
        let pw = prev_word(ctx.text, mm.start());
        if !MONTH_PREP.contains(&pw.as_str()) {
            return None;
        }
    }
    let Some(anchor) = ctx.anchor else {
        return date(c, format!("XXXX-{m:02}"));
    };
    let am = anchor.month();
    let y = match rel.as_str() {
        "last" | "this past" => {
            if m < am {
                anchor.year()
            } else {
                anchor.year() - 1
            }
        }
        "next" | "this coming" => {
            if m > am {
                anchor.year()
            } else {
                anchor.year() + 1
            }
        }
        "this" => anchor.year(),
        _ => {
            let whole = c.get(0)?;
            nearest_month_year(anchor, m, lean(ctx, whole.start(), whole.end()))
        }
    };
    date(c, format!("{y:04}-{m:02}"))
}

fn h_month_rel_year(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    if !month_ok(ctx, c) {
        return None;
    }
    let m = month_number(g(c, "m")?)?;
    let shift = match lower(c, "rel").as_str() {
        "last" => -1,
        "next" => 1,
        _ => 0,
    };
    let y = match ctx.anchor {
        Some(a) => format!("{:04}", a.year() + shift),
        None => "XXXX".into(),
    };
    date(c, format!("{y}-{m:02}"))
}

fn h_same_period_last_year(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let Some(a) = ctx.anchor else {
        return date(c, "XXXX");
    };
    if ctx.quarterly {
        let (py, pq) = previous_quarter(a);
        date(c, format!("{:04}-Q{pq}", py - 1))
    } else {
        date(c, format!("{:04}", a.year() - 1))
    }
}

/// "for the year", "in the fiscal year ended March 31", "the full year".
fn h_the_year(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let t = c.name("t")?;
    let after = &ctx.text[t.end()..];
    if after.starts_with(['-', '\'']) {
        return None;
    }
    let mut cd = if c.name("ended").is_some() {
        cand(c, TimexType::Duration, "P1Y")?
    } else {
        date(c, shifted(ctx.anchor, Unit::Year, 0))?
    };
    cd.start = t.start();
    cd.end = t.end();
    Some(cd)
}

fn h_year(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let ym = c.name("y")?;
    let y: i32 = ym.as_str().parse().ok()?;
    let text = ctx.text;
    if c.name("fy").is_some() {
        return date(c, format!("{y:04}"));
    }
    let before = text[..ym.start()].trim_end();
    let after = &text[ym.end()..];
    // Parts of larger numbers, money, percentages, measurements.
    let mid = before.len() >= 4
        && before.is_char_boundary(before.len() - 4)
        && before[before.len() - 4..].eq_ignore_ascii_case("mid-");
    if (before.ends_with(['$', '#', '£', '€', '-', '/', '+']) && !mid)
        || (before.ends_with([',', '.'])
            && text[..ym.start()].ends_with(|ch: char| ch.is_ascii_digit()))
        || after.starts_with(['%', '/'])
        || (after.starts_with([',', '.', ':'])
            && after[1..].starts_with(|ch: char| ch.is_ascii_digit()))
        || after.trim_start().starts_with("percent")
    {
        return None;
    }
    let pw = prev_word(text, ym.start());
    let nw = next_word(text, ym.end()).to_lowercase();
    if QUANTITY_BEFORE.contains(&pw.as_str()) || COUNT_NOUNS.contains(&nw.as_str()) {
        return None;
    }
    // "after 1500 protesters": a count before a plural noun, unless a
    // determiner makes the number a modifier ("its 1988 results").
    let raw_next = next_word(text, ym.end());
    let plural_next = raw_next.len() > 3
        && raw_next.ends_with('s')
        && raw_next.chars().all(|ch| ch.is_ascii_lowercase())
        && !matches!(
            raw_next,
            "this"
                | "thus"
                | "always"
                | "perhaps"
                | "plus"
                | "less"
                | "unless"
                | "towards"
                | "afterwards"
                | "whereas"
                | "besides"
                | "nevertheless"
        );
    let determiner = matches!(pw.as_str(), "the" | "its" | "their" | "his" | "her" | "our")
        || pw.ends_with("'s");
    if plural_next && !determiner {
        return None;
    }
    let strong = YEAR_BEFORE.contains(&pw.as_str()) || month_number(&pw).is_some();
    let plausible = (1900..=2099).contains(&y);
    if !(strong && y >= 1000 || plausible) {
        return None;
    }
    date(c, format!("{y:04}"))
}

fn h_decade(_ctx: &Ctx, c: &Captures) -> Option<Cand> {
    date(c, format!("{}{}", g(c, "c")?, g(c, "d")?))
}

fn h_decade_words(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let w = lower(c, "w");
    let d = [
        "twenties",
        "thirties",
        "forties",
        "fifties",
        "sixties",
        "seventies",
        "eighties",
        "nineties",
    ]
    .iter()
    .position(|x| *x == w)?
        + 2;
    let _ = ctx;
    date(c, format!("19{d}"))
}

fn h_century(_ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let n = lower(c, "n");
    let n: u32 = match n.as_str() {
        "nineteenth" => 19,
        "twentieth" => 20,
        "twenty-first" => 21,
        s => s.trim_end_matches(char::is_alphabetic).parse().ok()?,
    };
    if !(1..=30).contains(&n) {
        return None;
    }
    date(c, format!("{:02}", n - 1))
}

fn h_spelled_year(_ctx: &Ctx, c: &Captures) -> Option<Cand> {
    if let Some(a) = g(c, "a") {
        let v = small_number_word(a)?;
        return date(c, format!("19{v:02}"));
    }
    let v = match g(c, "b") {
        Some(b) => small_number_word(b)?,
        None => 0,
    };
    date(c, format!("20{v:02}"))
}

// ---------------------------------------------------------------------------
// Handlers: quarters

fn ord_number(s: &str) -> Option<u32> {
    match s.to_ascii_lowercase().as_str() {
        "first" | "1st" => Some(1),
        "second" | "2nd" => Some(2),
        "third" | "3rd" => Some(3),
        "fourth" | "4th" => Some(4),
        _ => None,
    }
}

/// The last completed quarter before the anchor, as (year, quarter).
fn previous_quarter(anchor: NaiveDate) -> (i32, u32) {
    let q = quarter_of(anchor);
    if q == 1 {
        (anchor.year() - 1, 4)
    } else {
        (anchor.year(), q - 1)
    }
}

fn h_quarter_ord(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let mut cd = quarter_ord_value(ctx, c)?;
    let det = lower(c, "det");
    let ordm = c.name("ord")?;
    let hyphenated = ctx.text[ordm.end()..].starts_with('-');
    if matches!(det.as_str(), "its" | "their") || (det == "the" && hyphenated) {
        let dm = c.name("det")?;
        cd.start = dm.end();
        cd.start += ctx.text[cd.start..].len() - ctx.text[cd.start..].trim_start().len();
    }
    Some(cd)
}

fn quarter_ord_value(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let q = ord_number(g(c, "ord")?)?;
    let det = lower(c, "det");
    let explicit = g(c, "y1")
        .or(g(c, "y2"))
        .or(g(c, "y3"))
        .and_then(|y| y.parse::<i32>().ok());
    if let Some(y) = explicit {
        return date(c, format!("{y:04}-Q{q}"));
    }
    let Some(anchor) = ctx.anchor else {
        return date(c, format!("XXXX-Q{q}"));
    };
    let rel = lower(c, "rel");
    let y = if det.starts_with("last year") || det.contains("year-") || rel == "last" {
        anchor.year() - 1
    } else if det.starts_with("next year") || rel == "next" {
        anchor.year() + 1
    } else if det.starts_with("this year") || rel == "this" {
        anchor.year()
    } else if q > quarter_of(anchor) {
        let whole = c.get(0)?;
        match lean(ctx, whole.start(), whole.end()) {
            Lean::Future => anchor.year(),
            Lean::Past => anchor.year() - 1,
        }
    } else {
        anchor.year()
    };
    date(c, format!("{y:04}-Q{q}"))
}

fn h_quarter_generic(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let det = lower(c, "det");
    let what = lower(c, "what");
    let year_ago = det.contains("year-") || det.contains("comparable") || det == "last year's";
    let explicit = g(c, "y").and_then(|y| y.parse::<i32>().ok());
    // "period" is only temporal in fixed reporting phrases.
    if what == "period"
        && !(year_ago
            || explicit.is_some()
            || (ctx.quarterly && matches!(det.as_str(), "the latest" | "the most recent")))
    {
        return None;
    }
    let Some(anchor) = ctx.anchor else {
        return date(c, "XXXX-QX");
    };
    let (py, pq) = previous_quarter(anchor);
    let cq = quarter_of(anchor);
    let v = if let Some(y) = explicit {
        if what == "period" {
            format!("{y:04}")
        } else {
            format!("{y:04}-Q{pq}")
        }
    } else if year_ago {
        format!("{:04}-Q{pq}", py - 1)
    } else {
        match det.as_str() {
            "the current" | "this" => format!("{:04}-Q{cq}", anchor.year()),
            "next" => shifted(Some(anchor), Unit::Quarter, 1),
            _ => format!("{py:04}-Q{pq}"),
        }
    };
    date(c, v)
}

fn h_quarter_q(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let qm = c.name("q")?;
    if !capitalised(ctx.text, qm.start()) {
        return None;
    }
    let q = &qm.as_str()[1..];
    let y = match (g(c, "y"), ctx.anchor) {
        (Some(y), _) => y.to_string(),
        (None, Some(a)) => format!("{:04}", a.year()),
        (None, None) => "XXXX".into(),
    };
    date(c, format!("{y}-Q{q}"))
}

fn h_half(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let h = match lower(c, "ord").as_str() {
        "first" | "1st" => 1,
        _ => 2,
    };
    let y = match (g(c, "y"), lower(c, "rel").as_str(), ctx.anchor) {
        (Some(y), _, _) => y.to_string(),
        (None, _, None) => "XXXX".into(),
        (None, "last", Some(a)) => format!("{:04}", a.year() - 1),
        (None, "next", Some(a)) => format!("{:04}", a.year() + 1),
        (None, _, Some(a)) => format!("{:04}", a.year()),
    };
    date(c, format!("{y}-H{h}"))
}

fn h_year_ago_adj(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let Some(anchor) = ctx.anchor else {
        return date(c, "XXXX");
    };
    if ctx.quarterly {
        let (py, pq) = previous_quarter(anchor);
        date(c, format!("{:04}-Q{pq}", py - 1))
    } else {
        date(c, format!("{:04}", anchor.year() - 1))
    }
}

// ---------------------------------------------------------------------------
// Handlers: relative periods and days

fn h_rel_unit(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    // "This Week With David Brinkley".
    if capitalised(ctx.text, c.name("u")?.start()) {
        return None;
    }
    let unit = Unit::parse(&lower(c, "u"))?;
    let n = match lower(c, "rel").as_str() {
        "last" | "this past" => -1,
        "next" | "this coming" | "the coming" => 1,
        _ => 0,
    };
    if unit == Unit::Quarter && n == -1 {
        if let Some(a) = ctx.anchor {
            let (y, q) = previous_quarter(a);
            return date(c, format!("{y:04}-Q{q}"));
        }
    }
    date(c, shifted(ctx.anchor, unit, n))
}

fn h_current_unit(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let unit = Unit::parse(&lower(c, "u"))?;
    date(c, shifted(ctx.anchor, unit, 0))
}

fn h_year_end(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    date(c, shifted(ctx.anchor, Unit::Year, 0))
}

fn h_weekend(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let rel = lower(c, "rel");
    let Some(anchor) = ctx.anchor else {
        return date(c, "XXXX-WXX-WE");
    };
    let whole = c.get(0)?;
    let v = match rel.as_str() {
        "last" | "this past" => weekend(anchor, Lean::Past, 0),
        "next" | "this coming" => weekend(anchor, Lean::Future, 0),
        "this" => weekend(anchor, Lean::Future, 0),
        "that" => return None,
        _ => weekend(anchor, lean(ctx, whole.start(), whole.end()), 0),
    };
    date(c, v)
}

fn pod_code(s: &str) -> &'static str {
    match s {
        "morning" => "MO",
        "afternoon" => "AF",
        "evening" => "EV",
        _ => "NI",
    }
}

fn h_deictic(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let m = c.get(0)?;
    // "This is VOA Today": a capitalised word inside a sentence is a title.
    if capitalised(ctx.text, m.start()) && !sentence_initial(ctx.text, m.start()) {
        return None;
    }
    let w = lower(c, "w");
    let pod = lower(c, "pod");
    let (days, own_pod) = match w.as_str() {
        "today" => (0, ""),
        "tonight" => (0, "NI"),
        "tomorrow" => (1, ""),
        "yesterday" => (-1, ""),
        "the day before yesterday" => (-2, ""),
        "the day after tomorrow" => (2, ""),
        "last night" => (-1, "NI"),
        "this morning" => (0, "MO"),
        "this afternoon" => (0, "AF"),
        "this evening" => (0, "EV"),
        _ => return None,
    };
    if !own_pod.is_empty() && !pod.is_empty() {
        // "tonight night": keep only the first word.
        return None;
    }
    let code = if pod.is_empty() {
        own_pod
    } else {
        pod_code(&pod)
    };
    let day = match ctx.anchor {
        Some(a) => ymd(add_days(a, days)),
        None => "XXXX-XX-XX".into(),
    };
    if code.is_empty() {
        date(c, day)
    } else {
        cand(c, TimexType::Time, format!("{day}T{code}"))
    }
}

fn h_weekday(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let wm = c.name("wd")?;
    if !capitalised(ctx.text, wm.start()) {
        return None;
    }
    let wd = weekday_number(wm.as_str())?;
    let rel = lower(c, "rel");
    let pod = lower(c, "pod");
    let whole = c.get(0)?;
    let day = match ctx.anchor {
        None => format!("XXXX-WXX-{wd}"),
        Some(a) => {
            let dt = match rel.as_str() {
                "last" | "this past" | "the previous" => weekday_date(a, wd, Lean::Past, true),
                "next" | "the following" => weekday_date(a, wd, Lean::Future, true),
                "this coming" | "coming" => weekday_date(a, wd, Lean::Future, false),
                _ => weekday_date(a, wd, lean(ctx, whole.start(), whole.end()), false),
            };
            ymd(dt)
        }
    };
    if pod.is_empty() {
        date(c, day)
    } else {
        cand(c, TimexType::Time, format!("{day}T{}", pod_code(&pod)))
    }
}

fn h_weekday_set(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let wm = c.name("wd")?;
    if !capitalised(ctx.text, wm.start()) {
        return None;
    }
    let wd = weekday_number(wm.as_str())?;
    let mut cd = cand(c, TimexType::Set, format!("XXXX-WXX-{wd}"))?;
    cd.start = wm.start();
    Some(cd)
}

fn h_season(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let (code, idx) = season(g(c, "s")?)?;
    let rel = lower(c, "rel");
    if let Some(y) = g(c, "y") {
        return date(c, format!("{y}-{code}"));
    }
    if rel.is_empty() {
        return None;
    }
    let Some(a) = ctx.anchor else {
        return date(c, format!("XXXX-{code}"));
    };
    let cur = season_of(a);
    // January and February belong to the winter that began the year before.
    let sy = if a.month() <= 2 {
        a.year() - 1
    } else {
        a.year()
    };
    let y = match rel.as_str() {
        "last" | "this past" => {
            if idx < cur {
                sy
            } else {
                sy - 1
            }
        }
        "next" | "this coming" => {
            if idx > cur {
                sy
            } else {
                sy + 1
            }
        }
        _ => sy,
    };
    date(c, format!("{y:04}-{code}"))
}

fn h_holiday(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let hm = c.name("h")?;
    if !capitalised(ctx.text, hm.start()) && !hm.as_str().starts_with("the") {
        return None;
    }
    let name = lower(c, "h");
    let Some(a) = ctx.anchor else {
        let d = holiday(&name, 2001)?;
        return match name.as_str() {
            "christmas" | "christmas day" | "christmas eve" | "new year's day"
            | "new year's eve" | "independence day" | "the fourth of july" | "halloween"
            | "valentine's day" => date(c, format!("XXXX-{:02}-{:02}", d.month(), d.day())),
            _ => date(c, "XXXX-XX-XX"),
        };
    };
    let whole = c.get(0)?;
    let lean = match lower(c, "rel").as_str() {
        "last" => Lean::Past,
        "next" => Lean::Future,
        _ => lean(ctx, whole.start(), whole.end()),
    };
    let best = (a.year() - 1..=a.year() + 1)
        .filter_map(|y| holiday(&name, y))
        .min_by_key(|d| {
            let diff = (*d - a).num_days();
            match lean {
                Lean::Past if diff > 0 => diff * 3,
                Lean::Future if diff < 0 => -diff * 3,
                _ => diff.abs(),
            }
        })?;
    date(c, ymd(best))
}

// ---------------------------------------------------------------------------
// Handlers: clock times

fn clock_cand(ctx: &Ctx, c: &Captures, h: u32, mi: Option<&str>, start: usize) -> Option<Cand> {
    let clock = match mi {
        Some(mi) => format!("T{h:02}:{mi}"),
        None => format!("T{h:02}:00"),
    };
    let day = match ctx.anchor {
        Some(a) => ymd(a),
        None => "XXXX-XX-XX".into(),
    };
    let mut cd = cand(c, TimexType::Time, format!("{day}{clock}"))?;
    cd.start = start;
    cd.clock = Some(clock);
    Some(cd)
}

fn h_clock(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let hm = c.name("h")?;
    let mut h: u32 = hm.as_str().parse().ok()?;
    let ap = lower(c, "ap");
    if ap.is_empty() {
        // Bare "19:04": only with a "at" or time-zone context, and not a score.
        let pw = prev_word(ctx.text, hm.start());
        if c.name("tz").is_none() && pw != "at" && pw != "by" && pw != "until" {
            return None;
        }
    } else {
        if !(1..=12).contains(&h) {
            return None;
        }
        if ap.starts_with('p') && h < 12 {
            h += 12;
        } else if ap.starts_with('a') && h == 12 {
            h = 0;
        }
    }
    clock_cand(ctx, c, h, g(c, "mi"), hm.start())
}

fn h_noon(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let m = c.get(0)?;
    // "High Noon", "the noon meal": only as a point in time.
    let pw = prev_word(ctx.text, m.start());
    let nw = next_word(ctx.text, m.end()).to_ascii_lowercase();
    let timed = matches!(
        pw.as_str(),
        "at" | "by"
            | "until"
            | "till"
            | "before"
            | "after"
            | "around"
            | "from"
            | "to"
            | "since"
            | "about"
            | "shortly"
            | "past"
            | "at about"
    ) || weekday_number(&nw).is_some()
        || matches!(nw.as_str(), "today" | "yesterday" | "tomorrow" | "on");
    if !timed || capitalised(ctx.text, m.start()) && !sentence_initial(ctx.text, m.start()) {
        return None;
    }
    let h = if lower(c, "w") == "midnight" { 24 } else { 12 };
    clock_cand(ctx, c, h, None, c.get(0)?.start())
}

// ---------------------------------------------------------------------------
// Handlers: durations, sets, vague references

/// Whether a quantity (money, count) ends right before `pos`: "$5 a year".
fn quantity_before(text: &str, pos: usize) -> bool {
    let before = text[..pos].trim_end();
    if before.ends_with(|ch: char| ch.is_ascii_digit() || ch == '%') {
        return true;
    }
    before.rsplit(char::is_whitespace).take(3).any(|w| {
        let w = w.to_ascii_lowercase();
        w.contains(|ch: char| ch.is_ascii_digit())
            || matches!(
                w.as_str(),
                "million"
                    | "billion"
                    | "trillion"
                    | "thousand"
                    | "hundred"
                    | "dozen"
                    | "times"
                    | "once"
                    | "twice"
            )
    })
}

/// Ages ("47 years old", "a 6-year-old") are not annotated in TimeBank.
fn is_age(text: &str, end: usize) -> bool {
    // Only the next few words matter: lower-casing the whole rest of the text
    // made every duration cost the length of the document.
    let after = text[end..].trim_start_matches([' ', '-']);
    starts_with_ignore_case(after, "old") || starts_with_ignore_case(after, "of age")
}

/// What `h_duration` reads off its match before deciding anything: the
/// number and the unit, and how they were written.
struct DurationMatch<'t> {
    whole: Match<'t>,
    /// The number as written ("three", "a", "12").
    nm: Match<'t>,
    /// The unit as written ("days", "year").
    um: Match<'t>,
    unit: Unit,
    n_raw: String,
    /// The count; None for vague ones ("some", "several").
    n: Option<f64>,
    plural: bool,
    /// "a", "an" or "one": a single unit in words.
    one_word: bool,
}

impl<'t> DurationMatch<'t> {
    /// None when the unit or the number does not parse.
    fn read(c: &Captures<'t>) -> Option<Self> {
        let whole = c.get(0)?;
        let um = c.name("u")?;
        let unit = Unit::parse(um.as_str())?;
        let nm = c.name("n")?;
        let n_raw = lower(c, "n");
        let n = parse_number(&n_raw)?;
        let plural = um.as_str().to_ascii_lowercase().ends_with('s');
        let one_word = matches!(n_raw.as_str(), "a" | "an" | "one");
        Some(DurationMatch {
            whole,
            nm,
            um,
            unit,
            n_raw,
            n,
            plural,
            one_word,
        })
    }

    /// Number-and-unit phrases that are no time at all: "a second term", "a
    /// quarter of", titles ("60 Minutes"), "some day", ages.
    fn not_a_time(&self, ctx: &Ctx) -> bool {
        let (unit, um) = (self.unit, self.um);
        // "a second term", "a quarter of", "three quarters of the vote".
        (unit == Unit::Second && !self.plural && self.one_word)
            || (unit == Unit::Quarter
                && (self.one_word
                    || (self.n.is_some() && ctx.text[um.end()..].trim_start().starts_with("of "))))
            // "60 Minutes", "Two Days in May": titles.
            || capitalised(ctx.text, um.start())
            || (self.n_raw == "some" && !self.plural)
            || is_age(ctx.text, um.end())
    }

    /// "will one day be": "one day" with nothing around it that makes it a
    /// length ("for one day", "one day later") is an indefinite time.
    fn is_indefinite_one_day(&self, ctx: &Ctx, pre: &str, dir: &str) -> bool {
        if !(self.n_raw == "one"
            && self.unit == Unit::Day
            && !self.plural
            && pre.is_empty()
            && dir.is_empty())
        {
            return false;
        }
        let pw = prev_word(ctx.text, self.nm.start());
        let nw = next_word(ctx.text, self.um.end()).to_ascii_lowercase();
        let length = matches!(
            pw.as_str(),
            "for"
                | "in"
                | "within"
                | "than"
                | "only"
                | "just"
                | "over"
                | "after"
                | "before"
                | "a"
                | "about"
                | "nearly"
                | "least"
                | "per"
                | "each"
                | "every"
                | "the"
                | "of"
                | "first"
                | "last"
                | "one"
        ) || matches!(
            nw.as_str(),
            "after" | "before" | "later" | "earlier" | "of" | "and"
        );
        !length
    }

    /// "$5 a year", "four flights a week": a rate, which TimeBank leaves out.
    fn is_rate(&self, ctx: &Ctx, pre: &str, dir: &str) -> bool {
        self.one_word
            && self.n_raw != "one"
            && pre.is_empty()
            && dir.is_empty()
            && quantity_before(ctx.text, self.nm.start())
    }
}

/// Where a duration's extent starts, and its modifier as kept in the extent:
/// "over the past 12 months" starts at "the", the preposition-like modifier
/// ("over", "more than") stays out.
fn duration_start(c: &Captures, whole_start: usize) -> (usize, String) {
    let mut pre = lower(c, "pre");
    let mut start = whole_start;
    if let Some(p) = c.name("pre") {
        let ps = p.as_str().to_ascii_lowercase();
        for det in ["the ", "its ", "their "] {
            if let Some(i) = ps.find(det) {
                if i > 0 {
                    start = p.start() + i;
                    pre = ps[i..].to_string();
                }
                break;
            }
        }
    }
    (start, pre)
}

/// The point "N units ago" names; "a year ago" in a quarterly report is the
/// year-ago quarter.
fn past_point(ctx: &Ctx, n: Option<f64>, unit: Unit) -> String {
    match n {
        None => "PAST_REF".to_string(),
        Some(k) if unit == Unit::Year && k == 1.0 && ctx.quarterly => match ctx.anchor {
            Some(a) => {
                let (py, pq) = previous_quarter(a);
                format!("{:04}-Q{pq}", py - 1)
            }
            None => "XXXX-QX".into(),
        },
        Some(k) => offset_point(ctx.anchor, unit, -k),
    }
}

/// Numbers with a unit: a length ("three days", "the past 12 months"), or a
/// point counted from the anchor ("two weeks ago", "a month from now"), or
/// nothing (ages, titles, rates, "a second term").
fn h_duration(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let mut m = DurationMatch::read(c)?;
    if m.not_a_time(ctx) {
        return None;
    }
    if c.name("half").is_some() || c.name("half2").is_some() {
        m.n = m.n.map(|v| v + 0.5);
    }
    let (start, pre) = duration_start(c, m.whole.start());
    let dir = lower(c, "dir");
    if m.is_indefinite_one_day(ctx, &pre, &dir) {
        let v = match lean(ctx, m.whole.start(), m.whole.end()) {
            Lean::Future => "FUTURE_REF",
            Lean::Past => "PAST_REF",
        };
        return date(c, v);
    }
    if m.is_rate(ctx, &pre, &dir) {
        return None;
    }
    let vague_rel = matches!(lower(c, "rel").as_str(), "next" | "coming") && m.n.is_none();
    let dir = if dir == "earlier" && m.unit != Unit::Year {
        // "a day earlier": a length of time before some event.
        "earlier-duration".to_string()
    } else {
        dir
    };
    duration_cand(ctx, c, &m, start, &dir, vague_rel)
}

/// The candidate for a duration match that passed the checks: a point for
/// "ago"/"from now" and the like, else a length whose extent leaves out a
/// trailing "before"/"after"/"later".
fn duration_cand(
    ctx: &Ctx,
    c: &Captures,
    m: &DurationMatch,
    start: usize,
    dir: &str,
    vague_rel: bool,
) -> Option<Cand> {
    match dir {
        "ago" | "earlier" | "back" => {
            let mut cd = date(c, past_point(ctx, m.n, m.unit))?;
            cd.start = start;
            Some(cd)
        }
        "from now" | "hence" => {
            let v = match m.n {
                None => "FUTURE_REF".to_string(),
                Some(k) => offset_point(ctx.anchor, m.unit, k),
            };
            let mut cd = date(c, v)?;
            cd.start = start;
            Some(cd)
        }
        _ => {
            let mut cd = cand(c, TimexType::Duration, duration(m.n, m.unit))?;
            cd.start = start;
            if let Some(d) = c.name("dir") {
                if dir != "earlier-duration" {
                    cd.end = d.start();
                }
            }
            if vague_rel {
                cd.ty = TimexType::Duration;
            }
            Some(cd)
        }
    }
}

fn h_hyphen_duration(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    if lower(c, "tail") == "-old" || is_age(ctx.text, c.get(0)?.end()) {
        return None;
    }
    let unit = Unit::parse(g(c, "u")?)?;
    let n = parse_number(g(c, "n")?)??;
    if unit == Unit::Second || unit == Unit::Quarter {
        return None;
    }
    cand(c, TimexType::Duration, duration(Some(n), unit))
}

fn h_bare_units(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let um = c.name("u")?;
    let unit = Unit::parse(um.as_str())?;
    if is_age(ctx.text, um.end()) {
        return None;
    }
    let pre = lower(c, "pre");
    if pre == "recent" {
        // TimeBank: "in recent years" is PAST_REF, "recent weeks" a duration.
        return match unit {
            Unit::Year | Unit::Day | Unit::Decade => date(c, "PAST_REF"),
            _ => cand(c, TimexType::Duration, duration(None, unit)),
        };
    }
    if pre.ends_with("coming") || pre == "future" {
        return date(c, "FUTURE_REF");
    }
    if pre == "the" && c.name("ahead").is_none() {
        return None;
    }
    if pre.is_empty() {
        // Bare plural units: only as the object of a time preposition.
        let pw = prev_word(ctx.text, um.start());
        if !matches!(
            pw.as_str(),
            "for" | "in" | "within" | "over" | "after" | "take" | "takes" | "took" | "lasted"
        ) {
            return None;
        }
    }
    cand(c, TimexType::Duration, duration(None, unit))
}

fn h_past_unit(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let unit = Unit::parse(g(c, "u")?)?;
    if matches!(unit, Unit::Day | Unit::Second) {
        return None;
    }
    let _ = ctx;
    cand(c, TimexType::Duration, duration(Some(1.0), unit))
}

fn h_set(_ctx: &Ctx, c: &Captures) -> Option<Cand> {
    if let Some(adv) = g(c, "adv") {
        let v = match adv.to_ascii_lowercase().as_str() {
            "daily" | "nightly" => "P1D",
            "weekly" => "P1W",
            "biweekly" => "P2W",
            "monthly" => "P1M",
            "yearly" => "P1Y",
            "semiannually" => "P6M",
            "hourly" => "PT1H",
            _ => return None,
        };
        return cand(c, TimexType::Set, v);
    }
    if let Some(u) = g(c, "u") {
        let lu = u.to_ascii_lowercase();
        if let Some(wd) = weekday_number(&lu) {
            return cand(c, TimexType::Set, format!("XXXX-WXX-{wd}"));
        }
        if let Some(m) = month_number(&lu) {
            if lu.len() > 3 {
                return cand(c, TimexType::Set, format!("XXXX-{m:02}"));
            }
        }
        if matches!(lu.as_str(), "morning" | "afternoon" | "evening" | "night") {
            if lu == "night" {
                return cand(c, TimexType::Set, "P1D");
            }
            return cand(c, TimexType::Set, format!("XXXX-XX-XXT{}", pod_code(&lu)));
        }
        let unit = Unit::parse(&lu)?;
        let k = match lower(c, "k").as_str() {
            "" => Some(1.0),
            "other" => Some(2.0),
            s => parse_number(s)?,
        };
        return cand(c, TimexType::Set, duration(k, unit));
    }
    let u = g(c, "u2").or(g(c, "u3"))?;
    let unit = Unit::parse(u)?;
    if let Some(f) = g(c, "freq") {
        let f = f.to_ascii_lowercase();
        if f.ends_with("times") {
            let k = f.trim_end_matches("times").trim();
            parse_number(k)??;
        }
    }
    cand(c, TimexType::Set, duration(Some(1.0), unit))
}

fn h_refs(ctx: &Ctx, c: &Captures) -> Option<Cand> {
    let w = lower(c, "w");
    let v = match w.as_str() {
        "now" | "right now" | "currently" | "these days" | "nowadays" | "at present" => {
            "PRESENT_REF"
        }
        "recently" | "more recently" | "most recently" | "the past" => "PAST_REF",
        _ => "FUTURE_REF",
    };
    let m = c.get(0)?;
    // "Now" / "Currently" capitalised inside a sentence is a title.
    if capitalised(ctx.text, m.start()) && !sentence_initial(ctx.text, m.start()) {
        return None;
    }
    if w == "the past" {
        // "the past tense", "the past president" – keep only "in/of the past".
        let nw = next_word(ctx.text, m.end());
        if nw.chars().next().is_some_and(|ch| ch.is_alphanumeric()) {
            let pw = prev_word(ctx.text, m.start());
            if !matches!(pw.as_str(), "in" | "of" | "from" | "than" | "to") {
                return None;
            }
        }
    }
    date(c, v)
}

// ---------------------------------------------------------------------------
// Engine

/// Modifiers pulled into a date's extent without changing its value.
const PREFIXES: &[&str] = &[
    "the end of",
    "the beginning of",
    "the start of",
    "the middle of",
    "the rest of",
    "the remainder of",
    "the close of",
    "the turn of",
    "the first half of",
    "the second half of",
    "early on",
    "late on",
    "earlier on",
    "later on",
    "early",
    "late",
    "earlier",
    "later",
    "sometime",
    "mid",
];

fn extend_prefixes(text: &str, cands: &mut [Cand]) {
    let mut floor = 0;
    for c in cands.iter_mut() {
        let extendable =
            matches!(c.ty, TimexType::Date | TimexType::Time) && !c.value.ends_with("_REF");
        if extendable {
            let before = &text[floor..c.start];
            // "mid-1990s", "mid-November".
            let trimmed = before.strip_suffix('-').unwrap_or(before.trim_end());
            let lower = trimmed.to_ascii_lowercase();
            for p in PREFIXES {
                if lower.ends_with(p) {
                    let s = floor + trimmed.len() - p.len();
                    let boundary = s == 0 || !text[..s].ends_with(|ch: char| ch.is_alphanumeric());
                    let glued = before.ends_with('-') && !matches!(*p, "mid" | "early" | "late");
                    if boundary && !glued {
                        c.start = s;
                        break;
                    }
                }
            }
        }
        floor = c.end;
    }
}

/// Fuses a bare clock time with an adjacent day-level date:
/// "Feb. 8, 2024, 7:04 PM", "10 p.m. Wednesday", "noon Thursday".
fn fuse_clocks(text: &str, cands: Vec<Cand>) -> Vec<Cand> {
    let day_level = |c: &Cand| {
        c.clock.is_none()
            && c.ty == TimexType::Date
            && (c.value.len() == 10 || c.value.starts_with("XXXX-WXX-"))
    };
    let gap_ok = |a: usize, b: usize| {
        let gap = text[a..b]
            .trim()
            .trim_matches(',')
            .trim()
            .to_ascii_lowercase();
        gap.is_empty() || gap == "at" || gap == "on" || gap == "," || gap == "est" || gap == "edt"
    };
    let mut out: Vec<Cand> = Vec::with_capacity(cands.len());
    for c in cands {
        if let Some(prev) = out.last_mut() {
            if gap_ok(prev.end, c.start) {
                let fused = match (&prev.clock, &c.clock) {
                    (None, Some(clock)) if day_level(prev) => {
                        Some(format!("{}{clock}", prev.value))
                    }
                    (Some(clock), None) if day_level(&c) => Some(format!("{}{clock}", c.value)),
                    _ => None,
                };
                if let Some(v) = fused {
                    prev.end = c.end;
                    prev.value = v;
                    prev.ty = TimexType::Time;
                    prev.clock = None;
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

pub(crate) fn annotate(text: &str, anchor: Option<NaiveDate>) -> Vec<Timex> {
    static QUARTER: OnceLock<Regex> = OnceLock::new();
    let qre = QUARTER.get_or_init(|| Regex::new(r"(?i)\bquarter").expect("valid pattern"));
    let ctx = Ctx {
        text,
        anchor,
        quarterly: qre.is_match(text),
    };
    let mut cands = Vec::new();
    for rule in rules() {
        for caps in rule.re.captures_iter(text) {
            if let Some(mut c) = (rule.f)(&ctx, &caps) {
                if c.start < c.end {
                    c.prio = rule.prio;
                    cands.push(c);
                }
            }
        }
    }
    cands.sort_by(|a, b| {
        (b.end - b.start)
            .cmp(&(a.end - a.start))
            .then(a.prio.cmp(&b.prio))
            .then(a.start.cmp(&b.start))
    });
    // Longest first, each kept unless it overlaps one already kept. The kept
    // spans are disjoint, so keyed by start only the last one starting before
    // a candidate's end can overlap it: one ordered-map lookup, not a scan.
    let mut kept: BTreeMap<usize, Cand> = BTreeMap::new();
    for c in cands {
        let clash = kept
            .range(..c.end)
            .next_back()
            .is_some_and(|(_, o)| o.end > c.start);
        if !clash {
            kept.insert(c.start, c);
        }
    }
    let chosen: Vec<Cand> = kept.into_values().collect();
    let mut chosen = fuse_clocks(text, chosen);
    extend_prefixes(text, &mut chosen);
    chosen
        .into_iter()
        .map(|c| Timex {
            start: c.start,
            end: c.end,
            timex_type: c.ty,
            value: c.value,
        })
        .collect()
}
