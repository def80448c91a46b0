#!/usr/bin/env python3
"""Builds the Chinese corpus of `bench/run segment` from Debian packages:
the Chinese manual pages (manpages-zh: zh_CN simplified, zh_TW traditional)
with their roff markup removed, and the Chinese fortunes (fortunes-zh: Debian
texts, Tang and Song poems). The text is repeated until it is SIZE bytes.
usage: gen_zh_corpus.py PATH SIZE_BYTES"""
import glob
import gzip
import re
import sys

ROFF_ESCAPE = re.compile(r"\\f[BIRP]|\\f\(..|\\\(..|\\[-&e|^]|\\s[+-]?\d")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def man_text(path):
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith((".", "'", '\\"')):
                continue
            yield ROFF_ESCAPE.sub("", line)


def main() -> None:
    path, size = sys.argv[1], int(sys.argv[2])
    parts = []
    for page in sorted(glob.glob("/usr/share/man/zh_CN/man*/*.gz") + glob.glob("/usr/share/man/zh_TW/man*/*.gz")):
        parts.append("".join(man_text(page)))
    for name in ("chinese", "tang300", "song100"):
        with open(f"/usr/share/games/fortunes/{name}", encoding="utf-8", errors="replace") as f:
            parts.append("".join(ANSI.sub("", line) for line in f if line.strip() != "%"))
    text = "".join(parts).encode("utf-8")
    with open(path, "wb") as out:
        written = 0
        while written < size:
            out.write(text)
            written += len(text)


if __name__ == "__main__":
    main()
