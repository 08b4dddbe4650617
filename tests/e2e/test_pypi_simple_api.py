"""The PyPI simple API on the wire, as pip and uv request it: PEP 691 JSON and PEP 503 HTML by Accept
(406 otherwise), PEP 700 fields, the PEP 658 metadata file and its hash, #sha256 on every link, the
301 to the normalized name, ETag/304, HEAD on files, 404s, and the project list."""
import hashlib
import json
import os
import re
import subprocess
import tempfile
import urllib.parse

from harness import ArcaTestCase, main
from pypi_helpers import PIP_ACCEPT, UV_ACCEPT, make_wheel, repo_setup, request, upload, wheel_metadata

JSON_V1 = "application/vnd.pypi.simple.v1+json"


class SimpleApi(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token, cls.endpoint = repo_setup(cls.arca, "corp", "py")
        work = tempfile.mkdtemp(dir=cls.arca.dir)
        cls.wheel = make_wheel(work, "Demo.Pkg", "1.0.0", requires=["idna>=2.5"], requires_python=">=3.8")
        cls.wheel2 = make_wheel(work, "Demo.Pkg", "1.10+local.7", requires_python="<4,>=3.9")
        cls.other = make_wheel(work, "other", "0.1")
        for path in (cls.wheel, cls.wheel2, cls.other):
            status, text = upload(cls.endpoint, cls.token, path)
            assert status == 200, text

    def get(self, path, accept=None, token=True, method="GET", headers=None):
        h = dict(headers or {})
        if accept is not None:
            h["Accept"] = accept
        return request(self.endpoint + path, method, self.token if token else None, h)

    def test_json_page(self):
        status, headers, body = self.get("simple/demo-pkg/", PIP_ACCEPT)
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], JSON_V1)
        self.assertEqual(headers["Vary"], "Accept")
        doc = json.loads(body)
        self.assertEqual(doc["meta"]["api-version"], "1.1")
        self.assertEqual(doc["name"], "demo-pkg")
        self.assertEqual(doc["versions"], ["1.0.0", "1.10+local.7"])  # PEP 440 order, PEP 700
        self.assertEqual(len(doc["files"]), 2)
        f = doc["files"][0]
        self.assertEqual(f["filename"], os.path.basename(self.wheel))
        with open(self.wheel, "rb") as w:
            data = w.read()
        self.assertEqual(f["hashes"], {"sha256": hashlib.sha256(data).hexdigest()})
        self.assertEqual(f["size"], len(data))
        self.assertEqual(f["requires-python"], ">=3.8")
        self.assertIs(f["yanked"], False)
        self.assertRegex(f["upload-time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
        # the file URL is relative to the page and under the repository endpoint
        url = urllib.parse.urljoin(self.endpoint + "simple/demo-pkg/", f["url"])
        self.assertTrue(url.startswith(self.endpoint + "files/"), url)
        status, _, got = request(url, token=self.token)
        self.assertEqual((status, got), (200, data))
        # PEP 658/714: the metadata file is exactly the wheel's METADATA, with the advertised hash
        meta = wheel_metadata(self.wheel)
        self.assertEqual(f["core-metadata"], {"sha256": hashlib.sha256(meta).hexdigest()})
        self.assertEqual(f["dist-info-metadata"], f["core-metadata"])
        status, headers, got = request(url + ".metadata", token=self.token)
        self.assertEqual((status, got), (200, meta))
        self.assertEqual(hashlib.sha256(got).hexdigest(), f["core-metadata"]["sha256"])
        # a local version's '+' travels escaped and comes back
        f2 = doc["files"][1]
        self.assertIn("1.10%2Blocal.7", f2["url"])
        status, _, _ = request(urllib.parse.urljoin(self.endpoint + "simple/demo-pkg/", f2["url"]), token=self.token)
        self.assertEqual(status, 200)

    def test_uv_request(self):
        """What uv sends: its Accept header and the index URL's credentials as Basic auth (curl stands in)."""
        url = self.endpoint.replace("://", f"://aws:{self.token}@") + "simple/demo-pkg/"
        p = subprocess.run(["curl", "-sS", "-o", "-", "-w", "\n%{http_code} %{content_type}", "-H",
                            f"Accept: {UV_ACCEPT}", "-H", "Cache-Control: max-age=0", url],
                           capture_output=True, text=True, timeout=60)
        body, _, tail = p.stdout.rpartition("\n")
        self.assertEqual(tail, f"200 {JSON_V1}")
        self.assertEqual(json.loads(body)["name"], "demo-pkg")

    def test_html_page(self):
        for accept, ctype in ((None, "text/html; charset=utf-8"), ("*/*", "text/html; charset=utf-8"),
                              ("text/html", "text/html; charset=utf-8"),
                              ("application/vnd.pypi.simple.v1+html", "application/vnd.pypi.simple.v1+html")):
            status, headers, body = self.get("simple/demo-pkg/", accept)
            self.assertEqual((status, headers["Content-Type"]), (200, ctype), accept)
        html = body.decode()
        self.assertIn('<meta name="pypi:repository-version" content="1.1">', html)
        links = re.findall(r'<a href="([^"]+)"([^>]*)>([^<]+)</a>', html)
        self.assertEqual(len(links), 2)
        for href, attrs, name in links:
            self.assertRegex(href, r"#sha256=[0-9a-f]{64}$")  # every file URL carries its hash
            self.assertIn('data-core-metadata="sha256=', attrs)
            self.assertIn('data-dist-info-metadata="sha256=', attrs)
        self.assertIn('data-requires-python="&lt;4,&gt;=3.9"', links[1][1])

    def test_not_acceptable(self):
        for accept in ("application/json", "application/vnd.pypi.simple.v2+json", "image/png"):
            status, _, body = self.get("simple/demo-pkg/", accept)
            self.assertEqual(status, 406, accept)
            self.assertIn(b"Not Acceptable", body)

    def test_redirect_to_normalized(self):
        for path in ("simple/Demo.Pkg/", "simple/demo_pkg/", "simple/DEMO-PKG/", "simple/demo-pkg"):
            status, headers, _ = self.get(path, PIP_ACCEPT)
            self.assertEqual(status, 301, path)
            self.assertEqual(headers["Location"], self.endpoint + "simple/demo-pkg/")
        status, headers, _ = self.get("simple", PIP_ACCEPT)
        self.assertEqual((status, headers["Location"]), (301, self.endpoint + "simple/"))

    def test_etag_304(self):
        status, headers, body = self.get("simple/demo-pkg/", PIP_ACCEPT)
        etag = headers["ETag"]
        self.assertRegex(etag, r'^"[0-9a-f]{32}"$')
        status, headers, body = self.get("simple/demo-pkg/", PIP_ACCEPT, headers={"If-None-Match": etag})
        self.assertEqual((status, body), (304, b""))
        self.assertEqual(headers["ETag"], etag)
        # the HTML representation has its own tag
        status, headers, _ = self.get("simple/demo-pkg/", "text/html", headers={"If-None-Match": etag})
        self.assertEqual(status, 200)
        self.assertNotEqual(headers["ETag"], etag)
        # files: the sha256 is the tag
        status, headers, _ = request(self.endpoint + "files/other/0.1/other-0.1-py3-none-any.whl", token=self.token)
        status, _, body = request(self.endpoint + "files/other/0.1/other-0.1-py3-none-any.whl", token=self.token,
                                  headers={"If-None-Match": headers["ETag"]})
        self.assertEqual((status, body), (304, b""))

    def test_publish_changes_the_page(self):
        status, headers, _ = self.get("simple/other/", PIP_ACCEPT)
        etag = headers["ETag"]
        work = tempfile.mkdtemp(dir=self.arca.dir)
        st, text = upload(self.endpoint, self.token, make_wheel(work, "other", "0.2"))
        self.assertEqual(st, 200, text)
        status, headers, body = self.get("simple/other/", PIP_ACCEPT, headers={"If-None-Match": etag})
        self.assertEqual(status, 200)  # not a stale 304
        self.assertEqual(json.loads(body)["versions"], ["0.1", "0.2"])

    def test_head_on_files(self):
        name = os.path.basename(self.wheel)
        status, headers, body = self.get(f"files/demo-pkg/1.0.0/{name}", method="HEAD")
        self.assertEqual(status, 200)
        self.assertEqual(int(headers["Content-Length"]), os.path.getsize(self.wheel))
        self.assertEqual(body, b"")
        status, headers, body = self.get(f"files/demo-pkg/1.0.0/{name}.metadata", method="HEAD")
        self.assertEqual((status, int(headers["Content-Length"])), (200, len(wheel_metadata(self.wheel))))
        status, _, _ = self.get(f"files/demo-pkg/1.0.0/nope-1.0.0.tar.gz", method="HEAD")
        self.assertEqual(status, 404)

    def test_not_found(self):
        for path in ("simple/no-such-project/", "files/demo-pkg/9.9/demo_pkg-9.9-py3-none-any.whl",
                     "files/demo-pkg/1.0.0/other-0.1-py3-none-any.whl", "files/nope/1/x.whl", "nothing-here"):
            status, _, _ = self.get(path, PIP_ACCEPT)
            self.assertEqual(status, 404, path)
        # unknown methods are refused, and the repository root only takes uploads
        status, _, _ = self.get("simple/demo-pkg/", method="DELETE")
        self.assertEqual(status, 405)
        status, _, _ = self.get("", method="GET")
        self.assertEqual(status, 405)

    def test_project_list(self):
        status, headers, body = self.get("simple/", PIP_ACCEPT)
        self.assertEqual(status, 200)
        names = [p["name"] for p in json.loads(body)["projects"]]
        self.assertEqual(names, ["Demo.Pkg", "other"])
        status, _, body = self.get("simple/", "text/html")
        self.assertIn(b'<a href="demo-pkg/">Demo.Pkg</a>', body)
        status, _, _ = self.get("simple/", PIP_ACCEPT, headers={"If-None-Match": headers["ETag"]})
        self.assertEqual(status, 304)


if __name__ == "__main__":
    main()
