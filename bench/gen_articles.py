"""Generates a fixed corpus of full-length news-like articles for `make bench`.

    python bench/gen_articles.py N OUT.jsonl [--seed S] [--words MIN-MAX]

Articles are composed from templates written for this benchmark (no copied news):
fictional people, real place and organisation names, and sentences of the eight ACE
event types casefile extracts, between background, quotes and page boilerplate
(navigation, "Read also" links, comment rules) like the scraped pages users feed in.
Each line is {"id", "published", "text"}; 500-1,000 words per article by default. The same N
and seed always give the same file, so benchmark runs compare like with like.

    python bench/gen_articles.py --big BYTES ONE.jsonl MANY.jsonl [--parts N] [--seed S]

writes the same news paragraphs (no page furniture, which would cut a long page short) twice:
as one article of about BYTES bytes in ONE.jsonl, and split into N documents (default 2,000)
in MANY.jsonl: the document-size scaling benchmark compares the two.
"""

import json
import random
import sys
from datetime import date, timedelta

FIRST = ["Amir", "Layla", "Omar", "Sara", "Daniel", "Maria", "Yusuf", "Elena", "Karim",
         "Nadia", "James", "Fatima", "Viktor", "Ines", "Hassan", "Claire", "Tariq", "Anna",
         "Reza", "Sofia", "Ali", "Grace", "Mehmet", "Olga", "Samuel", "Leila", "Pavel", "Hana"]
LAST = ["Haddad", "Rahimi", "Novak", "Okafor", "Brennan", "Kassem", "Moreau", "Petrov",
        "Saleh", "Lindqvist", "Farouk", "Demir", "Costa", "Nasser", "Kowalski", "Jaber",
        "Tanaka", "Mensah", "Abadi", "Horvat", "Qureshi", "Duarte", "Yilmaz", "Ibrahim"]
TITLES = ["Gen.", "Lt. Gen.", "Maj. Gen.", "Col.", "Foreign Minister", "Defense Minister",
          "Ambassador", "President", "Prime Minister", "spokesman", "Sen.", "Mr.", "Ms."]
PLACES = ["Baghdad", "Damascus", "Kabul", "Mosul", "Aleppo", "Kirkuk", "Basra", "Erbil",
          "Beirut", "Amman", "Tehran", "Ankara", "Sanaa", "Tripoli", "Cairo", "Kyiv",
          "Kharkiv", "Odesa", "Gaza", "Khartoum", "Mogadishu", "Islamabad", "Riyadh", "Doha"]
COUNTRIES = ["Iraq", "Syria", "Afghanistan", "Lebanon", "Jordan", "Iran", "Turkey",
             "Yemen", "Libya", "Egypt", "Ukraine", "Sudan", "Somalia", "Pakistan", "Qatar"]
ACTORS = ["the United States", "U.S. forces", "Russia", "Israel", "Iran", "Turkey",
          "the Pentagon", "NATO", "the Iraqi army", "Hezbollah", "the Taliban",
          "Kataib Hezbollah", "the Islamic State group", "Ukrainian forces", "Saudi Arabia"]
ORGS = ["the United Nations", "the European Union", "the Red Cross", "Reuters",
        "the World Bank", "the International Monetary Fund", "Amnesty International",
        "the Arab League", "the State Department", "the Foreign Ministry"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.",
          "Nov.", "Dec."]
NUMBERS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "12", "15",
           "20", "dozens of"]


def cap(s):
    return s[0].upper() + s[1:]


def person(r):
    return f"{r.choice(FIRST)} {r.choice(LAST)}"


def when(r, pub):
    d = pub - timedelta(days=r.randint(1, 20))
    return r.choice([
        WEEKDAYS[(pub - timedelta(days=r.randint(1, 6))).weekday()],
        f"{MONTHS[d.month - 1]} {d.day}",
        "last week", "earlier this month", "on Sunday night", "two days later",
        f"{d.day} {MONTHS[d.month - 1].rstrip('.')}",
    ])


def event_sentence(r, pub):
    p, q, place, actor = person(r), person(r), r.choice(PLACES), r.choice(ACTORS)
    n, t = r.choice(NUMBERS), when(r, pub)
    return r.choice([
        f"A {r.choice(['drone', 'missile', 'rocket'])} strike by {actor} killed {r.choice(TITLES)} {p} near {place} airport on {t}.",
        f"{cap(actor)} launched an attack on a base in {r.choice(COUNTRIES)}, killing {n} soldiers.",
        f"{cap(n)} civilians were killed and {r.choice(NUMBERS)} others wounded when a car bomb exploded in {place} {t}.",
        f"Police arrested {p} in {place} on {t} on charges of financing the attacks.",
        f"{r.choice(TITLES)} {p} met {r.choice(TITLES)} {q} in {place} {t} to discuss the ceasefire.",
        f"Thousands of protesters marched through {place} {t}, demanding the withdrawal of foreign troops.",
        f"{p} said in a phone call with {q} that {actor} would respond.",
        f"The ambassador delivered a letter to the Foreign Minister of {r.choice(COUNTRIES)} {t}.",
        f"{cap(actor)} sent {r.randint(2, 40) * 100} troops to {r.choice(COUNTRIES)} after the strike.",
        f"{cap(r.choice(ORGS))} paid ${r.randint(2, 90)} million to the government of {r.choice(COUNTRIES)} {t}.",
        f"The militia leader {p} died in a hospital in {place} {t} from wounds suffered in the raid.",
        f"{r.choice(TITLES)} {p} flew to {place} on {t} for talks with {r.choice(ORGS)}.",
    ])


def filler_sentence(r):
    p, place, org = person(r), r.choice(PLACES), r.choice(ORGS)
    return r.choice([
        f"The conflict has displaced more than {r.randint(2, 900)},000 people since it began, according to {org}.",
        f"\"We will not accept any violation of our sovereignty,\" {p} told reporters in {place}.",
        f"Analysts said the move could further strain relations between the two governments.",
        f"Officials in {place} did not respond to requests for comment.",
        f"The region has seen a sharp rise in violence over the past {r.randint(2, 11)} months.",
        f"{cap(org)} called on all sides to exercise restraint and protect civilians.",
        f"Oil prices rose by {r.randint(1, 6)}.{r.randint(0, 9)} percent on the news before falling back.",
        f"Local media reported that the main road to {place} had been closed for several hours.",
        f"{p}, a researcher at a think tank in {place}, said the situation remained fragile.",
        f"Parliament is expected to vote on the measure next week.",
    ])


def article(r, i, lo=500, hi=1000):
    pub = date(2024, 1, 1) + timedelta(days=r.randint(0, 700))
    lines = ["Home | World | Middle East | Politics | Business", "",
             f"{cap(r.choice(ACTORS))} and {r.choice(COUNTRIES)}: what we know", ""]
    lines.append(f"Updated: {pub.strftime('%B %d, %Y')}, {r.randint(1, 12)}:{r.randint(0, 59):02d} PM")
    lines.append("")
    words = 0
    target = r.randint(lo, hi)
    while words < target:
        para = []
        for _ in range(r.randint(2, 5)):
            s = event_sentence(r, pub) if r.random() < 0.45 else filler_sentence(r)
            para.append(s)
            words += len(s.split())
        lines.append(" ".join(para))
        lines.append("")
        if r.random() < 0.1:
            lines.append(f"READ ALSO: {r.choice(PLACES)} braces for more violence")
            lines.append("")
    lines += ["Comments are moderated. Please keep the discussion civil.",
              "Share this article: Facebook Twitter Email", "© 2024 Example News Network"]
    return {"id": f"bench-{i:06d}", "published": pub.isoformat(), "text": "\n".join(lines)}


def paragraphs(r, size):
    """News paragraphs of event and background sentences, about `size` bytes in all."""
    pub = date(2024, 6, 1)
    out, total = [], 0
    while total < size:
        para = " ".join(event_sentence(r, pub) if r.random() < 0.45 else filler_sentence(r)
                        for _ in range(r.randint(2, 5)))
        out.append(para)
        total += len(para.encode()) + 2
    return out


def big(argv):
    flags = {"--big", "--parts", "--seed"}
    positional = [a for i, a in enumerate(argv[1:], 1) if a not in flags and argv[i - 1] not in flags]
    size, (one, many) = int(argv[argv.index("--big") + 1]), positional
    parts = int(argv[argv.index("--parts") + 1]) if "--parts" in argv else 2000
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 7
    paras = paragraphs(random.Random(seed), size)
    with open(one, "w", encoding="utf-8") as f:
        f.write(json.dumps({"id": "big", "published": "2024-06-01", "text": "\n\n".join(paras)}) + "\n")
    parts = min(parts, len(paras))
    with open(many, "w", encoding="utf-8") as f:
        for k in range(parts):
            chunk = paras[k * len(paras) // parts:(k + 1) * len(paras) // parts]
            f.write(json.dumps({"id": f"part-{k:05d}", "published": "2024-06-01",
                                "text": "\n\n".join(chunk)}) + "\n")


def main():
    if "--big" in sys.argv:
        return big(sys.argv)
    n, out = int(sys.argv[1]), sys.argv[2]
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 7
    lo, hi = 500, 1000
    if "--words" in sys.argv:
        lo, hi = map(int, sys.argv[sys.argv.index("--words") + 1].split("-"))
    r = random.Random(seed)
    with open(out, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps(article(r, i, lo, hi)) + "\n")


if __name__ == "__main__":
    main()
