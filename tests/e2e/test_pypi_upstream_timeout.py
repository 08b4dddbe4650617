"""tests/e2e/test_pypi_upstream_timeout.py - a public:pypi upstream that does not answer in time: 504 Gateway
Timeout with a message naming the connection (never its credentials) when nothing is cached, the cached
page with X-Arca-Stale when something is, and 504 for a file download that stalls. The upstream is a small
PEP 691 index served by http.server in this process; a request it holds waits on an event that the test
sets at the end, so nothing here sleeps and the held handlers finish at once."""
import hashlib
import json
import os
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import harness
from harness import Arca, ArcaTestCase
from pypi_helpers import make_venv, make_wheel, pip_env, repo_setup, request, with_auth

DOMAIN = "corp"
JSON_V1 = "application/vnd.pypi.simple.v1+json"
SECRET = "s3cret-upstream-pw"
HOLD_CAP_S = 60  # a held request is answered at the latest then, should the test die before releasing it


class FakeIndex:
    """A PEP 691 JSON index: simple/{name}/ pages and files/{filename}; paths in `held` wait for `release`."""

    def __init__(self):
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.files = {}  # project -> [(filename, bytes)]
        self.held = set()  # request paths to hold
        self.hits = {}  # request path -> count
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path = urllib.parse.urlsplit(self.path).path
                with fake.lock:
                    fake.hits[path] = fake.hits.get(path, 0) + 1
                    hold = path in fake.held
                if hold:
                    fake.release.wait(HOLD_CAP_S)
                status, ctype, body = fake.answer(path)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # Arca gave up on a held request long ago

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def add(self, project, path):
        with open(path, "rb") as f:
            data = f.read()
        with self.lock:
            self.files.setdefault(project, []).append((os.path.basename(path), data))

    def hold(self, path):
        with self.lock:
            self.held.add(path)

    def count(self, path):
        with self.lock:
            return self.hits.get(path, 0)

    def answer(self, path):
        with self.lock:
            files = {p: list(fs) for p, fs in self.files.items()}
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "simple" and parts[1] in files:
            page = {"meta": {"api-version": "1.1"}, "name": parts[1], "versions": [], "files": [
                {"filename": fn, "url": f"../../files/{fn}", "hashes": {"sha256": hashlib.sha256(data).hexdigest()},
                 "size": len(data), "upload-time": "2020-01-02T03:04:05.000000Z"}
                for fn, data in files[parts[1]]]}
            return 200, JSON_V1, json.dumps(page).encode()
        if len(parts) == 2 and parts[0] == "files":
            for fs in files.values():
                for fn, data in fs:
                    if fn == parts[1]:
                        return 200, "application/octet-stream", data
        return 404, "text/plain", b"not found"

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class PypiUpstreamTimeout(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeIndex()
        cls.addClassCleanup(cls.fake.close)
        # Credentials in the connection URL: no message may show them. Short timeouts; a breaker that does
        # not open, so every request here really goes upstream and times out.
        scheme, rest = cls.fake.url.split("://", 1)
        cls.arca = Arca(("--external", f"public:pypi={scheme}://mirror:{SECRET}@{rest}"),
                        env={"ARCA_UPSTREAM_METADATA_TIMEOUT": "500ms", "ARCA_UPSTREAM_METADATA_TTL": "0",
                             "ARCA_UPSTREAM_FILE_STALL_TIMEOUT": "300ms", "ARCA_UPSTREAM_BREAKER_FAILURES": "1000"})
        cls.addClassCleanup(cls.arca.cleanup)
        cls.work = tempfile.mkdtemp(dir=cls.arca.dir)
        cls.token, cls.ep = repo_setup(cls.arca, DOMAIN, "store")
        cls.arca.aws("associate-external-connection", "--domain", DOMAIN, "--repository", "store",
                     "--external-connection", "public:pypi")

    def publish_upstream(self, name, version):
        path = make_wheel(os.path.join(self.work, "pub"), name, version)
        self.fake.add(name, path)
        return path

    def page(self, project):
        t0 = time.monotonic()
        status, headers, body = request(self.ep + f"simple/{project}/", token=self.token,
                                        headers={"Accept": JSON_V1})
        return status, headers, body, time.monotonic() - t0

    def pip_install(self, *requirements):
        venv = tempfile.mkdtemp(dir=self.work)
        python = make_venv(venv)
        return self.arca.run([python, "-m", "pip", "install", "-vv", "--index-url",
                              with_auth(self.ep, self.token) + "simple/", *requirements],
                             pip_env(self.arca.aws_env()), check=False)

    def assert_no_secret(self, text):
        self.assertNotIn(SECRET, text)
        self.assertNotIn("mirror:", text)

    def test_page_timeout_without_cache_is_504(self):
        self.publish_upstream("slowpkg", "1.0")
        self.fake.hold("/simple/slowpkg/")
        status, headers, body, took = self.page("slowpkg")
        self.assertEqual(status, 504, body)
        text = body.decode()
        self.assertIn("Gateway Timeout", text)
        self.assertIn("public:pypi", text)
        self.assertIn("timed out", text)
        self.assertIn("http://***@127.0.0.1:", text)
        self.assert_no_secret(text)
        self.assertIsNone(headers.get("X-Arca-Stale"))
        self.assertGreaterEqual(self.fake.count("/simple/slowpkg/"), 1)
        self.assertLess(took, 10, "the answer waited for the upstream instead of the 500 ms timeout")

        p = self.pip_install("slowpkg")
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn("504 Server Error: Gateway Timeout", p.stdout + p.stderr)
        self.assert_no_secret(p.stdout + p.stderr)
        self.assert_no_secret(self.arca.read_log())

    def test_page_timeout_with_cache_is_stale(self):
        self.publish_upstream("cachedpkg", "1.0")
        p = self.pip_install("cachedpkg")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("Successfully installed cachedpkg-1.0", p.stdout)

        self.fake.hold("/simple/cachedpkg/")
        before = self.fake.count("/simple/cachedpkg/")
        status, headers, body, took = self.page("cachedpkg")
        self.assertEqual(status, 200, body)
        self.assertTrue(headers.get("X-Arca-Stale", "").startswith("upstream unavailable"), dict(headers))
        self.assertEqual([f["filename"] for f in json.loads(body)["files"]], ["cachedpkg-1.0-py3-none-any.whl"])
        self.assertEqual(self.fake.count("/simple/cachedpkg/"), before + 1)  # it did ask, and timed out
        self.assertLess(took, 10)
        # pip from the stale page; the wheel was kept at the first install.
        p = self.pip_install("cachedpkg")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("Successfully installed cachedpkg-1.0", p.stdout)

    def test_file_stall_is_504(self):
        wheel = self.publish_upstream("stallpkg", "1.0")
        fn = os.path.basename(wheel)
        self.fake.hold("/files/" + fn)
        status, _, body, _ = self.page("stallpkg")
        self.assertEqual(status, 200, body)
        t0 = time.monotonic()
        status, _, body = request(self.ep + f"files/stallpkg/1.0/{fn}", token=self.token)
        self.assertEqual(status, 504, body)
        self.assertIn(b"Gateway Timeout", body)
        self.assertIn(b"stalled", body)
        self.assert_no_secret(body.decode())
        self.assertLess(time.monotonic() - t0, 10)
        # Nothing was recorded for the failed download.
        code, out = self.arca.aws_error("list-package-versions", "--domain", DOMAIN, "--repository", "store",
                                        "--format", "pypi", "--package", "stallpkg")
        self.assertIn("ResourceNotFoundException", out)


if __name__ == "__main__":
    harness.main()
