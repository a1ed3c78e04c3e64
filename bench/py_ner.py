"""The Python side of `make bench`: Hugging Face transformers' token-classification pipeline
on the same model directory casefile ships, over the same CoNLL sentences.

    python bench/py_ner.py --model models/ner-en-conll --conll dev.txt [--batch-size N] --out F

Each sentence is the CoNLL words joined by single spaces, as a user would pass raw text.
The shipped model reads the casing class of each word piece's word from `token_type_ids`
(see `casefile` in its config.json); the stock pipeline would leave them at 0, so the
subclass below fills them exactly as casefile does: the class of the whitespace-delimited
word a piece belongs to. Everything else is the stock pipeline with
`aggregation_strategy="simple"`.

Prints one JSON line: sentences, words, seconds (the pipeline call only, model loading
excluded), words_per_second, batch_size. Writes the entities of every sentence to `--out`
as JSON lines `[[start, end, label], ...]` (character offsets) for the agreement check.
"""

import argparse
import json
import sys
import time

import torch
from transformers import AutoModelForTokenClassification, AutoTokenizer
from transformers.pipelines import TokenClassificationPipeline


def casing_class(word: str) -> int:
    """Mirror of src/ner/casing.rs: 1 lower/punct, 2 Initial-cap, 3 ALL-CAPS, 4 mIxed, 5 number."""
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return 5 if any(c.isnumeric() for c in word) else 1
    upper = [c for c in letters if c.isupper()]
    if not upper:
        return 1
    if len(upper) == len(letters) and len(letters) > 1:
        return 3
    if word[0].isupper() and len(upper) == 1:
        return 2
    return 4


def word_classes(text: str) -> list:
    """Casing class of the whitespace-delimited word covering each character (0: space)."""
    classes = [0] * len(text)
    i = 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        j = i
        while j < len(text) and not text[j].isspace():
            j += 1
        c = casing_class(text[i:j])
        for k in range(i, j):
            classes[k] = c
        i = j
    return classes


class CasingPipeline(TokenClassificationPipeline):
    """The stock pipeline, plus casing token types computed from each piece's offsets."""

    def preprocess(self, sentence, offset_mapping=None, **params):
        classes = word_classes(sentence)
        for inputs in super().preprocess(sentence, offset_mapping=offset_mapping, **params):
            offsets = inputs["offset_mapping"][0]
            types = [
                0 if end <= start else classes[start]
                for start, end in offsets.tolist()
            ]
            inputs["token_type_ids"] = torch.tensor([types], dtype=torch.long)
            yield inputs


def read_conll(path):
    sentences, words = [], []
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("-DOCSTART-"):
            if words:
                sentences.append(words)
                words = []
            continue
        words.append(line.split()[0])
    if words:
        sentences.append(words)
    return sentences


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--conll", required=True)
    ap.add_argument("--batch-size", type=int, default=0, help="0: the pipeline's default")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    sentences = [" ".join(s) for s in read_conll(args.conll)]
    words = sum(len(s.split(" ")) for s in sentences)
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForTokenClassification.from_pretrained(args.model).eval()
    pipe = CasingPipeline(
        model=model, tokenizer=tokenizer, aggregation_strategy="simple", device=-1
    )
    kwargs = {"batch_size": args.batch_size} if args.batch_size > 0 else {}
    start = time.perf_counter()
    results = pipe(sentences, **kwargs)
    seconds = time.perf_counter() - start
    with open(args.out, "w", encoding="utf-8") as f:
        for ents in results:
            f.write(json.dumps([[e["start"], e["end"], e["entity_group"]] for e in ents]) + "\n")
    print(
        json.dumps(
            {
                "sentences": len(sentences),
                "words": words,
                "seconds": round(seconds, 3),
                "words_per_second": round(words / seconds, 1),
                "batch_size": args.batch_size or 1,
                "torch_threads": torch.get_num_threads(),
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
