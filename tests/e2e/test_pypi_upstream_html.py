"""tests/e2e/test_pypi_upstream_html.py - public:pypi pointing at an index that answers PEP 503 HTML only
(as static mirrors do): Arca asks for JSON first, reads the HTML it gets (hashes, data-requires-python,
data-yanked, data-dist-info-metadata, relative and absolute links), serves its own pages from it and pip
installs through it, PEP 658 metadata included; a link to another host is left out."""
import hashlib
import json
import os
import tempfile
import urllib.parse

import harness
from harness import Arca, ArcaTestCase
from pypi_helpers import FakeIndex, make_venv, make_wheel, pip_env, repo_setup, request, wheel_metadata, with_auth

DOMAIN = "corp"
JSON_V1 = "application/vnd.pypi.simple.v1+json"


class PypiUpstreamHtml(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeIndex()
        cls.addClassCleanup(cls.fake.close)
        cls.arca = Arca(("--external", "public:pypi=" + cls.fake.url))
        cls.addClassCleanup(cls.arca.cleanup)
        cls.work = tempfile.mkdtemp(dir=cls.arca.dir)
        cls.token, cls.ep = repo_setup(cls.arca, DOMAIN, "store")
        cls.arca.aws("associate-external-connection", "--domain", DOMAIN, "--repository", "store",
                     "--external-connection", "public:pypi")

    def wheel(self, name, version, **kw):
        return make_wheel(os.path.join(self.work, "pub"), name, version, **kw)

    def test_html_upstream(self):
        w1 = self.wheel("htmlpkg", "1.0", requires_python=">=3.8")
        w2 = self.wheel("htmlpkg", "2.0")
        w3 = self.wheel("htmlpkg", "3.0")
        self.fake.add("htmlpkg", w1, html=True, requires_python=">=3.8")
        self.fake.add("htmlpkg", w2, html=True, yanked="broken build")
        # absolute, on the same host and base: kept; on another host: left out
        self.fake.add("htmlpkg", w3, html=True,
                      href="http://elsewhere.invalid/files/" + os.path.basename(w3))
        w4 = self.wheel("htmlpkg", "1.1")
        self.fake.add("htmlpkg", w4, html=True, href=self.fake.url + "files/" + os.path.basename(w4))

        status, headers, body = request(self.ep + "simple/htmlpkg/", token=self.token, headers={"Accept": JSON_V1})
        self.assertEqual(status, 200, body)
        accept = self.fake.accept("/simple/htmlpkg/")
        self.assertTrue(accept.startswith(JSON_V1) and "text/html" in accept, accept)
        files = {f["filename"]: f for f in json.loads(body)["files"]}
        self.assertEqual(sorted(files), sorted(os.path.basename(w) for w in (w1, w2, w4)))
        f1, f2 = files[os.path.basename(w1)], files[os.path.basename(w2)]
        with open(w1, "rb") as f:
            self.assertEqual(f1["hashes"]["sha256"], hashlib.sha256(f.read()).hexdigest())
        self.assertEqual(f1.get("requires-python"), ">=3.8")
        self.assertFalse(f1.get("yanked"))
        self.assertTrue(f2.get("yanked"))
        meta_sha = hashlib.sha256(wheel_metadata(w1)).hexdigest()
        self.assertEqual(f1["core-metadata"], {"sha256": meta_sha})

        # PEP 658 metadata through Arca, checked against the hash from the HTML page.
        url = urllib.parse.urljoin(self.ep + "simple/htmlpkg/", f1["url"].split("#")[0])
        status, _, data = request(url + ".metadata", token=self.token)
        self.assertEqual(status, 200, data)
        self.assertEqual(hashlib.sha256(data).hexdigest(), meta_sha)

        # pip skips the yanked 2.0 and installs 1.1 (the newest not yanked) through Arca.
        venv = tempfile.mkdtemp(dir=self.work)
        python = make_venv(venv)
        p = self.arca.run([python, "-m", "pip", "install", "--index-url", with_auth(self.ep, self.token) + "simple/",
                           "htmlpkg"], pip_env(self.arca.aws_env()), check=False)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("Successfully installed htmlpkg-1.1", p.stdout)
        self.assertEqual(self.fake.count("/files/" + os.path.basename(w4)), 1)
        vs = self.arca.aws("list-package-versions", "--domain", DOMAIN, "--repository", "store", "--format", "pypi",
                           "--package", "htmlpkg")["versions"]
        self.assertEqual([(v["version"], v["origin"]["originType"]) for v in vs], [("1.1", "EXTERNAL")])


if __name__ == "__main__":
    harness.main()
