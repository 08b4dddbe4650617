"""tests/e2e/test_npm_packument_http.py - how packuments are served: full and abbreviated by Accept,
scoped names spelled %2f, %2F or with a literal '/', ETag and 304, gzip with Vary, HEAD, a new version
visible at once, version documents by version and tag, and 20 concurrent requests for an uncached
packument rendering it once."""
import gzip
import json
import threading
import urllib.request

import harness
from harness import ArcaTestCase
from npm_helpers import BulkPublisher, NpmRepo

CORGI = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"


class NpmPackumentHttp(ArcaTestCase):
    def test_packument_http(self):
        repo = NpmRepo(self.arca)
        for v in ("1.0.0", "1.1.0"):
            self.assertEqual(repo.publish("@web/kit", v, deps={"left-pad": "^1.0.0"},
                                          extra={"bin": {"kit": "index.js"}, "scripts": {"test": "x"}})[0], 200)

        status, h, body = repo.http("GET", "@web%2fkit", headers={"Accept": "application/json"})
        self.assertEqual(status, 200)
        self.assertEqual(h["Content-Type"], "application/json")
        self.assertEqual(h["Cache-Control"], "no-cache")
        self.assertIn("Accept-Encoding", h["Vary"])
        full = json.loads(body)
        self.assertEqual(full["name"], "@web/kit")
        self.assertEqual(full["versions"]["1.1.0"]["scripts"], {"test": "x"})
        self.assertEqual(full["versions"]["1.1.0"]["_npmUser"], {"name": "admin", "email": ""})
        self.assertEqual(full["versions"]["1.1.0"]["dist"]["fileCount"], 2)

        status, h, body = repo.http("GET", "@web%2fkit", headers={"Accept": CORGI})
        self.assertEqual(h["Content-Type"], "application/vnd.npm.install-v1+json")
        corgi = json.loads(body)
        self.assertEqual(sorted(corgi), ["dist-tags", "modified", "name", "versions"])
        self.assertEqual(sorted(corgi["versions"]["1.0.0"]), ["bin", "dependencies", "dist", "name", "version"])
        self.assertEqual(corgi["versions"]["1.0.0"]["dist"], full["versions"]["1.0.0"]["dist"])
        self.assertNotEqual(h["ETag"], repo.http("GET", "@web%2fkit")[1]["ETag"])

        # One package, whatever the spelling of its name.
        for spelling in ("@web%2Fkit", "@web/kit", "%40web%2fkit"):
            self.assertEqual(json.loads(repo.http("GET", spelling)[2]), full, spelling)

        # ETag / If-None-Match, also in weak form; 304 carries no body.
        etag = repo.http("GET", "@web%2fkit")[1]["ETag"]
        for inm in (etag, "W/" + etag, f'"nope", {etag}'):
            status, h, body = repo.http("GET", "@web%2fkit", headers={"If-None-Match": inm})
            self.assertEqual((status, body), (304, b""), inm)
            self.assertEqual(h["ETag"], etag)

        # gzip when asked, the same bytes once decoded; HEAD has the headers and no body.
        status, h, zbody = repo.http("GET", "@web%2fkit", headers={"Accept-Encoding": "gzip, deflate"})
        self.assertEqual(h["Content-Encoding"], "gzip")
        self.assertEqual(json.loads(gzip.decompress(zbody)), full)
        self.assertNotEqual(h["ETag"], etag)
        self.assertNotIn("Content-Encoding", repo.http("GET", "@web%2fkit", headers={"Accept-Encoding": "gzip;q=0"})[1])
        status, h, body = repo.http("HEAD", "@web%2fkit")
        self.assertEqual((status, body), (200, b""))
        self.assertEqual(int(h["Content-Length"]), len(json.dumps(full, separators=(",", ":")).encode()))

        # A change shows at once: new ETag, new version.
        self.assertEqual(repo.publish("@web/kit", "1.2.0")[0], 200)
        status, h, body = repo.http("GET", "@web%2fkit", headers={"If-None-Match": etag})
        self.assertEqual(status, 200)
        self.assertIn("1.2.0", json.loads(body)["versions"])
        self.assertEqual(json.loads(body)["dist-tags"]["latest"], "1.2.0")

        # Version documents by version and by tag; ?write=true is the full document.
        self.assertEqual(repo.json("@web%2fkit/1.0.0")["version"], "1.0.0")
        self.assertEqual(repo.json("@web/kit/latest")["version"], "1.2.0")
        self.assertEqual(repo.json("@web%2fkit/1.0.0")["dist"], full["versions"]["1.0.0"]["dist"])
        self.assertIn("_rev", repo.json("@web%2fkit?write=true", headers={"Accept": CORGI}))

    def test_single_render_under_concurrency(self):
        repo = NpmRepo(self.arca, repo="big")
        bulk = BulkPublisher(repo)
        for i in range(300):
            bulk.publish("many-versions", f"1.0.{i}", deps={"dep-a": "^1.0.0"})
        bulk.close()
        url = self.arca.endpoint + repo.path + "many-versions"
        barrier = threading.Barrier(20)
        results = []

        def fetch():
            req = urllib.request.Request(url, headers={"Authorization": f"Bearer {repo.token}", "Accept": CORGI})
            barrier.wait(timeout=30)
            with urllib.request.urlopen(req, timeout=60) as r:
                results.append((r.status, r.headers["X-Arca-Cache"], r.headers["ETag"], len(r.read())))

        threads = [threading.Thread(target=fetch) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=90)
        self.assertEqual(len(results), 20)
        self.assertEqual({r[0] for r in results}, {200})
        self.assertEqual(sorted(r[1] for r in results).count("miss"), 1, results)
        self.assertEqual(len({(r[2], r[3]) for r in results}), 1)
        doc = repo.json("many-versions", headers={"Accept": CORGI})
        self.assertEqual(len(doc["versions"]), 300)
        self.assertEqual(doc["dist-tags"]["latest"], "1.0.299")


if __name__ == "__main__":
    harness.main()
