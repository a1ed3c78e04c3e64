//! Publication-date inference from page text.

use std::sync::OnceLock;

use chrono::NaiveDate;
use regex::Regex;

use super::lexicon::{month_number, month_re, DAY_RE, WEEKDAY_RE, YEAR_RE};
use super::{rules, InferredDate};

struct Patterns {
    label: Regex,
    dateline: Regex,
    copyright: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let month = month_re();
        let full = format!(
            r"(?:(?:{WEEKDAY_RE}),?\s+)?(?:(?:{month})\s*(?:{DAY_RE}),?\s*(?:{YEAR_RE})\b|(?:{DAY_RE})\s+(?:{month}),?\s*(?:{YEAR_RE})\b|(?:{YEAR_RE})-[01]\d-[0-3]\d\b|(?:1[0-2]|0?[1-9])/(?:[0-3]?\d)/(?:{YEAR_RE})\b)"
        );
        let label = format!(
            r"(?i)\b(?:(?P<pub>first\s+published|published|posted|publication\s+date|date\s+published)|(?P<upd>last\s+updated|updated|last\s+modified|modified))(?:\s+on)?\s*[:\-–—|]?\s*(?:on\s+)?(?P<date>{full})"
        );
        let dateline = format!(
            r"(?m)^[ \t]*[A-Z][A-Z.'\- ]+(?:,\s*[A-Z][A-Za-z.' ]+)?,\s+(?P<date>(?i:{month})\s*(?P<d>{DAY_RE})(?:,?\s*(?P<y>{YEAR_RE}))?)\s*(?:\([^)\n]{{1,40}}\)\s*)?(?:-|–|—|_)"
        );
        Patterns {
            label: Regex::new(&label).expect("valid pattern"),
            dateline: Regex::new(&dateline).expect("valid pattern"),
            copyright: Regex::new(&format!(
                r"(?i)(?:©|\(c\)|copyright)\s*(?P<y>{YEAR_RE})\b"
            ))
            .expect("valid pattern"),
        }
    })
}

/// The calendar date of a full date expression found in a label line.
fn parse_full(s: &str) -> Option<NaiveDate> {
    let t = rules::annotate(s, None).into_iter().next()?;
    NaiveDate::parse_from_str(t.value.get(..10)?, "%Y-%m-%d").ok()
}

/// The latest year named in a full date or copyright line of the text.
fn year_from_text(text: &str) -> Option<i32> {
    let p = patterns();
    if let Some(c) = p.copyright.captures(text) {
        return c["y"].parse().ok();
    }
    rules::annotate(text, None)
        .into_iter()
        .filter(|t| t.value.len() >= 7 && t.value[..4].bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|t| t.value[..4].parse::<i32>().ok())
        .max()
}

pub(crate) fn infer(text: &str) -> Option<InferredDate> {
    let p = patterns();
    let mut updated = None;
    for c in p.label.captures_iter(text) {
        let m = c.name("date")?;
        let Some(date) = parse_full(m.as_str()) else {
            continue;
        };
        let found = InferredDate {
            date,
            start: m.start(),
            end: m.end(),
            how: if c.name("pub").is_some() {
                "published-line"
            } else {
                "updated-line"
            },
        };
        if found.how == "published-line" {
            return Some(found);
        }
        updated.get_or_insert(found);
    }
    if updated.is_some() {
        return updated;
    }
    let c = p.dateline.captures(text)?;
    let m = c.name("date")?;
    let month = month_number(m.as_str().split([' ', '.']).next()?)?;
    let day: u32 = c["d"]
        .trim_end_matches(|ch: char| ch.is_ascii_alphabetic())
        .parse()
        .ok()?;
    let year = match c.name("y") {
        Some(y) => y.as_str().parse().ok()?,
        None => year_from_text(text)?,
    };
    Some(InferredDate {
        date: NaiveDate::from_ymd_opt(year, month, day)?,
        start: m.start(),
        end: m.end(),
        how: "dateline",
    })
}
