#!/usr/bin/env python3
"""Generates deterministic logs of about SIZE bytes for `bench/run logs`.
usage: gen_access_log.py nginx|json PATH SIZE_BYTES [ADDRESSES]
nginx: the combined format with request_time and upstream_time after the
user agent; json: one object per line with time, level, service, path,
status, latency_ms and user. ADDRESSES (default 1,000,000) client
addresses are drawn from, so a large log has about that many distinct."""
import random
import sys


def main() -> None:
    kind, path, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    addresses = int(sys.argv[4]) if len(sys.argv) > 4 else 1_000_000
    rng = random.Random(11)
    paths = ["/"] + [f"/{a}/{b}" for a in ("api", "static", "blog", "shop", "user") for b in range(1000)]
    weights = [1.0 / (r + 1) for r in range(len(paths))]
    statuses = ["200"] * 40 + ["304"] * 4 + ["404"] * 3 + ["301", "500", "502", "503"]
    agents = ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
              "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1",
              "curl/7.88.1", "Googlebot/2.1 (+http://www.google.com/bot.html)"]
    levels = ["info"] * 8 + ["warn", "error"]
    services = ["api", "web", "auth", "billing", "search"]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    written, second = 0, 0
    with open(path, "w", encoding="ascii") as out:
        while written < size:
            batch = []
            chosen_paths = rng.choices(paths, weights, k=10000)
            for i in range(10000):
                second += 1
                t = second // 40  # 40 lines a second
                day, h, m, s = 1 + (t // 86400) % 28, (t // 3600) % 24, (t // 60) % 60, t % 60
                a = rng.randrange(addresses)
                addr = f"10.{a >> 16 & 255}.{a >> 8 & 255}.{a & 255}"
                rt = rng.expovariate(20.0)
                p = chosen_paths[i]
                status = rng.choice(statuses)
                if kind == "nginx":
                    query = f"?id={rng.randrange(1000)}" if i % 4 == 0 else ""
                    batch.append(f'{addr} - - [{day:02d}/{months[10]}/2026:{h:02d}:{m:02d}:{s:02d} +0000] '
                                 f'"GET {p}{query} HTTP/1.1" {status} {rng.randrange(200, 60000)} "-" '
                                 f'"{agents[i % 4]}" {rt:.3f} {rt * 0.9:.3f}\n')
                else:
                    batch.append(f'{{"time":"2026-11-{day:02d}T{h:02d}:{m:02d}:{s:02d}.{i % 1000:03d}Z",'
                                 f'"level":"{rng.choice(levels)}","service":"{services[i % 5]}","path":"{p}",'
                                 f'"status":{status},"latency_ms":{rt * 1000:.2f},"user":"u{a}",'
                                 f'"msg":"request handled","ctx":{{"region":"eu-{i % 3}","attempt":{i % 2}}}}}\n')
            text = "".join(batch)
            out.write(text)
            written += len(text)


if __name__ == "__main__":
    main()
