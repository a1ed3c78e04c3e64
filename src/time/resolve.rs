//! Calendar arithmetic and TIMEX3 value formatting.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

/// Granularity of a relative expression ("last *month*").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
    Decade,
    Century,
}

impl Unit {
    pub fn parse(s: &str) -> Option<Unit> {
        let s = s.to_ascii_lowercase();
        let u = match s.as_str() {
            "second" | "seconds" => Unit::Second,
            "minute" | "minutes" => Unit::Minute,
            "hour" | "hours" => Unit::Hour,
            "day" | "days" | "night" | "nights" => Unit::Day,
            "week" | "weeks" => Unit::Week,
            "fortnight" | "fortnights" => Unit::Week,
            "month" | "months" => Unit::Month,
            "quarter" | "quarters" => Unit::Quarter,
            "year" | "years" => Unit::Year,
            "decade" | "decades" => Unit::Decade,
            "century" | "centuries" => Unit::Century,
            _ => return None,
        };
        Some(u)
    }
}

/// Direction a vague reference points to, from the sentence's tense.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lean {
    Past,
    Future,
}

pub fn ymd(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

pub fn week(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{:04}-W{:02}", w.year(), w.week())
}

pub fn quarter_of(d: NaiveDate) -> u32 {
    (d.month() - 1) / 3 + 1
}

/// Value of the period of `unit` containing `anchor` shifted by `n` units.
pub fn shifted(anchor: Option<NaiveDate>, unit: Unit, n: i64) -> String {
    let Some(a) = anchor else {
        return match unit {
            Unit::Second | Unit::Minute | Unit::Hour | Unit::Day => "XXXX-XX-XX".into(),
            Unit::Week => "XXXX-WXX".into(),
            Unit::Month => "XXXX-XX".into(),
            Unit::Quarter => "XXXX-QX".into(),
            Unit::Year => "XXXX".into(),
            Unit::Decade => "XXX".into(),
            Unit::Century => "XX".into(),
        };
    };
    match unit {
        Unit::Second | Unit::Minute | Unit::Hour => ymd(a),
        Unit::Day => ymd(add_days(a, n)),
        Unit::Week => week(add_days(a, 7 * n)),
        Unit::Month => {
            let d = add_months(a, n);
            format!("{:04}-{:02}", d.year(), d.month())
        }
        Unit::Quarter => {
            let idx = a.year() as i64 * 4 + (quarter_of(a) as i64 - 1) + n;
            format!("{:04}-Q{}", idx.div_euclid(4), idx.rem_euclid(4) + 1)
        }
        Unit::Year => format!("{:04}", a.year() as i64 + n),
        Unit::Decade => format!("{:03}", (a.year() as i64).div_euclid(10) + n),
        Unit::Century => format!("{:02}", (a.year() as i64).div_euclid(100) + n),
    }
}

/// Value of the point `n` units before (negative) or after the anchor, at the
/// unit's granularity ("two years ago" → the year two years back).
pub fn offset_point(anchor: Option<NaiveDate>, unit: Unit, n: f64) -> String {
    let whole = n.round() as i64;
    match unit {
        Unit::Decade => shifted(anchor, Unit::Year, whole * 10),
        Unit::Century => shifted(anchor, Unit::Year, whole * 100),
        u => shifted(anchor, u, whole),
    }
}

pub fn add_days(d: NaiveDate, n: i64) -> NaiveDate {
    if n >= 0 {
        d.checked_add_days(Days::new(n as u64)).unwrap_or(d)
    } else {
        d.checked_sub_days(Days::new(n.unsigned_abs())).unwrap_or(d)
    }
}

pub fn add_months(d: NaiveDate, n: i64) -> NaiveDate {
    if n >= 0 {
        d.checked_add_months(Months::new(n as u32)).unwrap_or(d)
    } else {
        d.checked_sub_months(Months::new(n.unsigned_abs() as u32))
            .unwrap_or(d)
    }
}

/// Formats a count for a duration ("2", "1.5"); `None` → "X".
fn count(n: Option<f64>) -> String {
    match n {
        None => "X".into(),
        Some(v) if v.fract() == 0.0 => format!("{}", v as i64),
        Some(v) => format!("{v}"),
    }
}

/// ISO 8601 duration value for `n` units ("P2D", "PT3H", "PXY").
pub fn duration(n: Option<f64>, unit: Unit) -> String {
    // Fractions become whole numbers of a smaller unit where possible.
    if let Some(v) = n {
        if v.fract() != 0.0 {
            let smaller = match unit {
                Unit::Year => Some((v * 12.0, Unit::Month)),
                Unit::Day => Some((v * 24.0, Unit::Hour)),
                Unit::Week => Some((v * 7.0, Unit::Day)),
                Unit::Hour => Some((v * 60.0, Unit::Minute)),
                Unit::Minute => Some((v * 60.0, Unit::Second)),
                _ => None,
            };
            if let Some((w, u)) = smaller {
                if w.fract() == 0.0 {
                    if unit == Unit::Year && v > 1.0 {
                        // "2 1/2 years" → P2Y6M.
                        let months = (v.fract() * 12.0).round() as i64;
                        return format!("P{}Y{months}M", v.trunc() as i64);
                    }
                    if unit == Unit::Hour || unit == Unit::Minute {
                        // "5 1/2 hours" → PT5H30M reads better than PT330M.
                        let big = v.trunc();
                        let small = (v.fract() * 60.0).round();
                        let (b, s) = if unit == Unit::Hour {
                            ('H', 'M')
                        } else {
                            ('M', 'S')
                        };
                        if big > 0.0 {
                            return format!("PT{}{b}{}{s}", big as i64, small as i64);
                        }
                    }
                    return duration(Some(w), u);
                }
            }
        }
    }
    match unit {
        Unit::Second => format!("PT{}S", count(n)),
        Unit::Minute => format!("PT{}M", count(n)),
        Unit::Hour => format!("PT{}H", count(n)),
        Unit::Day => format!("P{}D", count(n)),
        Unit::Week => format!("P{}W", count(n)),
        Unit::Month => format!("P{}M", count(n)),
        Unit::Quarter => format!("P{}Q", count(n)),
        Unit::Year => format!("P{}Y", count(n)),
        Unit::Decade => match n {
            Some(v) => format!("P{}Y", count(Some(v * 10.0))),
            None => "PXE".into(),
        },
        Unit::Century => match n {
            Some(v) => format!("P{}Y", count(Some(v * 100.0))),
            None => "PXC".into(),
        },
    }
}

/// Picks the year for a month/day given without one: the occurrence nearest
/// to the anchor, where occurrences on the disfavoured side of the anchor
/// count three times as far away (news mostly reports the past).
pub fn nearest_year(anchor: NaiveDate, month: u32, day: u32, lean: Lean) -> Option<i32> {
    let mut best: Option<(i64, i32)> = None;
    for y in anchor.year() - 1..=anchor.year() + 1 {
        let Some(d) = NaiveDate::from_ymd_opt(y, month, day) else {
            continue;
        };
        let diff = (d - anchor).num_days();
        let cost = match lean {
            Lean::Past if diff > 0 => diff * 3,
            Lean::Future if diff < 0 => -diff * 3,
            _ => diff.abs(),
        };
        if best.is_none_or(|(c, _)| cost < c) {
            best = Some((cost, y));
        }
    }
    best.map(|(_, y)| y)
}

/// Year for a month named without a year ("in April").
pub fn nearest_month_year(anchor: NaiveDate, month: u32, lean: Lean) -> i32 {
    let am = anchor.month() as i32;
    let m = month as i32;
    if m == am {
        return anchor.year();
    }
    let past = (am - m).rem_euclid(12); // months back to the previous occurrence
    let fut = (m - am).rem_euclid(12);
    let (pc, fc) = match lean {
        Lean::Past => (past, fut * 3),
        Lean::Future => (past * 3, fut),
    };
    if pc <= fc {
        if m < am {
            anchor.year()
        } else {
            anchor.year() - 1
        }
    } else if m > am {
        anchor.year()
    } else {
        anchor.year() + 1
    }
}

/// Date of the weekday `wd` (ISO number) nearest the anchor in the given
/// direction; the anchor's own weekday resolves to the anchor itself unless
/// `strict` (as for "last Friday" / "next Friday").
pub fn weekday_date(anchor: NaiveDate, wd: u32, lean: Lean, strict: bool) -> NaiveDate {
    let aw = anchor.weekday().number_from_monday() as i64;
    let wd = wd as i64;
    match lean {
        Lean::Past => {
            let mut back = (aw - wd).rem_euclid(7);
            if back == 0 && strict {
                back = 7;
            }
            add_days(anchor, -back)
        }
        Lean::Future => {
            let mut fwd = (wd - aw).rem_euclid(7);
            if fwd == 0 && strict {
                fwd = 7;
            }
            add_days(anchor, fwd)
        }
    }
}

/// ISO week value of the weekend nearest the anchor in the given direction.
pub fn weekend(anchor: NaiveDate, lean: Lean, shift_weeks: i64) -> String {
    let wd = anchor.weekday();
    let base = if matches!(wd, Weekday::Sat | Weekday::Sun) {
        anchor
    } else if lean == Lean::Past {
        add_days(anchor, -7)
    } else {
        anchor
    };
    format!("{}-WE", week(add_days(base, 7 * shift_weeks)))
}

/// Season code and its index (spring = 1 … winter = 4).
pub fn season(s: &str) -> Option<(&'static str, u32)> {
    match s.to_ascii_lowercase().as_str() {
        "spring" => Some(("SP", 1)),
        "summer" => Some(("SU", 2)),
        "fall" | "autumn" => Some(("FA", 3)),
        "winter" => Some(("WI", 4)),
        _ => None,
    }
}

pub fn season_of(d: NaiveDate) -> u32 {
    match d.month() {
        3..=5 => 1,
        6..=8 => 2,
        9..=11 => 3,
        _ => 4,
    }
}

/// Date of a named holiday in a given year.
pub fn holiday(name: &str, year: i32) -> Option<NaiveDate> {
    let n = name.to_ascii_lowercase();
    let n = n.split_whitespace().collect::<Vec<_>>().join(" ");
    let fixed = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    let nth = |m: u32, wd: Weekday, k: u8| NaiveDate::from_weekday_of_month_opt(year, m, wd, k);
    match n.as_str() {
        "christmas" | "christmas day" => fixed(12, 25),
        "christmas eve" => fixed(12, 24),
        "new year's day" | "new year's" => fixed(1, 1),
        "new year's eve" => fixed(12, 31),
        "independence day" | "the fourth of july" => fixed(7, 4),
        "halloween" => fixed(10, 31),
        "valentine's day" => fixed(2, 14),
        "thanksgiving" | "thanksgiving day" => nth(11, Weekday::Thu, 4),
        "labor day" => nth(9, Weekday::Mon, 1),
        "memorial day" => {
            let first_june = NaiveDate::from_ymd_opt(year, 6, 1)?;
            let back = (first_june.weekday().num_days_from_monday() + 6) % 7 + 1;
            Some(add_days(first_june, -(back as i64)))
        }
        "easter" | "easter sunday" => easter(year),
        "good friday" => easter(year).map(|d| add_days(d, -2)),
        _ => None,
    }
}

/// Gregorian Easter Sunday (anonymous Gregorian algorithm).
fn easter(y: i32) -> Option<NaiveDate> {
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(y, month as u32, day as u32)
}
