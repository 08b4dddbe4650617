"""tests/e2e/test_npm_upstream_documents.py - app -> team -> npm-store (public:npmjs): the version document
(GET /{pkg}/{version-or-tag}) and the dist-tags endpoint of app answer from the same merged view as the
packument: versions and tags from team and from the public registry, tarball URLs on app, unlisted
versions left out, `latest` falling back; `npm dist-tag ls` in app lists the upstream's tags."""
import json

import harness
from npm_helpers import NpmRepo
from npm_upstream_helpers import UpstreamCase


class NpmUpstreamDocuments(UpstreamCase):
    def test_version_and_tags_through_the_chain(self):
        for v, tag in (("1.0.0", "latest"), ("1.1.0", "latest"), ("2.0.0-rc.1", "next")):
            self.assertEqual(self.pub.publish("shared-lib", v, tag=tag)[0], 200)
        app = self.chain()
        team = NpmRepo(self.arca, "corp", "team", create=False)
        for v in ("2.0.0", "2.1.0"):
            self.assertEqual(team.publish("team-lib", v)[0], 200)

        # From the public registry, through team and npm-store; app itself holds nothing.
        m = app.json("shared-lib/1.0.0")
        self.assertEqual((m["name"], m["version"]), ("shared-lib", "1.0.0"))
        self.assertEqual(m["dist"]["tarball"], f"{app.endpoint}shared-lib/-/shared-lib-1.0.0.tgz")
        self.assertEqual(app.json("shared-lib/latest")["version"], "1.1.0")
        self.assertEqual(app.json("shared-lib/next")["version"], "2.0.0-rc.1")
        status, _, body = app.http("GET", "shared-lib/3.0.0")
        self.assertEqual(status, 404, body)
        self.assertIn("3.0.0", json.loads(body)["error"])
        self.assertEqual(app.json("-/package/shared-lib/dist-tags"), {"latest": "1.1.0", "next": "2.0.0-rc.1"})
        self.assertEqual(self.versions("corp", "app", "shared-lib"), {})  # reading documents retains nothing

        # From the internal upstream team.
        self.assertEqual(app.json("team-lib/2.1.0")["dist"]["tarball"],
                         f"{app.endpoint}team-lib/-/team-lib-2.1.0.tgz")
        self.assertEqual(app.json("-/package/team-lib/dist-tags"), {"latest": "2.1.0"})
        # An unlisted version leaves both documents, as it leaves the packument; latest falls back.
        team.set_status("team-lib", "2.1.0", "Unlisted")
        self.assertEqual(app.http("GET", "team-lib/2.1.0")[0], 404)
        self.assertEqual(app.json("team-lib/latest")["version"], "2.0.0")
        self.assertEqual(app.json("-/package/team-lib/dist-tags"), {"latest": "2.0.0"})
        self.assertEqual(sorted(app.json("team-lib")["versions"]), ["2.0.0"])

        # Nowhere in the chain: 404 from both.
        self.assertEqual(app.http("GET", "no-such-lib/1.0.0")[0], 404)
        self.assertEqual(app.http("GET", "-/package/no-such-lib/dist-tags")[0], 404)

        # The npm client reads the dist-tags endpoint.
        c = self.client(app)
        out = c.npm("dist-tag", "ls", "shared-lib").stdout
        self.assertEqual(sorted(out.split("\n")[:2]), ["latest: 1.1.0", "next: 2.0.0-rc.1"], out)


if __name__ == "__main__":
    harness.main()
