#!/usr/bin/env python3
"""What a Python user would write for the questions of `bench/run logs`.
usage: log_questions.py p99-path ACCESS_LOG   -> "path count p99" lines, p99 of request_time by path
       log_questions.py json-service JSONL    -> "service count p99" lines, p99 of latency_ms by service
Percentiles by nearest rank, exact (every value kept and sorted)."""
import json
import math
import re
import sys
from collections import defaultdict

# The combined format with request_time after the user agent.
ACCESS = re.compile(r'^\S+ \S+ \S+ \[[^\]]+\] "\S+ ([^ ?"]*)[^"]*" \d{3} \S+ "(?:[^"\\]|\\.)*" "(?:[^"\\]|\\.)*" ([0-9.]+)')


def nearest_rank(values, q):
    values.sort()
    return values[max(1, math.ceil(q * len(values) - 1e-9)) - 1]


def main() -> None:
    mode, path = sys.argv[1], sys.argv[2]
    groups = defaultdict(list)
    with open(path, encoding="utf-8", errors="replace") as f:
        if mode == "p99-path":
            for line in f:
                m = ACCESS.match(line)
                if m:
                    groups[m.group(1)].append(float(m.group(2)))
        else:
            for line in f:
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue
                groups[obj.get("service")].append(float(obj.get("latency_ms")))
    for key, values in sorted(groups.items()):
        print(key, len(values), nearest_rank(values, 0.99))


if __name__ == "__main__":
    main()
