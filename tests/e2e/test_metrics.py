"""tests/e2e/test_metrics.py - GET /metrics: Prometheus text with HTTP, render-cache, upstream and process
counters that move with the traffic; no package names in it; metrics_token and metrics=false."""
import http.client
import re

from harness import Arca, ArcaTestCase
from npm_helpers import NpmRepo

SAMPLE = re.compile(r'^([a-z_]+)(\{[^}]*\})? (\S+)$')


def parse(text):
    """{'name{labels}': value} of every sample; raises on a line that is not a comment or a sample."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("# HELP ") or line.startswith("# TYPE "):
            continue
        m = SAMPLE.match(line)
        assert m, f"not a Prometheus sample line: {line!r}"
        out[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return out


class Metrics(ArcaTestCase):
    # Nothing listens on port 1: every upstream request fails at once.
    server_args = ("--external", "public:npmjs=http://127.0.0.1:1/")

    def setUp(self):
        # One kept-alive connection: the server counts a request before it reads the next one on it.
        self.conn = http.client.HTTPConnection("127.0.0.1", self.arca.port, timeout=30)

    def get(self, path, headers=None):
        self.conn.request("GET", path, headers=headers or {})
        r = self.conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()

    def scrape(self):
        status, headers, body = self.get("/metrics")
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8")
        return body.decode(), parse(body.decode())

    def test_http_counters_and_histogram(self):
        _, before = self.scrape()
        for _ in range(3):
            self.assertEqual(self.get("/healthz")[0], 200)
        for _ in range(2):
            self.assertEqual(self.get("/nope-123456789012/npm/x/y")[0], 404)
        _, after = self.scrape()
        delta = lambda k: after[k] - before.get(k, 0)  # noqa: E731
        self.assertEqual(delta('arca_http_requests_total{code="2xx"}'), 4)  # 3 healthz + the first scrape
        self.assertEqual(delta('arca_http_requests_total{code="4xx"}'), 2)
        self.assertEqual(delta("arca_http_request_duration_seconds_count"), 6)
        self.assertEqual(after['arca_http_request_duration_seconds_bucket{le="+Inf"}'],
                         after["arca_http_request_duration_seconds_count"])
        buckets = [v for k, v in after.items() if k.startswith("arca_http_request_duration_seconds_bucket")]
        self.assertEqual(buckets, sorted(buckets), "histogram buckets are cumulative")
        self.assertGreaterEqual(after["arca_http_response_bytes_total"] - before["arca_http_response_bytes_total"],
                                len(b"ok\n") * 3)
        self.assertGreater(after["process_resident_memory_bytes"], 1 << 20)
        self.assertGreater(after["process_open_fds"], 2)

    def test_render_cache_and_upstream(self):
        a = self.arca
        repo = NpmRepo(a, domain="met", repo="local")
        self.assertEqual(repo.publish("secret-internal-name", "1.0.0")[0], 200)
        auth = {"Authorization": f"Bearer {repo.token}"}
        _, cold = self.scrape()
        self.assertEqual(self.get(repo.path + "secret-internal-name", auth)[0], 200)  # rendered once...
        _, before = self.scrape()
        self.assertGreater(before["arca_render_cache_builds_total"], cold["arca_render_cache_builds_total"])
        for _ in range(2):  # ...then served from memory
            self.assertEqual(self.get(repo.path + "secret-internal-name", auth)[0], 200)
        a.aws("create-repository", "--domain", "met", "--repository", "store")
        a.aws("associate-external-connection", "--domain", "met", "--repository", "store",
              "--external-connection", "public:npmjs")
        store = repo.path.replace("/local/", "/store/")
        self.assertEqual(self.get(store + "left-over", auth)[0], 502)
        text, after = self.scrape()
        delta = lambda k: after[k] - before.get(k, 0)  # noqa: E731
        self.assertEqual(delta("arca_render_cache_builds_total"), 0)
        self.assertEqual(delta('arca_render_cache_lookups_total{result="hit"}'), 2)
        self.assertGreaterEqual(after["arca_render_cache_entries"], 1)
        self.assertEqual(delta('arca_upstream_failures_total{connection="public:npmjs"}'), 1)
        self.assertEqual(delta('arca_upstream_requests_total{connection="public:npmjs"}'), 1)
        # Aggregates only: no package, repository or user names.
        for name in ("secret-internal-name", "left-over", "met", "admin"):
            self.assertNotIn(name, text)


class MetricsSettings(ArcaTestCase):
    def test_token_and_off(self):
        token = "m" * 24
        guarded = Arca(env={"ARCA_METRICS_TOKEN": token})
        self.addCleanup(guarded.cleanup)
        status, headers, _ = guarded.http("GET", "/metrics")
        self.assertEqual(status, 401)
        self.assertEqual(headers["WWW-Authenticate"], 'Bearer realm="arca-metrics"')
        self.assertEqual(guarded.http("GET", "/metrics", headers={"Authorization": "Bearer " + "m" * 23 + "n"})[0],
                         401)
        status, _, body = guarded.http("GET", "/metrics", headers={"Authorization": f"Bearer {token}"})
        self.assertEqual(status, 200)
        self.assertIn(b"arca_http_requests_total", body)
        self.assertNotIn(token.encode(), body)

        off = Arca(env={"ARCA_METRICS": "false"})
        self.addCleanup(off.cleanup)
        self.assertEqual(off.http("GET", "/metrics")[0], 404)
        self.assertEqual(off.http("GET", "/healthz")[0], 200)


if __name__ == "__main__":
    import harness
    harness.main()
