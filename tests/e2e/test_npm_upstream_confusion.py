"""tests/e2e/test_npm_upstream_confusion.py - dependency confusion: internal-lib@1.0.0 published to app
(which reaches the public registry through its upstreams) while the public registry has
internal-lib@9.9.9; npm install in app gets 1.0.0, the version document and dist-tags know only 1.0.0,
and the public version is never fetched. The same holds for a name published in team (app's upstream):
nothing behind team is consulted for it."""
import harness
from npm_helpers import NpmRepo
from npm_upstream_helpers import UpstreamCase, installed_version


class NpmUpstreamConfusion(UpstreamCase):
    def test_internal_name_never_taken_from_public(self):
        self.assertEqual(self.pub.publish("internal-lib", "9.9.9")[0], 200)
        self.assertEqual(self.pub.publish("public-dep", "1.0.0")[0], 200)
        app = self.chain()
        self.assertEqual(app.publish("internal-lib", "1.0.0", deps={"public-dep": "^1.0.0"})[0], 200)
        doc = app.json("internal-lib")
        self.assertEqual(sorted(doc["versions"]), ["1.0.0"])
        self.assertEqual(doc["dist-tags"], {"latest": "1.0.0"})
        self.assertEqual(app.http("GET", "internal-lib/9.9.9")[0], 404)
        self.assertEqual(app.json("internal-lib/latest")["version"], "1.0.0")
        self.assertEqual(app.json("-/package/internal-lib/dist-tags"), {"latest": "1.0.0"})
        status, _, body = app.http("GET", "internal-lib/-/internal-lib-9.9.9.tgz")
        self.assertEqual(status, 404, body)
        c = self.client(app)
        proj = c.project("proj", deps={"internal-lib": "*"})
        c.npm("install", "--no-audit", cwd=proj)
        self.assertEqual(installed_version(proj, "internal-lib"), "1.0.0")
        self.assertEqual(installed_version(proj, "public-dep"), "1.0.0")  # other names still come through
        self.assertEqual(self.upstream_gets("internal-lib/-/"), 0)
        self.assertEqual(self.versions("corp", "npm-store", "internal-lib"), {})

        # The same for a name published in team, app's upstream: what lies behind team is not consulted.
        self.assertEqual(self.pub.publish("team-internal", "9.9.9")[0], 200)
        team = NpmRepo(self.arca, "corp", "team", create=False)
        self.assertEqual(team.publish("team-internal", "1.0.0")[0], 200)
        self.assertEqual(sorted(app.json("team-internal")["versions"]), ["1.0.0"])
        self.assertEqual(app.json("-/package/team-internal/dist-tags"), {"latest": "1.0.0"})
        self.assertEqual(app.http("GET", "team-internal/-/team-internal-9.9.9.tgz")[0], 404)
        self.assertEqual(app.http("GET", "team-internal/-/team-internal-1.0.0.tgz")[0], 200)
        self.assertEqual(self.upstream_gets("team-internal"), 0)


if __name__ == "__main__":
    harness.main()
