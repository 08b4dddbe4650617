"""tests/e2e/test_npm_audit_passthrough.py - npm audit through app -> npm-store (public:npmjs), where the
connection's URL is a small advisory server started by this test (127.0.0.1, with credentials in the
URL): `npm audit --json` in a project reports the canned advisory for vuln-lib, the advisory server
received the bulk request naming vuln-lib and not private-lib (published in app, so withheld), the
quick endpoint is relayed with the same filtering, and when the advisory source fails (500, slow,
stopped) `npm audit` exits non-zero saying so (502/504, never a clean report). No credential of the
connection appears in the server log."""
import base64
import gzip
import hashlib
import http.server
import json
import threading
import urllib.parse

import harness
from harness import Arca, ArcaTestCase
from npm_helpers import NodeClient, NpmRepo, integrity, make_tarball

BULK = "/-/npm/v1/security/advisories/bulk"
QUICK = "/-/npm/v1/security/audits/quick"
ADVISORY = {"id": 1099, "url": "https://advisories.invalid/1099", "title": "Prototype pollution in vuln-lib",
            "severity": "high", "vulnerable_versions": "<1.0.1", "cwe": ["CWE-1321"],
            "cvss": {"score": 7.5, "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}}
USER, SECRET = "ci-bot", "s3cr3t-Adv1sory"


class AdvisorySource:
    """The public registry as far as this test needs it: vuln-lib's packument and tarball, and the audit
    endpoints, which answer an advisory for vuln-lib and record every request."""

    def __init__(self):
        self.requests = []  # (method, path, headers, body as JSON or None)
        self.mode = "ok"  # "ok" | "fail" (500) | "slow" (no answer until released)
        self.release = threading.Event()
        self.files = {}
        source = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def send(self, status, body, ctype="application/json"):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the slow case: Arca gave up waiting

            def do_GET(self):
                source.requests.append(("GET", self.path, dict(self.headers), None))
                if self.path in source.files:
                    self.send(200, *source.files[self.path])
                else:
                    self.send(404, b'{"error":"Not found"}')

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding") == "gzip":
                    raw = gzip.decompress(raw)
                body = json.loads(raw) if raw else None
                source.requests.append(("POST", self.path, dict(self.headers), body))
                if source.mode == "slow":
                    source.release.wait(30)
                if source.mode == "fail":
                    return self.send(500, b"internal trouble\n", "text/plain")
                if self.path == BULK:
                    answer = {name: [ADVISORY] for name in body if name == "vuln-lib"}
                elif self.path == QUICK:
                    answer = {"actions": [], "advisories": {"1099": dict(ADVISORY, module_name="vuln-lib")},
                              "muted": [], "metadata": {"vulnerabilities": {"high": 1}}}
                else:
                    return self.send(404, b'{"error":"Not found"}')
                self.send(200, json.dumps(answer).encode())

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def publish(self, name, version):
        tgz, manifest = make_tarball(name, version)
        rel = f"{name}/-/{name}-{version}.tgz"
        when = "2020-01-01T00:00:00.000Z"
        doc = {"_id": name, "name": name, "dist-tags": {"latest": version}, "time": {"modified": when, version: when},
               "versions": {version: dict(manifest, _id=f"{name}@{version}", dist={
                   "integrity": integrity(tgz), "shasum": hashlib.sha1(tgz).hexdigest(), "tarball": self.base + rel})}}
        self.files["/" + name] = (json.dumps(doc).encode(),)
        self.files["/" + rel] = (tgz, "application/octet-stream")

    def posts(self, path):
        return [r for r in self.requests if r[0] == "POST" and r[1] == path]

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class NpmAuditPassthrough(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        cls.source = AdvisorySource()
        cls.addClassCleanup(cls.source.stop)
        cls.source.publish("vuln-lib", "1.0.0")
        url = cls.source.base.replace("http://", f"http://{USER}:{SECRET}@")
        cls.arca = Arca(env={"ARCA_EXTERNAL_PUBLIC_NPMJS": url, "ARCA_UPSTREAM_METADATA_TIMEOUT": "2s"})
        cls.addClassCleanup(cls.arca.cleanup)

    def test_audit_through_the_connection(self):
        a, src = self.arca, self.source
        a.aws("create-domain", "--domain", "corp")
        a.aws("create-repository", "--domain", "corp", "--repository", "npm-store")
        a.aws("associate-external-connection", "--domain", "corp", "--repository", "npm-store",
              "--external-connection", "public:npmjs")
        a.aws("create-repository", "--domain", "corp", "--repository", "app", "--upstreams",
              "repositoryName=npm-store")
        app = NpmRepo(a, domain="corp", repo="app", create=False)
        self.assertEqual(app.publish("private-lib", "1.0.0")[0], 200)
        c = NodeClient(a.dir, "auditor")
        c.write_npmrc(app)
        proj = c.project("proj", deps={"vuln-lib": "^1.0.0", "private-lib": "^1.0.0"})
        c.npm("install", "--no-audit", cwd=proj)

        # npm audit reports the advisory the source gave; exit 1 because something was found.
        p = c.npm("audit", "--json", cwd=proj, check=False)
        self.assertEqual(p.returncode, 1, p.stderr)
        report = json.loads(p.stdout)
        self.assertEqual(report["metadata"]["vulnerabilities"]["high"], 1, p.stdout)
        vuln = report["vulnerabilities"]["vuln-lib"]
        self.assertEqual(vuln["severity"], "high")
        self.assertEqual(vuln["via"][0]["title"], ADVISORY["title"])
        self.assertNotIn("private-lib", report["vulnerabilities"])
        # The source got the bulk request naming vuln-lib, with the connection's credentials, and
        # nothing about private-lib (published inside the domain).
        method, path, headers, body = src.posts(BULK)[-1]
        self.assertEqual(body, {"vuln-lib": ["1.0.0"]})
        self.assertEqual(headers.get("Authorization"),
                         "Basic " + base64.b64encode(f"{USER}:{SECRET}".encode()).decode())

        # The same on the wire, with the headers that say where advisories came from.
        bulk = gzip.compress(json.dumps({"vuln-lib": ["1.0.0"], "private-lib": ["1.0.0"]}).encode())
        status, h, data = app.http("POST", BULK[1:], bulk, {"Content-Type": "application/json",
                                                            "Content-Encoding": "gzip"})
        self.assertEqual(status, 200, data)
        self.assertEqual(json.loads(data), {"vuln-lib": [ADVISORY]})
        self.assertEqual(h["X-Arca-Advisories"], "external:public:npmjs")
        self.assertEqual(h["X-Arca-Advisories-Withheld"], "1")
        # Only private names: nothing to ask, an empty answer that says so.
        n = len(src.posts(BULK))
        status, h, data = app.http("POST", BULK[1:], {"private-lib": ["1.0.0"]})
        self.assertEqual((status, json.loads(data), h["X-Arca-Advisories-Withheld"]), (200, {}, "1"))
        self.assertEqual(len(src.posts(BULK)), n)
        # The quick endpoint (npm 6, pnpm): the tree is filtered the same way, the answer relayed.
        tree = {"name": "proj", "version": "1.0.0",
                "requires": {"vuln-lib": "^1.0.0", "private-lib": "^1.0.0"},
                "dependencies": {"vuln-lib": {"version": "1.0.0", "requires": {"private-lib": "1.0.0"}},
                                 "private-lib": {"version": "1.0.0"}}}
        status, h, data = app.http("POST", QUICK[1:], tree)
        self.assertEqual(status, 200, data)
        self.assertIn("1099", json.loads(data)["advisories"])
        self.assertEqual(src.posts(QUICK)[-1][3], {
            "name": "proj", "version": "1.0.0", "requires": {"vuln-lib": "^1.0.0"},
            "dependencies": {"vuln-lib": {"version": "1.0.0", "requires": {}}}})

        # The source fails: 502, and npm audit fails saying why (never "0 vulnerabilities").
        src.mode = "fail"
        status, _, data = app.http("POST", BULK[1:], {"vuln-lib": ["1.0.0"]})
        self.assertEqual(status, 502, data)
        self.assertIn("advisory source public:npmjs is unreachable", json.loads(data)["error"])
        p = c.npm("audit", cwd=proj, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("advisory source public:npmjs is unreachable", p.stdout + p.stderr)
        self.assertIn("audit endpoint returned an error", p.stdout + p.stderr)
        # Slower than upstream_metadata_timeout: 504.
        src.mode = "slow"
        status, _, data = app.http("POST", BULK[1:], {"vuln-lib": ["1.0.0"]})
        self.assertEqual(status, 504, data)
        self.assertIn("timed out", json.loads(data)["error"])
        src.release.set()
        # Stopped (or its breaker open after these failures): 502 or 503, still an error.
        src.stop()
        status, _, data = app.http("POST", BULK[1:], {"vuln-lib": ["1.0.0"]})
        self.assertIn(status, (502, 503), data)
        self.assertIn("unreachable", json.loads(data)["error"])
        p = c.npm("audit", "--json", cwd=proj, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("unreachable", json.loads(p.stdout)["body"]["error"])

        log = a.read_log()
        self.assertIn("advisories/bulk", log)  # the failures were logged...
        self.assertNotIn(SECRET, log)  # ...with the URL redacted
        self.assertNotIn(USER, log)


if __name__ == "__main__":
    harness.main()
