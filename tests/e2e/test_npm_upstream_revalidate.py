"""tests/e2e/test_npm_upstream_revalidate.py - with a 1 s upstream_metadata_ttl, a version published to
the public registry after the first fetch shows up in the packument once the TTL has passed."""
import harness
from harness import wait_for
from npm_upstream_helpers import UpstreamCase, installed_version


class NpmUpstreamRevalidate(UpstreamCase):
    env = {"ARCA_UPSTREAM_METADATA_TTL": "1s"}

    def test_new_upstream_version_after_ttl(self):
        self.assertEqual(self.pub.publish("moving", "1.0.0")[0], 200)
        app = self.chain()
        self.assertEqual(sorted(app.json("moving")["versions"]), ["1.0.0"])
        self.assertEqual(self.pub.publish("moving", "1.1.0")[0], 200)
        doc = wait_for(lambda: (lambda d: "1.1.0" in d["versions"] and d)(app.json("moving")), timeout=15,
                       what="1.1.0 in the packument")
        self.assertEqual(doc["dist-tags"]["latest"], "1.1.0")
        c = self.client(app)
        proj = c.project("proj", deps={"moving": "^1.0.0"})
        c.npm("install", "--no-audit", cwd=proj)
        self.assertEqual(installed_version(proj, "moving"), "1.1.0")


if __name__ == "__main__":
    harness.main()
