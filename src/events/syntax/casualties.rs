//! Casualty counts from the parse: the number attached to the victims.
//!
//! Only a number that modifies the victim noun (`nummod`: "five soldiers",
//! "at least 12 people") or that is the victim itself ("killed five") is a
//! count. A year, a date, a sum of money or an age is never attached that
//! way; numbers inside a time expression are refused all the same. A
//! singular victim ("a police officer", a named person) counts one, "a
//! couple" two; a bare plural ("soldiers") or a group ("the family") gives
//! no count. Vague quantities ("dozens") give a
//! lower bound, flagged as such.

use super::graph::Graph;

/// A count and whether it is only a lower bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub n: u64,
    pub at_least: bool,
}

/// Vague quantity nouns and the least they mean.
fn vague(lemma: &str) -> Option<u64> {
    match lemma {
        "dozen" => Some(12),
        "dozens" | "scores" => Some(24),
        "hundreds" => Some(200),
        "thousands" => Some(2000),
        _ => None,
    }
}

/// Singular nouns of a group of people, whose size they do not say.
const COLLECTIVE: [&str; 12] = [
    "family",
    "crew",
    "crowd",
    "group",
    "staff",
    "personnel",
    "delegation",
    "team",
    "police",
    "unit",
    "squad",
    "convoy",
];

/// Words before a number that make it a lower bound ("at least", "more
/// than", "over").
const AT_LEAST: [&str; 4] = ["least", "more", "over", "than"];

/// Reads a count written in digits ("3", "1,200") or words ("three",
/// "twenty-five"); vague quantities ("several") are not counts.
fn number(word: &str) -> Option<u64> {
    let digits: String = word.chars().filter(|c| *c != ',').collect();
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        return digits.parse().ok().filter(|_| digits.len() <= 7);
    }
    crate::time::lexicon::small_number_word(word).map(u64::from)
}

/// A number word: its value, unless it lies in a time expression.
fn value(g: &Graph, w: usize) -> Option<u64> {
    if g.time(w).is_some_and(|t| t.timex_type != "DURATION") {
        return None;
    }
    let digits = g.form(w).trim_end_matches('+');
    number(digits).or_else(|| number(&digits.to_lowercase()))
}

/// Whether the number at `w` has "at least", "more than"... on it.
fn bounded(g: &Graph, w: usize) -> bool {
    let near = g.children(w).iter().any(|&c| {
        AT_LEAST.contains(&g.lemma(c))
            || g.children(c)
                .iter()
                .any(|&d| AT_LEAST.contains(&g.lemma(d)))
    });
    near || g.form(w).ends_with('+')
}

/// How many people one victim phrase headed by `head` stands for.
pub fn of_victim(g: &Graph, head: usize) -> Option<Count> {
    if g.upos(head) == "NUM" {
        return value(g, head).map(|n| Count {
            n,
            at_least: bounded(g, head),
        });
    }
    if let Some(n) = vague(&g.form(head).to_lowercase()).or_else(|| vague(g.lemma(head))) {
        let exact = g.lemma(head) == "dozen" && !g.form(head).ends_with('s');
        return Some(Count {
            n,
            at_least: !exact,
        });
    }
    if let Some(num) = g.deps(head, "nummod").find(|&c| value(g, c).is_some()) {
        return value(g, num).map(|n| Count {
            n,
            at_least: bounded(g, num),
        });
    }
    match g.lemma(head) {
        "couple" | "pair" => {
            return Some(Count {
                n: 2,
                at_least: false,
            })
        }
        // Singular in form, many in number: "the family", "the crew";
        // "a family of five" says how many.
        l if COLLECTIVE.contains(&l) => {
            let size = g.deps(head, "nmod").find(|&c| g.upos(c) == "NUM");
            return size
                .and_then(|c| value(g, c))
                .map(|n| Count { n, at_least: false });
        }
        _ => {}
    }
    let plural = g.xpos(head).ends_with('S') || g.feat(head, "Number=Plur");
    match g.upos(head) {
        "PROPN" if !plural => Some(Count {
            n: 1,
            at_least: false,
        }),
        // "a police officer", "his son": one person.
        "NOUN"
            if !plural
                && (g.deps(head, "det").next().is_some()
                    || g.deps(head, "nmod:poss").next().is_some()) =>
        {
            Some(Count {
                n: 1,
                at_least: false,
            })
        }
        _ => None,
    }
}

/// The total over all victims; `None` if any victim has no count (a sum
/// that leaves some out would look exact and be wrong).
pub fn total(g: &Graph, victims: &[usize]) -> Option<Count> {
    let mut sum = Count {
        n: 0,
        at_least: false,
    };
    for &v in victims {
        let c = of_victim(g, v)?;
        sum.n += c.n;
        sum.at_least |= c.at_least;
    }
    (!victims.is_empty()).then_some(sum)
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn numbers() {
        assert_eq!(number("three"), Some(3));
        assert_eq!(number("2,500"), Some(2500));
        assert_eq!(number("twenty-five"), Some(25));
        assert_eq!(number("several"), None);
        assert_eq!(number("troops"), None);
    }
}
