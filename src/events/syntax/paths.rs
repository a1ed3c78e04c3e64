//! Dependency paths: how a rule gets from a trigger to the words that fill a
//! role or satisfy a constraint.
//!
//! A path is a list of steps separated by spaces. A step is a relation,
//! `>rel` (or just `rel`) down to a dependent, or `<rel` up to the head when
//! the word is attached to it by `rel`; `*` matches any relation. Filters in
//! brackets narrow the words a step reaches, `|` between alternatives and `;`
//! between filters: `obl[case=in|near|at]`, `<obj[lemma=launch|carry]`,
//! `nmod[case=on;upos=NOUN|PROPN]`, `advcl[mark=while|as]` (the clause's
//! subordinator) (`lemma=` also takes the word's own form,
//! as triggers do: a parser may guess "shell" for "shelling"),
//! `obj[class=people|vehicle]` (a noun
//! class of the rule file: its words as lemmas), `compound[ner=PER|ORG|O]`
//! (the NER label of the word's entity mention, `O` for none),
//! `compound[shape=upper]` (a word of capitals: "US", "NATO"). Down steps see the implicit dependents of
//! [`Graph::args`] (shared and controlled subjects, relative pronouns).
//! A path never ends on a word inside a time expression.

use super::graph::Graph;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    steps: Vec<Step>,
    text: String,
}

#[derive(Debug, Clone, PartialEq)]
struct Step {
    up: bool,
    rel: String,
    case: Vec<String>,
    /// Subordinators one of which the word's clause must have ("while").
    mark: Vec<String>,
    lemma: Vec<String>,
    upos: Vec<String>,
    /// NER labels the word's entity mention must carry ("reached Austria":
    /// `obj[ner=LOC]`); `O`, as in IOB tagging, for a word in no mention.
    ner: Vec<String>,
    /// `shape=upper`: the word has two or more letters, all capitals ("US",
    /// "U.K.", "NATO"): news abbreviates the states and alliances that act,
    /// and spells out the places where things happen.
    upper: bool,
}

impl Path {
    /// Parses a path without noun classes.
    pub fn parse(text: &str) -> Result<Path, String> {
        Path::parse_with(text, &HashMap::new())
    }

    /// Parses a path whose `class=` filters name these noun classes; the
    /// error says what is wrong with it.
    pub fn parse_with(text: &str, classes: &HashMap<String, Vec<String>>) -> Result<Path, String> {
        let steps = text
            .split_whitespace()
            .map(|s| Step::parse(s, classes))
            .collect::<Result<Vec<_>, _>>()?;
        if steps.is_empty() {
            return Err("empty path".into());
        }
        Ok(Path {
            steps,
            text: text.to_string(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The words the path reaches from `from`, in sentence order.
    pub fn follow(&self, g: &Graph, from: usize) -> Vec<usize> {
        let mut at = vec![from];
        for step in &self.steps {
            let mut next = Vec::new();
            for &w in &at {
                for n in step.reach(g, w) {
                    if step.accepts(g, n) && !next.contains(&n) {
                        next.push(n);
                    }
                }
            }
            at = next;
        }
        // A date is the event's time, never a participant, place or
        // condition ("fired ... on Thursday").
        at.retain(|&w| g.time(w).is_none());
        at.sort_unstable();
        at
    }
}

impl Step {
    fn parse(text: &str, classes: &HashMap<String, Vec<String>>) -> Result<Step, String> {
        let (up, rest) = match text.strip_prefix('<') {
            Some(r) => (true, r),
            None => (false, text.strip_prefix('>').unwrap_or(text)),
        };
        let (rel, filters) = match rest.split_once('[') {
            Some((r, f)) => (
                r,
                f.strip_suffix(']')
                    .ok_or_else(|| format!("{text}: missing ']'"))?,
            ),
            None => (rest, ""),
        };
        if rel.is_empty()
            || !rel
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == ':' || c == '*')
        {
            return Err(format!(
                "{text}: a step is a relation such as nsubj or obl:agent"
            ));
        }
        let mut step = Step {
            up,
            rel: rel.to_string(),
            case: Vec::new(),
            mark: Vec::new(),
            lemma: Vec::new(),
            upos: Vec::new(),
            ner: Vec::new(),
            upper: false,
        };
        for f in filters.split(';').filter(|f| !f.is_empty()) {
            let (key, values) = f
                .split_once('=')
                .ok_or_else(|| format!("{text}: a filter is key=value|value"))?;
            let values: Vec<String> = values.split('|').map(str::to_string).collect();
            match key {
                "case" => step.case = values.iter().map(|v| v.to_lowercase()).collect(),
                "mark" => step.mark = values.iter().map(|v| v.to_lowercase()).collect(),
                "lemma" => step.lemma.extend(values.iter().map(|v| v.to_lowercase())),
                "class" => {
                    for v in &values {
                        let words = classes
                            .get(v)
                            .ok_or_else(|| format!("{text}: unknown class {v:?}"))?;
                        step.lemma.extend(words.iter().map(|w| w.to_lowercase()));
                    }
                }
                "upos" => step.upos = values,
                "ner" => step.ner = values,
                "shape" if values == ["upper"] => step.upper = true,
                "shape" => return Err(format!("{text}: the only shape is shape=upper")),
                _ => {
                    return Err(format!(
                        "{text}: unknown filter {key} (case, mark, lemma, class, upos, ner, shape)"
                    ))
                }
            }
        }
        Ok(step)
    }

    fn reach(&self, g: &Graph, w: usize) -> Vec<usize> {
        if self.up {
            match g.head(w) {
                Some(h) if self.rel == "*" || g.rel(w) == self.rel => vec![h],
                _ => Vec::new(),
            }
        } else if self.rel == "*" {
            g.children(w).to_vec()
        } else {
            g.args(w, &self.rel)
        }
    }

    fn accepts(&self, g: &Graph, n: usize) -> bool {
        (self.lemma.is_empty()
            || self
                .lemma
                .iter()
                .any(|l| l == g.lemma(n) || l.eq_ignore_ascii_case(g.form(n))))
            && (self.upos.is_empty() || self.upos.iter().any(|u| u == g.upos(n)))
            && (self.case.is_empty() || g.cases(n).iter().any(|c| self.case.iter().any(|x| x == c)))
            && (self.mark.is_empty()
                || g.deps(n, "mark")
                    .any(|m| self.mark.iter().any(|x| x == g.lemma(m))))
            && (!self.upper || is_upper(g.form(n)))
            && (self.ner.is_empty() || {
                let label = g.entity(n).map_or("O", |e| e.label.as_str());
                self.ner.iter().any(|l| l == label)
            })
    }
}

/// Two or more letters, all capitals ("US", "U .S.", "NATO"): the NER
/// casing class of that name.
fn is_upper(form: &str) -> bool {
    crate::ner::casing::casing_class(form) == crate::ner::casing::ALL_CAPS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_with_filters_and_reject_nonsense() {
        let p = Path::parse("<obj[lemma=launch|carry] nsubj").unwrap();
        assert_eq!(p.steps.len(), 2);
        assert!(p.steps[0].up);
        assert_eq!(p.steps[0].lemma, vec!["launch", "carry"]);
        let p = Path::parse("nmod[case=on|against;upos=NOUN]").unwrap();
        assert_eq!(p.steps[0].case, vec!["on", "against"]);
        assert_eq!(p.steps[0].upos, vec!["NOUN"]);
        let p = Path::parse("advcl[mark=while|as]").unwrap();
        assert_eq!(p.steps[0].mark, vec!["while", "as"]);
        let p = Path::parse("obj[ner=LOC|ORG]").unwrap();
        assert_eq!(p.steps[0].ner, vec!["LOC", "ORG"]);
        let p = Path::parse("compound[ner=LOC;shape=upper]").unwrap();
        assert!(p.steps[0].upper);
        assert!(is_upper("U .S.") && is_upper("UK") && !is_upper("Baghdad") && !is_upper("1990"));
        assert!(Path::parse("compound[shape=lower]").is_err());
        assert!(Path::parse("").is_err());
        assert!(Path::parse("obl[case=in").is_err());
        assert!(Path::parse("obl[where=in]").is_err());
        assert!(Path::parse("Obj").is_err());
    }
}
