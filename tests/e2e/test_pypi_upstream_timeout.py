"""tests/e2e/test_pypi_upstream_timeout.py - a public:pypi upstream that does not answer in time: 504 Gateway
Timeout with a message naming the connection (never its credentials) when nothing is cached, the cached
page with X-Arca-Stale when something is, and 504 for a file download that stalls. The upstream is a small
PEP 691 index served by http.server in this process; a request it holds waits on an event that the test
sets at the end, so nothing here sleeps and the held handlers finish at once."""
import json
import os
import tempfile
import time

import harness
from harness import Arca, ArcaTestCase
from pypi_helpers import FakeIndex, make_venv, make_wheel, pip_env, repo_setup, request, with_auth

DOMAIN = "corp"
JSON_V1 = "application/vnd.pypi.simple.v1+json"
SECRET = "s3cret-upstream-pw"


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
