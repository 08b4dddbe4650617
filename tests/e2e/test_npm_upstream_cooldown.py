"""tests/e2e/test_npm_upstream_cooldown.py - arca:min-release-age=1d on the repository holding the
external connection: a version published upstream just now is left out of the packument (latest falls
back to nothing newer), as from the version document and dist-tags, and its tarball is refused with a
message saying when it becomes available; without the tag the same version is visible and downloadable."""
import json

import harness
from npm_upstream_helpers import UpstreamCase


class NpmUpstreamCooldown(UpstreamCase):
    def test_fresh_versions_hidden_until_old_enough(self):
        self.assertEqual(self.pub.publish("fresh", "1.0.0")[0], 200)
        app = self.chain()
        arn = self.arca.aws("describe-repository", "--domain", "corp", "--repository",
                            "npm-store")["repository"]["arn"]
        self.arca.aws("tag-resource", "--resource-arn", arn, "--tags", "key=arca:min-release-age,value=1d")
        status, _, body = app.http("GET", "fresh")
        self.assertEqual(status, 404, body)  # its only version is too young
        status, _, body = app.http("GET", "fresh/-/fresh-1.0.0.tgz")
        self.assertEqual(status, 403, body)
        msg = json.loads(body)["error"]
        self.assertIn("minimum release age", msg)
        self.assertIn("available from 20", msg)
        self.assertEqual(self.upstream_gets("fresh/-/"), 0)
        # The version document and the dist-tags apply the same rule as the packument.
        self.assertEqual(app.http("GET", "fresh/1.0.0")[0], 404)
        self.assertEqual(app.http("GET", "-/package/fresh/dist-tags")[0], 404)

        self.arca.aws("untag-resource", "--resource-arn", arn, "--tag-keys", "arca:min-release-age")
        doc = app.json("fresh")
        self.assertEqual(sorted(doc["versions"]), ["1.0.0"])
        self.assertEqual(doc["dist-tags"]["latest"], "1.0.0")
        self.assertEqual(app.json("fresh/1.0.0")["version"], "1.0.0")
        self.assertEqual(app.json("-/package/fresh/dist-tags"), {"latest": "1.0.0"})
        self.assertEqual(app.http("GET", "fresh/-/fresh-1.0.0.tgz")[0], 200)


if __name__ == "__main__":
    harness.main()
