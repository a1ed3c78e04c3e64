//! The rule file `rules/events_syntax.toml`: its format as serde reads it,
//! and its compiled form, checked once at load so that a typo in a path or a
//! class name is an error that names the rule, not a rule that never fires.
//! The format is documented for its editors at the top of the file.

use super::modality::ModalityWords;
use super::paths::Path;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileFormat {
    #[serde(default)]
    pub classes: HashMap<String, Vec<String>>,
    #[serde(default)]
    pub modality: ModalityWords,
    /// Determiners that make a nominal trigger a definite mention ("the
    /// attack"), which may refer back to an event already reported.
    #[serde(default)]
    pub definite: Vec<String>,
    /// Drop a nominal trigger with no argument at all, not even a time.
    #[serde(default)]
    pub drop_bare_nominals: bool,
    /// Role templates that rules reuse with `like`.
    #[serde(default)]
    pub roles: HashMap<String, RoleFormat>,
    #[serde(rename = "rule")]
    pub rules: Vec<RuleFormat>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFormat {
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub triggers: Vec<String>,
    #[serde(default)]
    pub requires: Vec<String>,
    #[serde(default)]
    pub forbids: Vec<String>,
    #[serde(default)]
    pub casualties: Option<Casualty>,
    /// The trigger may be a noun that modifies another ("death" in "death
    /// toll"); other rules' triggers never are ("protest camps").
    #[serde(default)]
    pub compound_trigger: bool,
    #[serde(default)]
    pub counter_examples: Vec<String>,
    #[serde(default, rename = "role")]
    pub roles: Vec<RoleFormat>,
    #[serde(default, rename = "example")]
    pub examples: Vec<Example>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleFormat {
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub like: Option<String>,
    #[serde(default)]
    pub paths: Option<Vec<String>>,
    #[serde(default)]
    pub entities: Option<Vec<String>>,
    #[serde(default)]
    pub classes: Option<Vec<String>>,
    #[serde(default)]
    pub upos: Option<Vec<String>>,
}

/// Which count the rule's `Victim` arguments give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Casualty {
    Killed,
    Injured,
    /// A death toll ("has risen to 45"): the killed count of deaths told
    /// before, which may have grown since another mention counted them.
    Toll,
}

/// A sentence the rule must match, with what it must find.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub text: String,
    /// The trigger word, when the sentence has several of the rule's.
    #[serde(default)]
    pub trigger: Option<String>,
    /// Role → the head words (or phrases) of all its arguments.
    #[serde(default)]
    pub args: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub killed: Option<u64>,
    #[serde(default)]
    pub injured: Option<u64>,
    #[serde(default)]
    pub modality: Option<String>,
    #[serde(default)]
    pub genericity: Option<String>,
    /// The TIMEX3 value of the event's time.
    #[serde(default)]
    pub time: Option<String>,
}

/// A rule ready to run.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub event_type: String,
    /// (lemma, UPOS or `None` for a noun or a verb).
    pub triggers: Vec<(String, Option<String>)>,
    pub requires: Vec<Path>,
    pub forbids: Vec<Path>,
    pub casualties: Option<Casualty>,
    pub compound_trigger: bool,
    pub roles: Vec<Role>,
    pub examples: Vec<Example>,
    pub counter_examples: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Role {
    pub name: String,
    pub paths: Vec<Path>,
    pub entities: Vec<String>,
    pub classes: Vec<String>,
    pub upos: Vec<String>,
}

const UPOS: [&str; 17] = [
    "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN",
    "PUNCT", "SCONJ", "SYM", "VERB", "X",
];

/// Compiles a role: its template's fields where it gives none of its own.
fn role(r: &RoleFormat, f: &FileFormat, classes: &HashSet<String>) -> Result<Role, String> {
    let empty = RoleFormat::default();
    let base = match &r.like {
        Some(name) => f
            .roles
            .get(name)
            .ok_or_else(|| format!("unknown role template {name:?}"))?,
        None => &empty,
    };
    let pick = |own: &Option<Vec<String>>, tmpl: &Option<Vec<String>>| {
        own.clone().or_else(|| tmpl.clone()).unwrap_or_default()
    };
    let name = r
        .role
        .clone()
        .or_else(|| base.role.clone())
        .ok_or("a role needs a name (role = ...)")?;
    let paths = pick(&r.paths, &base.paths)
        .iter()
        .map(|p| Path::parse_with(p, &f.classes))
        .collect::<Result<Vec<_>, _>>()?;
    if paths.is_empty() {
        return Err(format!("role {name} has no paths"));
    }
    let role = Role {
        name,
        paths,
        entities: pick(&r.entities, &base.entities),
        classes: pick(&r.classes, &base.classes),
        upos: pick(&r.upos, &base.upos),
    };
    if let Some(c) = role.classes.iter().find(|c| !classes.contains(*c)) {
        return Err(format!("role {}: unknown class {c:?}", role.name));
    }
    if let Some(u) = role.upos.iter().find(|u| !UPOS.contains(&u.as_str())) {
        return Err(format!("role {}: {u:?} is not a UPOS tag", role.name));
    }
    Ok(role)
}

/// Compiles one rule; the error names what is wrong, the caller the rule.
pub fn rule(r: &RuleFormat, f: &FileFormat) -> Result<Rule, String> {
    let classes: HashSet<String> = f.classes.keys().cloned().collect();
    let triggers = r
        .triggers
        .iter()
        .map(|t| match t.split_once('/') {
            Some((l, u)) if UPOS.contains(&u) => Ok((l.to_lowercase(), Some(u.to_string()))),
            Some(_) => Err(format!("trigger {t:?}: write lemma/UPOS, e.g. attack/VERB")),
            None => Ok((t.to_lowercase(), None)),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let paths = |v: &[String]| {
        v.iter()
            .map(|p| Path::parse_with(p, &f.classes))
            .collect::<Result<Vec<_>, _>>()
    };
    if !r.event_type.contains(':') {
        return Err(format!(
            "type {:?}: an ACE type such as Conflict:Attack",
            r.event_type
        ));
    }
    Ok(Rule {
        id: r.id.clone(),
        event_type: r.event_type.clone(),
        triggers,
        requires: paths(&r.requires)?,
        forbids: paths(&r.forbids)?,
        casualties: r.casualties,
        compound_trigger: r.compound_trigger,
        roles: r
            .roles
            .iter()
            .map(|x| role(x, f, &classes))
            .collect::<Result<Vec<_>, _>>()?,
        examples: r.examples.clone(),
        counter_examples: r.counter_examples.clone(),
    })
}
