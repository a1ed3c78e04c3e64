"""Entity agreement between casefile and the Python pipeline, for `make bench`.

    python bench/agree.py CASEFILE_OUTPUT PYTHON_ENTITIES_JSONL

casefile's side is `tag-conll --spans` output (.jsonl: entities as character offsets in
the sentence the Python side saw, the words joined by single spaces), or plain
`tag-conll` output, whose IOB2 tags are mapped to those offsets (whole words only). An entity agrees when both sides have the same start, end and
type. Prints one JSON line: casefile, python, agreed, and agreement = agreed / |union| in
percent (the stricter choice: every entity either side found and the other did not counts).
"""

import json
import sys


def casefile_entities(path):
    sentences, cur = [], []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("-DOCSTART-"):
            if cur:
                sentences.append(cur)
                cur = []
            continue
        cols = line.split()
        cur.append((cols[0], cols[-1]))
    if cur:
        sentences.append(cur)
    out = []
    for words in sentences:
        ents, pos, open_ent = [], 0, None
        for word, tag in words:
            start, end = pos, pos + len(word)
            pos = end + 1
            if tag.startswith("I-") and open_ent and open_ent[2] == tag[2:]:
                open_ent[1] = end
                continue
            if open_ent:
                ents.append(tuple(open_ent))
                open_ent = None
            if tag != "O":
                open_ent = [start, end, tag[2:]]
        if open_ent:
            ents.append(tuple(open_ent))
        out.append(set(ents))
    return out


def read_spans(path):
    return [set(tuple(e) for e in json.loads(l)) for l in open(path, encoding="utf-8")]


def main():
    # casefile's side: `tag-conll` output, or `tag-conll --spans` JSON lines (.jsonl).
    ours = read_spans(sys.argv[1]) if sys.argv[1].endswith(".jsonl") else casefile_entities(sys.argv[1])
    theirs = read_spans(sys.argv[2])
    if len(ours) != len(theirs):
        sys.exit(f"sentence counts differ: casefile {len(ours)}, python {len(theirs)}")
    a = b = agreed = 0
    diffs = []
    for i, (x, y) in enumerate(zip(ours, theirs)):
        a += len(x)
        b += len(y)
        agreed += len(x & y)
        if x != y and len(diffs) < 10:
            diffs.append({"sentence": i, "casefile_only": sorted(x - y), "python_only": sorted(y - x)})
    union = a + b - agreed
    print(
        json.dumps(
            {
                "casefile": a,
                "python": b,
                "agreed": agreed,
                "agreement": round(100.0 * agreed / union, 2) if union else 100.0,
            }
        )
    )
    for d in diffs:
        print(json.dumps(d), file=sys.stderr)


if __name__ == "__main__":
    main()
