//! The time of an event: the time expression attached to its trigger in the
//! parse ("killed *on Tuesday*", "the *March 3* attack"), else one attached
//! to the verb of its clause, else none. Durations and sets ("for three
//! days", "every hour") are never an event's date; neither is a time
//! expression merely somewhere in the sentence.
//!
//! "A day earlier" and "two days later" are lengths of time to the time
//! expression does not anchor (they follow TimeBank, where they are
//! durations); as an event's time they count from the narrative's last full
//! date before them: "Gunmen attacked a post on 3 May. A day earlier,
//! militants had stormed a hotel" dates the second attack 2 May. With no
//! such date before them they date nothing.

use super::graph::Graph;
use crate::document::{Span, TimeExpr};
use chrono::NaiveDate;

/// When an event happened: the span of text that says so and its TIMEX3
/// value.
pub struct EventTime {
    pub span: Span,
    pub value: String,
}

/// Relations by which a time expression attaches to what it dates.
/// (`obl:unmarked` and `nmod:unmarked` are UD English EWT 2.14's names for
/// bare noun phrases such as "Tuesday", `obl:tmod` and `obl:npmod` before;
/// `nmod:poss` dates "Wednesday's attacks", `nummod` "the 2003 invasion".)
const TIME_RELS: [&str; 12] = [
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
    "nmod:poss",
    "nummod",
];

/// Whether a TIMEX3 value begins after `day` ("2024-03-22", "2024-W13",
/// "2024-04", "2025", "FUTURE_REF" after 2024-03-15): an event dated so,
/// against its article's publication day, is still to come.
pub fn starts_after(value: &str, day: NaiveDate) -> bool {
    if value == "FUTURE_REF" {
        return true;
    }
    let num = |s: Option<&str>| s.and_then(|s| s.parse::<u32>().ok());
    let mut parts = value.get(..10).unwrap_or(value).split('-');
    let Some(year) = num(parts.next()).and_then(|y| i32::try_from(y).ok()) else {
        return false;
    };
    let second = parts.next();
    let start = match second {
        None => NaiveDate::from_ymd_opt(year, 1, 1),
        Some(w) if w.starts_with('W') => {
            let week = num(w.get(1..));
            week.and_then(|w| NaiveDate::from_isoywd_opt(year, w, chrono::Weekday::Mon))
        }
        Some(m) => {
            let day = num(parts.next()).unwrap_or(1);
            num(Some(m)).and_then(|m| NaiveDate::from_ymd_opt(year, m, day))
        }
    };
    start.is_some_and(|s| s > day)
}

/// The time expression dating the event triggered by `t`.
pub fn event_time(g: &Graph, t: usize) -> Option<EventTime> {
    let v = g.clause_verb(t);
    // "Left Iraq in 2011 following the invasion": an event placed before or
    // after the clause's is not at the clause's time.
    let ordered = g.cases(t).iter().any(|c| ORDERING.contains(c));
    attached(g, t)
        .or_else(|| {
            if v != t && !ordered {
                attached(g, v)
            } else {
                None
            }
        })
        .or_else(|| shared_verb(g, t).and_then(|h| attached(g, h)))
}

/// Prepositions that order an event against its clause's, as lemmas (a
/// parser may lemmatize "following" as "follow").
const ORDERING: [&str; 8] = [
    "after",
    "following",
    "follow",
    "before",
    "since",
    "until",
    "prior",
    "ahead",
];

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
fn attached(g: &Graph, w: usize) -> Option<EventTime> {
    g.children(w)
        .iter()
        .filter(|&&c| TIME_RELS.contains(&g.rel(c)))
        .find_map(|&c| {
            let own = g.time(c);
            let time = own.or_else(|| inner_time(g, c))?;
            let complemented =
                own.is_some() && g.deps(c, "nmod").any(|d| !time.span.contains(&g.span(d)));
            if complemented {
                return None;
            }
            match time.timex_type.as_str() {
                "DATE" | "TIME" => Some(EventTime {
                    span: time.span,
                    value: time.value.clone(),
                }),
                "DURATION" => relative(g, time),
                _ => None,
            }
        })
}

/// "A day earlier", "two weeks later": the date that far from the last full
/// date the text gives before it (see the module documentation).
fn relative(g: &Graph, time: &TimeExpr) -> Option<EventTime> {
    let text = g.doc.text.as_str();
    let own = text[time.span.start..time.span.end].to_lowercase();
    // The word after the expression, which TimeBank leaves out of "two days
    // later".
    let rest = &text[time.span.end..];
    let skip = rest.len() - rest.trim_start().len();
    let word_len = rest[skip..]
        .find(|c: char| !c.is_alphabetic())
        .unwrap_or(rest.len() - skip);
    let next = rest[skip..skip + word_len].to_lowercase();
    let (sign, end) = if own.ends_with(" earlier") || own.ends_with(" before") {
        (-1, time.span.end)
    } else {
        let end = time.span.end + skip + word_len;
        match next.as_str() {
            "later" => (1, end),
            "earlier" => (-1, end),
            _ => return None,
        }
    };
    let days = duration_days(&time.value)? * sign;
    let anchor = last_full_date(&g.doc.times, time.span.start)?;
    let date = anchor.checked_add_signed(chrono::Duration::days(days))?;
    Some(EventTime {
        span: Span::new(time.span.start, end),
        value: date.format("%Y-%m-%d").to_string(),
    })
}

/// Days in a duration of days or weeks ("P1D", "P2W").
fn duration_days(value: &str) -> Option<i64> {
    let body = value.strip_prefix('P')?;
    let (n, unit) = body.split_at(body.len().checked_sub(1)?);
    let n: i64 = n.parse().ok()?;
    match unit {
        "D" => Some(n),
        "W" => Some(7 * n),
        _ => None,
    }
}

/// The last DATE with a full day value (`2023-06-04`) that ends before
/// `before` (times are in text order).
fn last_full_date(times: &[TimeExpr], before: usize) -> Option<NaiveDate> {
    let k = times.partition_point(|t| t.span.end <= before);
    times[..k]
        .iter()
        .rev()
        .filter(|t| t.timex_type == "DATE")
        .find_map(|t| NaiveDate::parse_from_str(&t.value, "%Y-%m-%d").ok())
}

/// A time expression in the phrase of `c` ("on the night of 4 June": the
/// expression is on a dependent of "night"; "two days later": on one of
/// "later").
fn inner_time<'a>(g: &Graph<'a>, c: usize) -> Option<&'a TimeExpr> {
    g.children(c)
        .iter()
        .filter(|&&d| {
            // "two days later": the length hangs on "later" as a bare noun phrase.
            matches!(
                g.rel(d),
                "nmod" | "nummod" | "compound" | "flat" | "obl:unmarked" | "obl:npmod" | "obl:tmod"
            )
        })
        .find_map(|&d| g.time(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_starts_after_a_day_when_its_first_day_is_later() {
        let day = NaiveDate::from_ymd_opt(2024, 3, 15).unwrap();
        for later in ["2024-03-16", "2024-W12", "2024-04", "2025", "FUTURE_REF"] {
            assert!(starts_after(later, day), "{later}");
        }
        let not_later = [
            "2024-03-15",
            "2024-03-14T10:00",
            "2024-W11",
            "2024-03",
            "2024",
            "2024-Q1",
            "PRESENT_REF",
            "PAST_REF",
            "XXXX-03-20",
            "P3D",
        ];
        for v in not_later {
            assert!(!starts_after(v, day), "{v}");
        }
    }
}
