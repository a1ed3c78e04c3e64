//! Document-level events that differ only in how precisely they name the
//! place: "a U.S. air strike killed a top Iranian general inside Iraq" and
//! "the U.S. drone strike ... near Baghdad airport" are one strike. In-text
//! coreference ([`super::coref`]) sees two different named places and keeps
//! them apart; once the geo stage has resolved the places, an event placed
//! in a country (or province) joins a later one placed inside it, when they
//! share a named participant or a date and nothing else conflicts. Strikes
//! "in Iraq" and "in Syria" stay two events.

use super::coref::{self, Facts, RECENT_EVENTS};
use crate::document::{Document, Event, Span};
use crate::geo::{GeoPlace, Precision};

/// Whether one place lies within the other, or both are the same.
fn nested(a: &GeoPlace, b: &GeoPlace) -> bool {
    let within = |inner: &GeoPlace, outer: &GeoPlace| match outer.precision {
        Precision::Country => inner.country_code == outer.country_code,
        Precision::Province => {
            inner.country_code == outer.country_code
                && inner.admin1.is_some()
                && inner.admin1 == outer.admin1
        }
        Precision::Town => false,
    };
    a.id == b.id || within(a, b) || within(b, a)
}

/// The resolved places of an event's `Place` arguments; `None` when one of
/// them is unresolved (its place is then unknown, and nothing is nested).
fn places<'d>(doc: &'d Document, e: &Event) -> Option<Vec<&'d GeoPlace>> {
    e.arguments
        .iter()
        .filter(|a| a.role == "Place")
        .map(|a| {
            doc.places
                .iter()
                .find(|p| p.span.overlaps(&a.span))
                .and_then(|p| p.place.as_ref())
        })
        .collect()
}

/// Whether the document-level events with mentions `a` and `b` are one
/// event named at two precisions (see the module documentation). Deaths
/// linked to one attack share it as their participant would.
fn same_event(doc: &Document, facts: &[Facts], a: &[usize], b: &[usize], parent: &[usize]) -> bool {
    let (fa, fb) = (&facts[a[0]], &facts[b[0]]);
    if fa.event_type != fb.event_type {
        return false;
    }
    let pairs = || a.iter().flat_map(|&i| b.iter().map(move |&j| (i, j)));
    if pairs().any(|(i, j)| coref::conflict_beside(&facts[i], &facts[j], Some("Place"))) {
        return false;
    }
    let same_attack = |i: usize, j: usize| {
        let (x, y) = (&doc.events[i].linked, &doc.events[j].linked);
        x.iter()
            .any(|&l| y.iter().any(|&k| find(parent, l) == find(parent, k)))
    };
    if !pairs().any(|(i, j)| coref::shares_specific(&facts[i], &facts[j]) || same_attack(i, j)) {
        return false;
    }
    let of = |m: &[usize]| -> Option<Vec<&GeoPlace>> {
        let mut all = Vec::new();
        for &i in m {
            all.extend(places(doc, &doc.events[i])?);
        }
        Some(all)
    };
    let (Some(pa), Some(pb)) = (of(a), of(b)) else {
        return false;
    };
    !pa.is_empty() && !pb.is_empty() && pa.iter().all(|x| pb.iter().all(|y| nested(x, y)))
}

/// Union-find root of cluster `c`, without shortening paths.
fn find(parent: &[usize], mut c: usize) -> usize {
    while parent[c] != c {
        c = parent[c];
    }
    c
}

/// Union-find root of cluster `c`.
fn root(parent: &mut [usize], mut c: usize) -> usize {
    while parent[c] != c {
        parent[c] = parent[parent[c]];
        c = parent[c];
    }
    c
}

/// Joins document-level events named at two precisions of one place, then
/// renumbers them in order of first mention and relinks attacks and deaths.
pub fn merge(doc: &mut Document) {
    let n = doc
        .events
        .iter()
        .filter_map(|e| e.doc_event)
        .max()
        .map_or(0, |m| m + 1);
    if n < 2 || doc.places.is_empty() {
        return;
    }
    let name_at = |s: Span| doc.entity_at(s).map(|e| e.span);
    let facts: Vec<Facts> = doc
        .events
        .iter()
        .map(|e| coref::facts(doc, e, &name_at))
        .collect();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, e) in doc.events.iter().enumerate() {
        if let Some(d) = e.doc_event {
            members[d].push(i);
        }
    }
    let recent = |m: &Vec<usize>| m[m.len().saturating_sub(8)..].to_vec();
    let mut parent: Vec<usize> = (0..n).collect();
    for b in 1..n {
        for a in (b.saturating_sub(RECENT_EVENTS)..b).rev() {
            let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
            let (ma, mb) = (recent(&members[a]), recent(&members[b]));
            if ra != rb
                && !ma.is_empty()
                && !mb.is_empty()
                && same_event(doc, &facts, &ma, &mb, &parent)
            {
                parent[rb] = ra;
                break;
            }
        }
    }
    renumber(doc, &mut parent);
}

/// Gives every mention its cluster's root, numbered 0.. in order of first
/// mention, and links each Attack to the deaths of its sentence again.
fn renumber(doc: &mut Document, parent: &mut [usize]) {
    let mut new_id: Vec<Option<usize>> = vec![None; parent.len()];
    let mut next = 0;
    for e in doc.events.iter_mut() {
        if let Some(d) = e.doc_event {
            let r = root(parent, d);
            let id = *new_id[r].get_or_insert_with(|| {
                next += 1;
                next - 1
            });
            e.doc_event = Some(id);
        }
        e.linked.clear();
    }
    coref::link(doc);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(id: &str, country: &str, admin1: Option<&str>, precision: Precision) -> GeoPlace {
        GeoPlace {
            id: id.into(),
            geonameid: None,
            name: id.into(),
            country_code: country.into(),
            country: country.into(),
            admin1: admin1.map(str::to_string),
            admin2: None,
            latitude: 0.0,
            longitude: 0.0,
            precision,
            population: 0,
        }
    }

    #[test]
    fn a_place_nests_in_its_province_and_country_only() {
        let iraq = place("IQ", "IQ", None, Precision::Country);
        let syria = place("SY", "SY", None, Precision::Country);
        let baghdad = place("Baghdad", "IQ", Some("Baghdad"), Precision::Town);
        let basra = place("Basra", "IQ", Some("Basra"), Precision::Town);
        let basra_province = place("IQ.02", "IQ", Some("Basra"), Precision::Province);
        assert!(nested(&iraq, &baghdad) && nested(&baghdad, &iraq));
        assert!(nested(&basra_province, &basra));
        assert!(!nested(&basra_province, &baghdad));
        assert!(!nested(&baghdad, &basra), "two towns");
        assert!(!nested(&iraq, &syria));
        assert!(nested(&baghdad, &baghdad));
    }
}
