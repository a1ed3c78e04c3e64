//! Temporal expressions: recognition and TimeML TIMEX3 normalisation.
//!
//! [`annotate`] finds dates, times, durations and sets in English news text
//! and gives each a TIMEX3 `value` resolved against the publication date
//! (the *anchor*); [`infer_publication_date`] finds that date in a page when
//! the caller does not have it; [`timeml`] scores the annotator on TimeML
//! files the TempEval-3 way.
//!
//! # Why it is built this way
//!
//! It is a rule system (ordered regular expressions plus small handlers that
//! look at the context and do the calendar arithmetic), in the style of
//! HeidelTime. News temporal expressions are a small, closed language, rules
//! are predictable and debuggable, and they need no model or training data.
//! All rule matches are collected and the longest non-overlapping ones win, so
//! "the end of last month" beats "last month" and "Feb. 8, 2024, 7:04 PM" is
//! one TIME rather than a DATE and a clock time.
//!
//! Anchoring conventions (those of the TimeBank/AQUAINT gold data):
//!
//! * Deictic expressions are resolved against the anchor (the document
//!   creation time), never against other dates in the text: "yesterday",
//!   "last week" (ISO week, `2024-W05`), "this year", "a year ago" (a point at
//!   the unit's granularity: `2023`).
//! * Underspecified dates ("Jan. 3", "in April", "Wednesday") take the
//!   occurrence nearest the anchor, leaning to the past as news reports past
//!   events: an occurrence after the anchor counts three times as far away,
//!   unless the nearest tense marker in the sentence ("will", "next",
//!   "scheduled", …) says the sentence is about the future, in which case the
//!   past is penalised instead. A weekday equal to the anchor's weekday is the
//!   anchor day itself (wire copy says "said Thursday" on Thursday); "last" /
//!   "next" force the previous / following week.
//! * In documents about quarters (earnings reports), "a year ago", "the
//!   year-earlier period" and "the quarter" refer to quarters: the last
//!   completed quarter, or the same quarter a year before (`1988-Q3`). A
//!   quarter named without a year that has not begun yet is last year's.
//! * "the past year" / "the past 12 months" are durations (`P1Y`, `P12M`);
//!   "last year" is the calendar year before the anchor.
//! * Durations are ISO 8601 (`P2D`, `PT3H`, vague counts `PXY`); the following
//!   "after"/"before" is not part of the extent, "ago"/"earlier" is and turns
//!   the duration into a DATE. Frequencies ("daily", "every week", "$5 a
//!   year") are SETs. "now" is `PRESENT_REF`, "recently" / "the past"
//!   `PAST_REF`, "the future" `FUTURE_REF`.
//! * Without an anchor, whatever depends on it is left as `X` (`XXXX-01-03`,
//!   `XXXX-WXX-3`, `XXXX-XX`); absolute dates still resolve fully.
//!
//! # What it does not do
//!
//! * No event-anchored resolution: "two days later", "the next day", "that
//!   year" are either left out or resolved against the anchor, not against
//!   the event they follow.
//! * Tense is a heuristic over nearby words, not a parse.
//! * Ages ("47 years old", "a 6-year-old") and rates ("$5 a year", "four
//!   flights a week") are deliberately not annotated, as in TimeBank; nor are
//!   vague words that are rarely temporal in news ("soon", "once", "then",
//!   "previously", bare "recent"/"current", "the year" outside "for the year").
//! * Extents follow TimeBank where it is consistent ("the past two months",
//!   "nearly two weeks ago", "the end of last month") and otherwise keep
//!   hedges such as "about"/"within" outside the expression.
//! * No `mod`/`freq`/`quant` attributes, no temporal links, no languages other
//!   than English, no non-Gregorian calendars.

use chrono::NaiveDate;

pub(crate) mod lexicon;
mod pubdate;
mod resolve;
mod rules;
pub mod timeml;

#[cfg(test)]
mod tests;

/// TIMEX3 type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimexType {
    Date,
    Time,
    Duration,
    Set,
}

impl TimexType {
    /// The TimeML attribute value: "DATE", "TIME", "DURATION" or "SET".
    pub fn as_str(&self) -> &'static str {
        match self {
            TimexType::Date => "DATE",
            TimexType::Time => "TIME",
            TimexType::Duration => "DURATION",
            TimexType::Set => "SET",
        }
    }

    /// Parses a TimeML type attribute (case-insensitive).
    pub fn parse(s: &str) -> Option<TimexType> {
        match s.to_ascii_uppercase().as_str() {
            "DATE" => Some(TimexType::Date),
            "TIME" => Some(TimexType::Time),
            "DURATION" => Some(TimexType::Duration),
            "SET" => Some(TimexType::Set),
            _ => None,
        }
    }
}

/// A temporal expression: byte offsets into the text (end exclusive, on char
/// boundaries), its type and its normalised TIMEX3 value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timex {
    pub start: usize,
    pub end: usize,
    pub timex_type: TimexType,
    pub value: String,
}

/// Where a publication date was found in the page text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InferredDate {
    pub date: NaiveDate,
    /// Byte span of the date expression itself (not of its label).
    pub start: usize,
    pub end: usize,
    /// "published-line", "updated-line" or "dateline".
    pub how: &'static str,
}

/// Finds and normalises the temporal expressions of `text`, resolving relative
/// ones against `anchor` (the publication date). The result is sorted by
/// start and non-overlapping.
pub fn annotate(text: &str, anchor: Option<NaiveDate>) -> Vec<Timex> {
    rules::annotate(text, anchor)
}

/// Finds the publication date of a page from its text: an explicit
/// "Published:" / "Posted on" line first, then an "Updated:" line, then a
/// news-agency dateline ("BAGHDAD, March 4 (Reuters) -") whose year must be
/// found elsewhere in the text.
pub fn infer_publication_date(text: &str) -> Option<InferredDate> {
    pubdate::infer(text)
}
