#!/usr/bin/env python3
"""The peer our users come from: a Python Counter word count over a log.
usage: py_counter.py FILE"""
import re
import sys
from collections import Counter

WORD = re.compile(r"[^\W\d_]\w*")
counts: Counter = Counter()
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    for line in f:
        counts.update(WORD.findall(line.lower()))
for word, n in counts.most_common(5):
    print(word, n)
