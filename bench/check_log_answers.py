#!/usr/bin/env python3
"""Checks that the contestants of `bench/run logs` gave the same answers.
usage: check_log_answers.py WORK_DIR QUESTION
Prints nothing and exits 0 when they agree; else says which disagree
(one line per contestant: "NAME what got expected") and exits 1.
Counts must be identical; percentiles within 1% (ours are sketched)."""
import csv
import json
import sys
from collections import Counter

work, question = sys.argv[1], sys.argv[2]
bad = []


def rows(name):
    with open(f"{work}/{name}.out", newline="") as f:
        return list(csv.DictReader(f))


def lines(name):
    with open(f"{work}/{name}.out") as f:
        return [line.split() for line in f if line.strip()]


def top(counts, n):
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def goaccess():
    return json.load(open(f"{work}/q_goaccess.out.json"))


def close(a, b):
    return abs(a - b) <= 0.01 * abs(b)


if question == "status-paths":
    status = {r["status"]: int(r["count"]) for r in rows("q_crawl_status")}
    paths = top({r["path"]: int(r["count"]) for r in rows("q_crawl_paths")}, 20)
    mawk_status = {k: int(v) for k, v in lines("q_mawk_status")}
    mawk_paths = top({k: int(v) for k, v in lines("q_mawk_paths")}, 20)
    if mawk_status != status:
        bad.append(f"q_mawk_status counts {sorted(mawk_status.items())} expected {sorted(status.items())}")
    if mawk_paths != paths:
        bad.append(f"q_mawk_paths top20 {mawk_paths[:3]}... expected {paths[:3]}...")
    try:
        g = goaccess()
        g_status = {}
        for group in g["status_codes"]["data"]:
            for item in group["items"]:
                g_status[item["data"].split(" ")[0]] = item["hits"]["count"]
        g_paths = Counter()
        for panel in ("requests", "not_found", "static_requests"):
            for item in g[panel]["data"]:
                g_paths[item["data"]] += item["hits"]["count"]
        if g_status != status:
            bad.append(f"q_goaccess status {sorted(g_status.items())} expected {sorted(status.items())}")
        if top(g_paths, 20) != paths:
            bad.append(f"q_goaccess top20 {top(g_paths, 20)[:3]}... expected {paths[:3]}...")
    except (OSError, KeyError, ValueError) as e:
        bad.append(f"q_goaccess report unreadable: {e}")
elif question == "per-minute":
    ours = {r["minute"]: int(r["count"]) for r in rows("q_crawl_minute") if int(r["count"])}
    theirs = {}
    for fields in lines("q_lnav_minute"):
        if len(fields) == 2 and fields[1].isdigit():
            theirs[fields[0]] = int(fields[1])
    if theirs != ours:
        bad.append(f"q_lnav_minute {len(theirs)} minutes, expected {len(ours)} (first {sorted(theirs.items())[:2]} vs {sorted(ours.items())[:2]})")
elif question in ("p99-path", "json-service"):
    key, column = ("path", "p99_request_time") if question == "p99-path" else ("service", "p99_latency_ms")
    name = question.replace("-", "_")
    ours = {r[key]: (int(r["count"]), float(r[column])) for r in rows(f"q_crawl_{name}")}
    python = {k: (int(c), float(p)) for k, c, p in lines(f"q_py_{name}")}
    if set(python) != set(ours):
        bad.append(f"q_py_{name} groups differ: {len(python)} vs {len(ours)}")
    for k, (count, p99) in python.items():
        if k in ours and (ours[k][0] != count or not close(ours[k][1], p99)):
            bad.append(f"q_crawl_{name} {k}: count {ours[k][0]} p99 {ours[k][1]}, expected {count} and {p99} within 1%")
            break
    if question == "json-service":
        jq = {k: int(c) for c, k in lines("q_jq")}
        if jq != {k: v[0] for k, v in ours.items()}:
            bad.append(f"q_jq counts {sorted(jq.items())} expected {sorted((k, v[0]) for k, v in ours.items())}")
for line in bad:
    print(line)
sys.exit(1 if bad else 0)
