#!/usr/bin/env python3
"""Generates a deterministic application log of about SIZE bytes.
usage: gen_log.py PATH SIZE_BYTES"""
import random
import sys

def main() -> None:
    path, size = sys.argv[1], int(sys.argv[2])
    rng = random.Random(7)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9))) for _ in range(3000)]
    weights = [1.0 / (r + 1) for r in range(len(words))]
    levels = ["INFO"] * 7 + ["WARN"] * 2 + ["ERROR"]
    statuses = ["200"] * 12 + ["404", "500", "302", "503"]
    # A pool of message bodies, reused with fresh timestamps and ids: fast to
    # write, and still tens of thousands of distinct lines.
    bodies = [" ".join(rng.choices(words, weights, k=rng.randint(4, 12))) for _ in range(20000)]
    written = 0
    second = 0
    with open(path, "w", encoding="ascii") as out:
        while written < size:
            batch = []
            for _ in range(10000):
                second += 1
                h, m, s = (second // 3600) % 24, (second // 60) % 60, second % 60
                line = (f"2024-05-{1 + second // 86400 % 28:02d}T{h:02d}:{m:02d}:{s:02d}Z "
                        f"{rng.choice(levels)} status={rng.choice(statuses)} id={rng.getrandbits(32)} "
                        f"{bodies[rng.randrange(len(bodies))]}\n")
                batch.append(line)
            text = "".join(batch)
            out.write(text)
            written += len(text)

if __name__ == "__main__":
    main()
