#!/usr/bin/env python3
"""Python jieba (Debian python3-jieba) counting the words of a text, for
`bench/run segment`: jieba.cut over the whole text, words with a letter or
digit kept, lowercased.
usage: jieba_count.py FILE  -> "words N" and the top 20"""
import collections
import logging
import sys

import jieba

jieba.setLogLevel(logging.WARNING)


def main() -> None:
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        text = f.read()
    counts = collections.Counter(w.lower() for w in jieba.cut(text) if any(c.isalnum() for c in w))
    print("words", sum(counts.values()))
    for word, n in counts.most_common(20):
        print(word, n)


if __name__ == "__main__":
    main()
