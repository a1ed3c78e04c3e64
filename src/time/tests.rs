//! Behaviour tests for the annotator, on sentences written for the purpose.
//! Anchor: Thursday 2024-02-08 unless stated.

use chrono::NaiveDate;

use super::{annotate, infer_publication_date, TimexType};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn anchor() -> Option<NaiveDate> {
    Some(d(2024, 2, 8))
}

/// (extent text, type, value) of every expression found.
fn run(text: &str, anchor: Option<NaiveDate>) -> Vec<(String, &'static str, String)> {
    annotate(text, anchor)
        .into_iter()
        .map(|t| {
            (
                text[t.start..t.end].to_string(),
                t.timex_type.as_str(),
                t.value,
            )
        })
        .collect()
}

/// Asserts that `text` contains exactly one expression, with this extent,
/// type and value.
#[track_caller]
fn one(text: &str, extent: &str, ty: &str, value: &str) {
    one_at(text, anchor(), extent, ty, value);
}

#[track_caller]
fn one_at(text: &str, a: Option<NaiveDate>, extent: &str, ty: &str, value: &str) {
    assert_eq!(
        run(text, a),
        vec![(extent.to_string(), ty, value.to_string())],
        "in {text:?}"
    );
}

#[track_caller]
fn none(text: &str) {
    assert_eq!(run(text, anchor()), vec![], "in {text:?}");
}

#[test]
fn month_day_takes_nearest_year() {
    one(
        "The talks began on Jan. 3 in Doha.",
        "Jan. 3",
        "DATE",
        "2024-01-03",
    );
    one_at(
        "The talks began on Jan. 3 in Doha.",
        Some(d(2020, 1, 9)),
        "Jan. 3",
        "DATE",
        "2020-01-03",
    );
    one(
        "He was arrested on 3 January.",
        "3 January",
        "DATE",
        "2024-01-03",
    );
}

#[test]
fn full_dates_and_clock_times() {
    one(
        "It happened on January 3, 2020.",
        "January 3, 2020",
        "DATE",
        "2020-01-03",
    );
    one(
        "The ruling of June 29, 2016 stands.",
        "June 29, 2016",
        "DATE",
        "2016-06-29",
    );
    one(
        "Updated Feb. 8, 2024, 7:04 PM by staff",
        "Feb. 8, 2024, 7:04 PM",
        "TIME",
        "2024-02-08T19:04",
    );
}

#[test]
fn years_months_decades() {
    one("Elections are due in 2024.", "2024", "DATE", "2024");
    one(
        "Prices rose in March 2024.",
        "March 2024",
        "DATE",
        "2024-03",
    );
    one("It grew in the 1990s.", "the 1990s", "DATE", "199");
    one("Crime fell during 1990s reforms.", "1990s", "DATE", "199");
    one("Sales fell in fiscal 1998.", "fiscal 1998", "DATE", "1998");
}

#[test]
fn weekdays_default_to_the_past() {
    one(
        "Police said the blast happened Wednesday.",
        "Wednesday",
        "DATE",
        "2024-02-07",
    );
    one(
        "Officials said Thursday that talks failed.",
        "Thursday",
        "DATE",
        "2024-02-08",
    );
    one(
        "The vote is next Wednesday.",
        "next Wednesday",
        "DATE",
        "2024-02-14",
    );
    one(
        "The leaders will meet on Sunday.",
        "Sunday",
        "DATE",
        "2024-02-11",
    );
}

#[test]
fn weekday_parts_of_day() {
    one(
        "Rain fell on Sunday afternoon.",
        "Sunday afternoon",
        "TIME",
        "2024-02-04TAF",
    );
    one(
        "Shots rang out Wednesday night.",
        "Wednesday night",
        "TIME",
        "2024-02-07TNI",
    );
    one(
        "It ended late on Wednesday.",
        "late on Wednesday",
        "DATE",
        "2024-02-07",
    );
}

#[test]
fn deictic_days() {
    one("He resigned today.", "today", "DATE", "2024-02-08");
    one("He resigned yesterday.", "yesterday", "DATE", "2024-02-07");
    one("She will speak tomorrow.", "tomorrow", "DATE", "2024-02-09");
    one(
        "She is speaking this morning.",
        "this morning",
        "TIME",
        "2024-02-08TMO",
    );
    one(
        "She will speak tonight.",
        "tonight",
        "TIME",
        "2024-02-08TNI",
    );
}

#[test]
fn vague_references() {
    one("The city is now calm.", "now", "DATE", "PRESENT_REF");
    one("He recently moved.", "recently", "DATE", "PAST_REF");
    one(
        "Nobody can predict the future.",
        "the future",
        "DATE",
        "FUTURE_REF",
    );
}

#[test]
fn relative_periods() {
    one("Exports fell last month.", "last month", "DATE", "2024-01");
    one("Talks resume this week.", "this week", "DATE", "2024-W06");
    one(
        "Talks broke down last week.",
        "last week",
        "DATE",
        "2024-W05",
    );
    one("Turnout fell last year.", "last year", "DATE", "2023");
    one("Turnout rose this year.", "this year", "DATE", "2024");
    one("Talks resume next month.", "next month", "DATE", "2024-03");
    one(
        "Troops left at the end of last month.",
        "the end of last month",
        "DATE",
        "2024-01",
    );
    one(
        "Troops left earlier this month.",
        "earlier this month",
        "DATE",
        "2024-02",
    );
}

#[test]
fn durations() {
    one("The siege lasted two days.", "two days", "DURATION", "P2D");
    one(
        "He died two days after the raid.",
        "two days",
        "DURATION",
        "P2D",
    );
    one(
        "Peace came a decade after the war.",
        "a decade",
        "DURATION",
        "P10Y",
    );
    one(
        "He served three years in prison.",
        "three years",
        "DURATION",
        "P3Y",
    );
    one("Rescuers worked for hours.", "hours", "DURATION", "PTXH");
    one("The talks took months.", "months", "DURATION", "PXM");
    one(
        "Prices rose over the past 12 months.",
        "the past 12 months",
        "DURATION",
        "P12M",
    );
    one(
        "Prices rose over the past year.",
        "the past year",
        "DURATION",
        "P1Y",
    );
}

#[test]
fn ago_is_a_date() {
    one("He left two years ago.", "two years ago", "DATE", "2022");
    one(
        "He left three days ago.",
        "three days ago",
        "DATE",
        "2024-02-05",
    );
}

#[test]
fn sets() {
    one("The paper appears weekly.", "weekly", "SET", "P1W");
    one("They meet every week.", "every week", "SET", "P1W");
    one("The festival is held each year.", "each year", "SET", "P1Y");
    one("He runs daily.", "daily", "SET", "P1D");
}

#[test]
fn quarters() {
    one(
        "Profit rose in the first quarter.",
        "the first quarter",
        "DATE",
        "2024-Q1",
    );
    one(
        "Third-quarter profit fell.",
        "Third-quarter",
        "DATE",
        "2023-Q3",
    );
}

#[test]
fn without_anchor_unknown_parts_are_x() {
    one_at("It began Jan. 3.", None, "Jan. 3", "DATE", "XXXX-01-03");
    one_at(
        "It began Wednesday.",
        None,
        "Wednesday",
        "DATE",
        "XXXX-WXX-3",
    );
    one_at(
        "It began last month.",
        None,
        "last month",
        "DATE",
        "XXXX-XX",
    );
    one_at(
        "It began January 3, 2020.",
        None,
        "January 3, 2020",
        "DATE",
        "2020-01-03",
    );
}

#[test]
fn no_false_positives() {
    none("The deal may be signed soon, officials said.");
    none("Thousands march in the capital.");
    none("It sent 2,500 troops and counted 4,424 deaths.");
    none("The army sent 2000 troops to the border.");
    none("May I ask a question?");
    none("He is 47 years old and his son is a 6-year-old.");
}

#[test]
fn output_is_sorted_and_disjoint() {
    let text = "On Monday, Jan. 8, 2024, at 9 a.m., two days after the vote, \
                officials said that last week 2,000 people had fled since 2019.";
    let ts = annotate(text, anchor());
    assert!(ts.len() >= 4, "{ts:?}");
    for w in ts.windows(2) {
        assert!(w[0].end <= w[1].start);
    }
    for t in &ts {
        assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
    }
    assert_eq!(ts[0].timex_type, TimexType::Time);
    assert_eq!(ts[0].value, "2024-01-08T09:00");
}

#[test]
fn unicode_text_does_not_break_offsets() {
    let text = "Le 3 janvier — à Zürich, «Jan. 5» ☃ Ünïcödé: 12 März; \u{1F600} May 2023 été.";
    let ts = annotate(text, anchor());
    for t in &ts {
        assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
    }
    assert!(ts
        .iter()
        .any(|t| &text[t.start..t.end] == "Jan. 5" && t.value == "2024-01-05"));
    assert!(ts.iter().any(|t| &text[t.start..t.end] == "May 2023"));
    // Every prefix of the text must be safe too.
    for (i, _) in text.char_indices() {
        annotate(&text[..i], None);
        annotate(&text[i..], anchor());
    }
}

#[test]
fn ages_and_rates_are_not_durations() {
    none("She is 47 years old.");
    none("The 6-year-old boy smiled.");
    one(
        "They pay $5 a year for it and met two years ago.",
        "two years ago",
        "DATE",
        "2022",
    );
}

#[test]
fn year_ago_in_earnings_reports_is_a_quarter() {
    let text = "Third-quarter net rose to $5 million from $4 million a year earlier.";
    let ts = run(text, anchor());
    assert_eq!(
        ts[1],
        ("a year earlier".to_string(), "DATE", "2022-Q4".to_string())
    );
}

#[test]
fn publication_date_lines() {
    let t = "World news\nUpdated: February 08, 2024, 7:04 PM IST\nText.";
    let p = infer_publication_date(t).unwrap();
    assert_eq!((p.date, p.how), (d(2024, 2, 8), "updated-line"));
    assert_eq!(&t[p.start..p.end], "February 08, 2024");

    let t = "Published: 12 March 2024\nBody";
    let p = infer_publication_date(t).unwrap();
    assert_eq!((p.date, p.how), (d(2024, 3, 12), "published-line"));
    assert_eq!(&t[p.start..p.end], "12 March 2024");

    let p = infer_publication_date("By Ann Lee. Posted on Mar 4, 2024").unwrap();
    assert_eq!((p.date, p.how), (d(2024, 3, 4), "published-line"));

    let p = infer_publication_date("Last updated 2024-03-04").unwrap();
    assert_eq!((p.date, p.how), (d(2024, 3, 4), "updated-line"));
}

#[test]
fn publication_date_prefers_published_over_updated_and_dateline() {
    let t = "BAGHDAD, March 4 (Reuters) - Text.\nUpdated: March 5, 2024\nPublished: March 4, 2024";
    let p = infer_publication_date(t).unwrap();
    assert_eq!((p.date, p.how), (d(2024, 3, 4), "published-line"));
}

#[test]
fn publication_date_from_dateline_needs_a_year() {
    let t = "BAGHDAD, March 4 (Reuters) - Bombs hit the city.\n(c) 2024 Reuters";
    let p = infer_publication_date(t).unwrap();
    assert_eq!((p.date, p.how), (d(2024, 3, 4), "dateline"));
    assert_eq!(&t[p.start..p.end], "March 4");
    assert_eq!(
        infer_publication_date("BAGHDAD, March 4 (Reuters) - Bombs hit the city."),
        None
    );
}
