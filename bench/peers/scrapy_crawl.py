#!/usr/bin/env python3
"""The crawler our users come from: Scrapy (Debian's python3-scrapy 2.8).
usage: scrapy_crawl.py follow START_URL CONCURRENCY
       scrapy_crawl.py list URLS_FILE CONCURRENCY DOWNLOAD_DELAY
follow: a CrawlSpider from START_URL over links within its host, unlimited
depth; list: the URLs of a file, with DOWNLOAD_DELAY seconds between two
requests to one host. robots.txt obeyed in both. Words are counted in an
item pipeline with crawl's rule for these pages (visible text, lowercased,
runs of letters). Prints "pages N" and the five commonest words."""
import re
import sys
from collections import Counter
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule

WORD = re.compile(r"[^\W\d_]+")
VISIBLE = "//body//text()[not(ancestor::script) and not(ancestor::style)]"


class WordPipeline:
    counts: Counter = Counter()
    pages = 0

    def process_item(self, item, spider):
        WordPipeline.pages += 1
        WordPipeline.counts.update(WORD.findall(item["text"].lower()))
        return item


def page_item(response):
    return {"text": " ".join(response.xpath(VISIBLE).getall())}


class Follow(CrawlSpider):
    name = "follow"

    def __init__(self, start, *args, **kwargs):
        self.start_urls = [start]
        parts = urlsplit(start)
        self.allowed_domains = [parts.hostname]
        # The start's scheme and host (allow_domains matches no IP address).
        origin = re.escape(f"{parts.scheme}://{parts.netloc}/")
        self.rules = (Rule(LinkExtractor(allow=[f"^{origin}"]), callback="parse_item", follow=True),)
        super().__init__(*args, **kwargs)

    def start_requests(self):
        # Filtered like every other request, so that a link back to the
        # start page does not fetch it (and count its words) twice.
        for url in self.start_urls:
            yield Request(url, dont_filter=False)

    def parse_start_url(self, response):
        return self.parse_item(response)

    def parse_item(self, response):
        yield page_item(response)


class List(Spider):
    name = "list"

    def __init__(self, urls, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.start_urls = urls

    def parse(self, response):
        yield page_item(response)


def main() -> None:
    mode, target, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3])
    settings = {
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "CONCURRENT_REQUESTS_PER_IP": 0,
        "DOWNLOAD_DELAY": 0,
        "DEPTH_LIMIT": 0,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "ITEM_PIPELINES": {WordPipeline: 300},
        "REACTOR_THREADPOOL_MAXSIZE": 20,
    }
    process = CrawlerProcess(settings)
    if mode == "follow":
        process.crawl(Follow, start=target)
    else:
        settings_delay = float(sys.argv[4])
        urls = [line.strip() for line in open(target) if line.strip()]
        List.custom_settings = {"DOWNLOAD_DELAY": settings_delay, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
        process.crawl(List, urls=urls)
    process.start()
    print("pages", WordPipeline.pages)
    for word, n in WordPipeline.counts.most_common(5):
        print(word, n)


main()
