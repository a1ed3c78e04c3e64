#!/usr/bin/env python3
"""How many of the wrong triggers on M2E2 are events the gold leaves out.

M2E2's gold is sparse: "More than 100 people, mostly demonstrators, were
killed during the rallies" has no gold event at all. So a trigger the
scorer counts as wrong may be a real ACE event mention. This script makes
that measurable. It reads the per-document dump of `eval-events --dump`,
takes the predictions the scorer counts as wrong (trigger classification:
asserted, specific, one of the eight scored types, no one-to-one gold
match of the same type; the dump carries the scorer's own verdict), and

  items DUMP               prints each one with its sentence for annotators
                           (JSON lines: key, type, sentence with [[trigger]])
  score DUMP JUDGMENTS...  joins one or more annotators' verdicts on them
                           (JSON lines: key, verdict) and prints the share
                           judged real events, the annotators' agreement and
                           the precision the scorer would give had the gold
                           annotated them.

Verdicts: "event" (ACE would annotate a mention of this type here),
"other-type" (an ACE event, but of another type), "no" (not such an event:
another sense, a non-event, a plan or a habit).

Only the first half of the dev file may be audited: its errors are the ones
rules are developed on (`eval-events --half first --dump DUMP`). The keys
are "document id:start-end:type" in characters, so verdicts stay valid for
as long as the pipeline finds the same triggers; `score` says how many of
today's wrong triggers have no verdict.

Usage:
  target/release/casefile eval-events ../shared/data/m2e2/dev.json \\
      --half first --dump /tmp/first.jsonl
  bench/m2e2_audit.py score /tmp/first.jsonl data/m2e2_audit/*.jsonl

The verdicts of the first half at commit 3c87db8 are in data/m2e2_audit/
(see its README.md).
"""
import json
import sys
from collections import Counter


def wrong_triggers(doc):
    """The scored predictions and those trigger classification counts as
    wrong, in order: the dump gives each scored event the scorer's verdict
    (`right`), None for an event that is not scored."""
    preds = [e for e in doc["events"] if e.get("right") is not None]
    return preds, [e for e in preds if not e["right"]]


def key(doc, e):
    s, t = e["trigger"]
    return f"{doc['id']}:{s}-{t}:{e['type']}"


def sentence(text, s, t):
    """The line of text around a trigger, cut at sentence ends nearby."""
    lo = max(text.rfind("\n", 0, s), text.rfind(". ", 0, s - 1), s - 300)
    hi_candidates = [i for i in (text.find("\n", t), text.find(". ", t))
                     if i >= 0]
    hi = min(hi_candidates + [t + 300, len(text)])
    return (text[lo + 1:s] + "[[" + text[s:t] + "]]" + text[t:hi + 1]) \
        .replace("\n", " ").strip()


def read(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def items(dump):
    for doc in read(dump):
        for e in wrong_triggers(doc)[1]:
            s, t = e["trigger"]
            print(json.dumps({"key": key(doc, e), "type": e["type"],
                              "sentence": sentence(doc["text"], s, t)},
                             ensure_ascii=False))


def score(dump, judgment_files):
    docs = read(dump)
    found = right = 0
    keys = []
    for doc in docs:
        preds, wrong = wrong_triggers(doc)
        found += len(preds)
        right += len(preds) - len(wrong)
        keys += [key(doc, e) for e in wrong]
    annotators = []
    for path in judgment_files:
        verdicts = {j["key"]: j["verdict"] for j in read(path)}
        annotators.append((path, verdicts))
    print(f"found {found}, right by the gold {right}, wrong {len(keys)} "
          f"(precision by the gold {100 * right / found:.2f})")
    for path, v in annotators:
        c = Counter(v[k] for k in keys if k in v)
        judged = sum(c.values())
        print(f"{path}: {judged} of {len(keys)} judged; event {c['event']} "
              f"({100 * c['event'] / max(judged, 1):.1f}%), other-type "
              f"{c['other-type']}, no {c['no']}")
    if len(annotators) < 2:
        return
    for path, v in annotators:
        shared = [k for k in keys if k in v]
        same = sum(vote(k, [o for p, o in annotators if p != path]) == v[k]
                   for k in shared)
        print(f"{path} agrees with the others' majority on {same} of "
              f"{len(shared)}")
    majority = Counter(vote(k, [v for _, v in annotators]) for k in keys)
    judged = len(keys) - majority[None]
    share = majority["event"] / max(judged, 1)
    print(f"majority (a tie counts as no): event {majority['event']}, "
          f"other-type {majority['other-type']}, no {majority['no']}, "
          f"unjudged {majority[None]}")
    print(f"precision had the gold annotated the events judged real "
          f"(unjudged ones counted at the judged share): "
          f"{100 * (right + share * len(keys)) / found:.2f}")


def vote(k, annotators):
    """The most common verdict on key k; a tie is "no", none is None."""
    votes = Counter(v[k] for v in annotators if k in v).most_common()
    if not votes:
        return None
    if len(votes) > 1 and votes[0][1] == votes[1][1]:
        return "no"
    return votes[0][0]


def main(argv):
    if len(argv) >= 3 and argv[1] == "items":
        items(argv[2])
    elif len(argv) >= 4 and argv[1] == "score":
        score(argv[2], argv[3:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
