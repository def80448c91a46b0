#!/usr/bin/env python3
"""Generates a deterministic site of HTML pages for the benchmarks.
usage: gen_site.py DIR PAGES [BYTES_PER_PAGE]"""
import os
import random
import sys

def main() -> None:
    out, pages = sys.argv[1], int(sys.argv[2])
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 28_000
    rng = random.Random(42)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 10)))
             for _ in range(5000)]
    weights = [1.0 / (rank + 1) for rank in range(len(vocab))]  # Zipf-like, as real text is
    os.makedirs(out, exist_ok=True)
    for n in range(pages):
        parts = [f"<!doctype html><html><head><meta charset=\"utf-8\"><title>Page {n}</title>"
                 "<style>p { margin: 0 }</style><script>var x = 1;</script></head><body>"]
        length = sum(map(len, parts))
        while length < size:
            words = " ".join(rng.choices(vocab, weights, k=60))
            para = f"<p class=\"c{n % 7}\">{words} <a href=\"/p{rng.randint(0, pages - 1)}.html\">link</a></p>\n"
            parts.append(para)
            length += len(para)
        parts.append("</body></html>\n")
        with open(os.path.join(out, f"p{n}.html"), "w", encoding="utf-8") as f:
            f.write("".join(parts))

if __name__ == "__main__":
    main()
