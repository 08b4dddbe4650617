"""tests/e2e/test_npm_upstream_cache.py - merged packuments (app -> team -> npm-store with public:npmjs) are
rendered once and then served from the render cache (X-Arca-Cache: hit, same ETag, 304, gzip), and never
stale: a publish to team, a status change there, and a new upstream version after the metadata TTL each
show in app's packument on the next request. (team's package is set to upstream=ALLOW, so that its
versions and the public ones are merged.)"""
import gzip
import json

import harness
from harness import wait_for
from npm_helpers import NpmRepo
from npm_upstream_helpers import UpstreamCase

CORGI = "application/vnd.npm.install-v1+json"


class NpmUpstreamCache(UpstreamCase):
    env = {"ARCA_UPSTREAM_METADATA_TTL": "1s"}

    def get(self, repo, rel, headers=None):
        status, h, body = repo.http("GET", rel, headers=headers)
        self.assertIn(status, (200, 304), body[:300])
        return status, h, body

    def test_cached_and_never_stale(self):
        self.assertEqual(self.pub.publish("mixed", "1.0.0")[0], 200)
        app = self.chain()
        team = NpmRepo(self.arca, "corp", "team", create=False)
        self.assertEqual(team.publish("mixed", "0.9.0")[0], 200)
        # Published in team, the name would stop the search there; let team's package take public versions.
        self.arca.aws("put-package-origin-configuration", "--domain", "corp", "--repository", "team", "--format",
                      "npm", "--package", "mixed", "--restrictions", "publish=ALLOW,upstream=ALLOW")

        # Rendered once, then served from memory: same bytes, same ETag; 304 on If-None-Match.
        _, h1, b1 = self.get(app, "mixed")
        self.assertEqual(h1["X-Arca-Cache"], "miss")
        self.assertEqual(sorted(json.loads(b1)["versions"]), ["0.9.0", "1.0.0"])
        _, h2, b2 = self.get(app, "mixed")
        self.assertEqual((h2["X-Arca-Cache"], h2["ETag"], b2), ("hit", h1["ETag"], b1))
        status, _, _ = self.get(app, "mixed", {"If-None-Match": h1["ETag"]})
        self.assertEqual(status, 304)
        # The abbreviated and the gzip'd variants are cached beside it.
        _, hc, bc = self.get(app, "mixed", {"Accept": CORGI})
        self.assertEqual((hc["Content-Type"], hc["X-Arca-Cache"]), (CORGI, "miss"))
        self.assertNotEqual(hc["ETag"], h1["ETag"])
        self.assertEqual(self.get(app, "mixed", {"Accept": CORGI})[1]["X-Arca-Cache"], "hit")
        _, hg, bg = self.get(app, "mixed", {"Accept-Encoding": "gzip"})
        self.assertEqual(hg["Content-Encoding"], "gzip")
        self.assertEqual(gzip.decompress(bg), b1)
        self.assertEqual(self.get(app, "mixed", {"Accept-Encoding": "gzip"})[1]["X-Arca-Cache"], "hit")

        # A publish to team shows at once, in every variant.
        self.assertEqual(team.publish("mixed", "0.9.1")[0], 200)
        _, h3, b3 = self.get(app, "mixed")
        self.assertEqual(h3["X-Arca-Cache"], "miss")
        self.assertIn("0.9.1", json.loads(b3)["versions"])
        self.assertNotEqual(h3["ETag"], h1["ETag"])
        self.assertIn("0.9.1", json.loads(self.get(app, "mixed", {"Accept": CORGI})[2])["versions"])
        self.assertIn("0.9.1", json.loads(gzip.decompress(self.get(app, "mixed", {"Accept-Encoding": "gzip"})[2]))
                      ["versions"])
        # So does a status change there.
        team.set_status("mixed", "0.9.1", "Unlisted")
        self.assertNotIn("0.9.1", json.loads(self.get(app, "mixed")[2])["versions"])

        # A new upstream version shows once the metadata TTL has passed and upstream was asked again.
        self.assertEqual(self.pub.publish("mixed", "1.1.0")[0], 200)
        doc = wait_for(lambda: (lambda d: "1.1.0" in d["versions"] and d)(app.json("mixed")), timeout=15,
                       what="1.1.0 in app's packument")
        self.assertEqual(doc["dist-tags"]["latest"], "1.1.0")
        # A revalidation that finds the same document (304) keeps the rendering.
        _, h4, b4 = self.get(app, "mixed")
        before = self.public_revalidations()
        wait_for(lambda: self.get(app, "mixed") and self.public_revalidations() > before, timeout=15,
                 what="an upstream 304")
        _, h5, b5 = self.get(app, "mixed")
        self.assertEqual((h5["X-Arca-Cache"], h5["ETag"], b5), ("hit", h4["ETag"], b4))

    def public_revalidations(self):
        """304s the public server answered for the packument of mixed (conditional GETs from app's Arca)."""
        needle = f"GET {self.pub.path}mixed "
        return sum(1 for line in self.public.read_log().splitlines() if needle in line and " 304 " in line)


if __name__ == "__main__":
    harness.main()
