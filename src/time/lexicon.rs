//! Word lists and regular-expression fragments shared by the rules.
//!
//! Lexicons are kept in code on purpose: they are small, they are tied to the
//! rule patterns that use them, and keeping them here means the temporal stage
//! has no runtime data dependency.

/// Full month names (lower case), January first.
pub const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Weekday names (lower case), Monday first (ISO numbering = index + 1).
pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

const ONES: [&str; 19] = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];

const TENS: [&str; 8] = [
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

/// Month name or abbreviation ("Jan.", "Sept", "September").
pub fn month_re() -> String {
    format!(
        r"(?:(?:{})\b|(?:jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)(?:\.|\b))",
        MONTHS.join("|")
    )
}

/// Full month name only (used where abbreviations would be too ambiguous).
pub fn month_full_re() -> String {
    format!(r"(?:(?:{})\b|sept\.)", MONTHS.join("|"))
}

pub const WEEKDAY_RE: &str = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)";

/// Day of month with optional ordinal suffix.
pub const DAY_RE: &str = r"(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?";

/// A four-digit year between 1000 and 2099.
pub const YEAR_RE: &str = r"(?:1[0-9]|20)[0-9]{2}";

/// A spelled-out or numeric count ("two", "twenty-four", "12", "a few").
pub fn number_re() -> String {
    let ones: Vec<&str> = ONES.iter().rev().copied().collect();
    format!(
        r"(?:\d+(?:\.\d+)?(?:\s+\d/\d)?|(?:{tens})(?:[-\s](?:{ones9}))?|(?:{ones})|a\s+hundred|one\s+hundred|a\s+dozen|a\s+couple\s+of|a\s+couple|couple\s+of|a\s+few|few|several|some|many|a|an)",
        tens = TENS.join("|"),
        ones9 = ONES[..9].join("|"),
        ones = ones.join("|"),
    )
}

/// Time units, singular and plural.
pub const UNIT_RE: &str = r"(?:seconds?|minutes?|hours?|days?|nights?|weeks?|fortnights?|months?|quarters?|years?|decades?|century|centuries|millennium|millennia)";

/// Parsed count: `Some(n)` for a known number, `None` for a vague one ("a few").
pub fn parse_number(s: &str) -> Option<Option<f64>> {
    let s = s.trim().to_ascii_lowercase();
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        let mut parts = s.split(' ');
        let whole: f64 = parts.next()?.parse().ok()?;
        let frac = match parts.next() {
            Some(f) => {
                let (a, b) = f.split_once('/')?;
                let (a, b): (f64, f64) = (a.parse().ok()?, b.parse().ok()?);
                if b == 0.0 {
                    return None;
                }
                a / b
            }
            None => 0.0,
        };
        return Some(Some(whole + frac));
    }
    match s.as_str() {
        "a" | "an" => return Some(Some(1.0)),
        "a couple of" | "a couple" | "couple of" => return Some(Some(2.0)),
        "a dozen" => return Some(Some(12.0)),
        "a hundred" | "one hundred" => return Some(Some(100.0)),
        "a few" | "few" | "several" | "some" | "many" => return Some(None),
        _ => {}
    }
    if let Some(i) = ONES.iter().position(|w| *w == s) {
        return Some(Some((i + 1) as f64));
    }
    let mut it = s.split(['-', ' ']);
    let tens = it.next()?;
    let t = TENS.iter().position(|w| *w == tens)?;
    let mut v = (t as f64 + 2.0) * 10.0;
    if let Some(o) = it.next() {
        let o = ONES[..9].iter().position(|w| *w == o)?;
        v += (o + 1) as f64;
    }
    Some(Some(v))
}

/// Value of a spelled number below 100 ("ninety-six" → 96, "eight" → 8).
pub fn small_number_word(s: &str) -> Option<u32> {
    match parse_number(s)? {
        Some(v) if v.fract() == 0.0 && v < 100.0 && !s.trim().starts_with('a') => Some(v as u32),
        _ => None,
    }
}

/// Spelled tens/ones fragment for years like "nineteen ninety-six".
pub fn year_words_re() -> String {
    format!(
        r"(?:(?:{tens})(?:[-\s](?:{ones9}))?|(?:{ones}))",
        tens = TENS.join("|"),
        ones9 = ONES[..9].join("|"),
        ones = ONES.iter().rev().copied().collect::<Vec<_>>().join("|"),
    )
}

/// Month number (1-12) from a name or abbreviation.
pub fn month_number(s: &str) -> Option<u32> {
    let s = s.trim().trim_end_matches('.').to_ascii_lowercase();
    // `get`, not indexing: the word may be non-ASCII ("𖭐", found by tests/fuzz.rs).
    let prefix = s.get(..3)?;
    MONTHS
        .iter()
        .position(|m| m.starts_with(prefix) && m.starts_with(s.as_str()))
        .or_else(|| (s == "sept").then_some(8))
        .map(|i| i as u32 + 1)
}

/// ISO weekday number (Monday = 1) from a name.
pub fn weekday_number(s: &str) -> Option<u32> {
    let s = s.to_ascii_lowercase();
    WEEKDAYS
        .iter()
        .position(|w| s.starts_with(w))
        .map(|i| i as u32 + 1)
}

/// Nouns that, right after a four-digit number, show it is a count, not a year.
pub const COUNT_NOUNS: &[&str] = &[
    "people",
    "persons",
    "troops",
    "soldiers",
    "men",
    "women",
    "children",
    "police",
    "policemen",
    "officers",
    "workers",
    "employees",
    "jobs",
    "staff",
    "students",
    "residents",
    "refugees",
    "civilians",
    "deaths",
    "dead",
    "cases",
    "votes",
    "voters",
    "members",
    "delegates",
    "prisoners",
    "feet",
    "foot",
    "meters",
    "metres",
    "miles",
    "kilometers",
    "kilometres",
    "km",
    "yards",
    "tons",
    "tonnes",
    "pounds",
    "units",
    "shares",
    "cars",
    "homes",
    "houses",
    "points",
    "barrels",
    "acres",
    "hours",
    "gmt",
    "local",
    "dollars",
    "euros",
    "others",
    "more",
    "times",
];

/// Words before a four-digit number that make it a quantity rather than a year.
pub const QUANTITY_BEFORE: &[&str] = &[
    "about",
    "some",
    "nearly",
    "approximately",
    "around",
    "than",
    "only",
    "almost",
    "least",
    "roughly",
    "total",
    "no.",
    "number",
    "flight",
    "route",
    "room",
    "highway",
    "interstate",
    "model",
    "version",
    "dow",
    "index",
];

/// Words before a four-digit number that make it a year.
pub const YEAR_BEFORE: &[&str] = &[
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
    "through",
    "between",
    "circa",
    "fiscal",
    "year",
    "early",
    "late",
    "mid",
    "spring",
    "summer",
    "fall",
    "autumn",
    "winter",
    "christmas",
    "the",
    "its",
    "their",
    "his",
    "her",
    "for",
    "and",
    "or",
];

#[cfg(test)]
mod tests {
    #[test]
    fn month_number_of_a_non_ascii_word_is_none() {
        // Regression: sliced inside a 4-byte character and panicked.
        assert_eq!(super::month_number("\u{16b50}"), None);
        assert_eq!(super::month_number("Sept."), Some(9));
        assert_eq!(super::month_number("Jan"), Some(1));
    }
}
