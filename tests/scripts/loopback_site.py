"""A loopback site for the script tests: PAGES pages over HOSTS host names
(all 127.0.0.1, named for crawl with --resolve), each request logged with
its Host, and the crawl arguments and URL list that go with it."""
import http.server
import os
import threading


class Site(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # connections kept: the crawler reuses them
    """Page N: its own word, a word shared by every seventh, and two common words."""
    requests = []
    lock = threading.Lock()

    def do_GET(self):
        host = self.headers.get("Host", "").split(":")[0]
        with Site.lock:
            Site.requests.append((host, self.path))
        if self.path.startswith("/page/"):
            n = int(self.path.rsplit("/", 1)[1])
            body = f"<html><body><p>page{n} group{n % 7} crawl shards</p></body></html>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
        else:
            body = b"not here"
            self.send_response(404)
            self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class SiteServer(http.server.ThreadingHTTPServer):
    request_queue_size = 1024  # the default 5 drops connections under 64 at once: a second's SYN retry each
    daemon_threads = True



class LoopbackSite:
    def __init__(self, hosts, pages):
        self.hosts, self.pages = hosts, pages
        self.server = SiteServer(("127.0.0.1", 0), Site)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.port = self.server.server_address[1]

    def write_list(self, path):
        with open(path, "w") as f:
            for n in range(self.pages):
                f.write(f"http://h{n % self.hosts}.test:{self.port}/page/{n}\n")

    def crawl_args(self):
        args = ["-c", "64", "--per-host", "8"]
        for h in range(self.hosts):
            args += ["--resolve", f"h{h}.test:{self.port}:127.0.0.1"]
        return args

    def clear(self):
        with Site.lock:
            Site.requests.clear()

    def requests(self):
        with Site.lock:
            return list(Site.requests)

    def stop(self):
        self.server.shutdown()


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()
