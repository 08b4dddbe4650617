"""tests/e2e/test_npm_upstream_down.py - with the public registry stopped: installs of packages already
fetched still succeed (metadata served stale with X-Arca-Stale, tarballs from the retained copy), and a
package never fetched gives 502 with an npm error body."""
import json

import harness
from harness import wait_for
from npm_upstream_helpers import UpstreamCase, installed_version


class NpmUpstreamDown(UpstreamCase):
    env = {"ARCA_UPSTREAM_METADATA_TTL": "1s"}

    def test_cached_packages_survive_an_outage(self):
        self.assertEqual(self.pub.publish("steady", "1.0.0")[0], 200)
        self.assertEqual(self.pub.publish("never-fetched", "1.0.0")[0], 200)
        app = self.chain()
        c = self.client(app, "first")
        proj = c.project("proj", deps={"steady": "^1.0.0"})
        c.npm("install", "--no-audit", cwd=proj)

        self.public.stop()
        # Past the TTL the engine asks upstream, fails, and serves the cached copy marked stale.
        stale = wait_for(lambda: (lambda r: r[0] == 200 and r[1].get("X-Arca-Stale") and r)(app.http("GET", "steady")),
                         timeout=15, what="a stale packument")
        self.assertIn("1.0.0", json.loads(stale[2])["versions"])
        c2 = self.client(app, "second")  # empty npm cache: every byte from Arca
        proj2 = c2.project("proj2", deps={"steady": "^1.0.0"})
        c2.npm("install", "--no-audit", cwd=proj2)
        self.assertEqual(installed_version(proj2, "steady"), "1.0.0")

        status, _, body = app.http("GET", "never-fetched")
        self.assertIn(status, (502, 504))
        self.assertIn("upstream unavailable", json.loads(body)["error"])
        status, _, body = app.http("GET", "never-fetched/-/never-fetched-1.0.0.tgz")
        self.assertIn(status, (502, 504))
        self.assertIn("error", json.loads(body))


if __name__ == "__main__":
    harness.main()
