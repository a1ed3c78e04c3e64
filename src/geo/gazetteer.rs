//! The offline gazetteer: a SQLite index of GeoNames places (towns of 1,000
//! people or more, first-level divisions, countries) that
//! data/geo/build_gazetteer.py builds; `make gazetteer` makes it.

use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where `make gazetteer` writes the index, relative to the checkout.
pub const DEFAULT_PATH: &str = "data/geo/gazetteer.sqlite";

/// What kind of place an entry is; also the precision of a resolution to it,
/// as ACLED's geo_precision counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    Town,
    Province,
    Country,
}

impl Precision {
    /// ACLED's code: 1 a town, 3 a province or larger region.
    pub fn acled(&self) -> u8 {
        match self {
            Precision::Town => 1,
            Precision::Province | Precision::Country => 3,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Precision::Town => "town",
            Precision::Province => "province",
            Precision::Country => "country",
        }
    }

    fn parse(kind: &str) -> Precision {
        match kind {
            "country" => Precision::Country,
            "province" => Precision::Province,
            _ => Precision::Town,
        }
    }
}

/// One gazetteer entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeoPlace {
    /// The GeoNames id as text, or for a first-level division without one in
    /// the data its GeoNames admin1 code (`IQ.15`).
    pub id: String,
    pub geonameid: Option<i64>,
    pub name: String,
    pub country_code: String,
    pub country: String,
    pub admin1: Option<String>,
    pub admin2: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    pub precision: Precision,
    #[serde(skip)]
    pub population: i64,
}

/// A candidate for a name: the entry and how its name matched.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub place: GeoPlace,
    /// 0: its main name, 1: an alternate name, 2: a name without its article.
    pub how: u8,
}

/// The open index. Look-ups take microseconds, so one connection behind a
/// lock serves the rayon pool that runs the text stages.
pub struct Gazetteer {
    path: PathBuf,
    conn: Mutex<Connection>,
}

const COLUMNS: &str = "p.id, p.geonameid, p.name, p.cc, p.country, p.admin1, p.admin2, \
                       p.lat, p.lon, p.kind, p.population";

impl Gazetteer {
    /// Opens the index read-only; an error names the file and what to run.
    pub fn open(path: &Path) -> Result<Gazetteer> {
        let err = |reason: String| Error::Gazetteer {
            path: path.into(),
            reason,
        };
        if !path.is_file() {
            return Err(err("not found; `make gazetteer` builds it".into()));
        }
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| err(e.to_string()))?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| err(e.to_string()))?;
        if version != 1 {
            return Err(err(format!(
                "index version {version}, expected 1; `make gazetteer` rebuilds it"
            )));
        }
        Ok(Gazetteer {
            path: path.into(),
            conn: Mutex::new(conn),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every entry one of whose names has this key.
    pub fn candidates(&self, key: &str) -> Result<Vec<Candidate>> {
        let sql = format!(
            "SELECT {COLUMNS}, n.how FROM names n JOIN places p ON p.id = n.place WHERE n.key = ?1"
        );
        self.query(&sql, key, |r| {
            Ok(Candidate {
                place: place(r)?,
                how: r.get::<_, i64>(11)? as u8,
            })
        })
    }

    /// The entry with this id (a GeoNames id, or an admin1 code like `IQ.15`).
    pub fn get(&self, id: &str) -> Result<Option<GeoPlace>> {
        let sql = format!("SELECT {COLUMNS} FROM places p WHERE p.id = ?1");
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&sql).map_err(|e| self.error(e))?;
        stmt.query_row([id], place)
            .optional()
            .map_err(|e| self.error(e))
    }

    fn query<T>(
        &self,
        sql: &str,
        arg: &str,
        f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(sql).map_err(|e| self.error(e))?;
        let rows = stmt.query_map([arg], f).map_err(|e| self.error(e))?;
        rows.collect::<rusqlite::Result<Vec<T>>>()
            .map_err(|e| self.error(e))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave the read-only
        // connection inconsistent: use it anyway.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn error(&self, e: rusqlite::Error) -> Error {
        Error::Gazetteer {
            path: self.path.clone(),
            reason: e.to_string(),
        }
    }
}

fn place(r: &rusqlite::Row<'_>) -> rusqlite::Result<GeoPlace> {
    Ok(GeoPlace {
        id: r.get(0)?,
        geonameid: r.get(1)?,
        name: r.get(2)?,
        country_code: r.get(3)?,
        country: r.get(4)?,
        admin1: r.get(5)?,
        admin2: r.get(6)?,
        latitude: r.get(7)?,
        longitude: r.get(8)?,
        precision: Precision::parse(&r.get::<_, String>(9)?),
        population: r.get(10)?,
    })
}

/// Great-circle distance in kilometres (haversine, mean Earth radius).
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_paris_london() {
        let d = distance_km((48.8566, 2.3522), (51.5074, -0.1278));
        assert!((d - 343.5).abs() < 2.0, "{d}");
        assert_eq!(distance_km((10.0, 20.0), (10.0, 20.0)), 0.0);
    }

    #[test]
    fn missing_index_is_an_error_not_a_panic() {
        let e = Gazetteer::open(Path::new("/nonexistent/gazetteer.sqlite"))
            .err()
            .expect("an error");
        assert!(e.to_string().contains("make gazetteer"), "{e}");
    }
}
