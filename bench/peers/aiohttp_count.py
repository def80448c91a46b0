#!/usr/bin/env python3
"""The peer our users come from: an asyncio/aiohttp word counter.
usage: aiohttp_count.py URLS CONNECTIONS"""
import asyncio
import re
import sys
from collections import Counter

import aiohttp

HIDDEN = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
TAGS = re.compile(r"<[^>]*>")
WORD = re.compile(r"\w+")

async def fetch(session, url, counts, sem):
    async with sem:
        async with session.get(url) as resp:
            resp.raise_for_status()  # a failed page fails the run, as it would be noticed
            text = await resp.text(encoding="utf-8")  # the charset is passed, not guessed
    text = TAGS.sub(" ", HIDDEN.sub(" ", text))
    counts.update(w for w in WORD.findall(text.lower()) if not w.isdigit())

async def main() -> None:
    urls = [line.strip() for line in open(sys.argv[1]) if line.strip()]
    limit = int(sys.argv[2])
    counts: Counter = Counter()
    sem = asyncio.Semaphore(limit if limit > 0 else len(urls))
    connector = aiohttp.TCPConnector(limit=limit)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(fetch(session, u, counts, sem) for u in urls))
    print("pages", len(urls))  # every one fetched: gather() raises on the first failure
    for word, n in counts.most_common(5):
        print(word, n)

asyncio.run(main())
