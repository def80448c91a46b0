#!/usr/bin/env python3
"""The peer our users come from: a Python Counter word count over a log.
usage: py_counter.py FILE"""
import re
import sys
from collections import Counter

WORD = re.compile(r"[^\W\d_]\w*")
counts: Counter = Counter()
lines = 0
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    for line in f:
        lines += 1
        counts.update(WORD.findall(line.lower()))
print("lines", lines)
for word, n in counts.most_common(5):
    print(word, n)
