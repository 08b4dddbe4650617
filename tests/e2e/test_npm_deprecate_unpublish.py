"""tests/e2e/test_npm_deprecate_unpublish.py - npm deprecate / undeprecate (metadata-only PUTs, which
need PutPackageMetadata), npm unpublish of one version (latest moves, the tarball goes) and of a whole
package, and the _rev check that keeps a stale document from undoing a newer change."""
import json

import harness
from harness import ArcaTestCase
from npm_helpers import NodeClient, NpmRepo

PUBLISHER = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["codeartifact:GetAuthorizationToken", "codeartifact:GetRepositoryEndpoint",
                                   "codeartifact:ReadFromRepository", "codeartifact:PublishPackageVersion",
                                   "sts:GetServiceBearerToken"], "Resource": "*"}]}


class NpmDeprecateUnpublish(ArcaTestCase):
    def test_deprecate_and_unpublish(self):
        a = self.arca
        repo = NpmRepo(a)
        c = NodeClient(a.dir, "maintainer")
        c.write_npmrc(repo)
        proj = c.project("old-lib")
        for v in ("1.0.0", "1.1.0", "2.0.0"):
            c.project("old-lib", manifest={"version": v})
            c.npm("publish", cwd=proj)

        c.npm("deprecate", "old-lib@<2", "use 2.x")
        full = repo.json("old-lib")
        self.assertEqual({v: m.get("deprecated") for v, m in full["versions"].items()},
                         {"1.0.0": "use 2.x", "1.1.0": "use 2.x", "2.0.0": None})
        corgi = repo.json("old-lib", headers={"Accept": "application/vnd.npm.install-v1+json"})
        self.assertEqual(corgi["versions"]["1.1.0"]["deprecated"], "use 2.x")
        app = c.project("app", deps={"old-lib": "1.1.0"})
        p = c.npm("install", "--no-audit", cwd=app)
        self.assertIn("deprecated old-lib@1.1.0: use 2.x", p.stderr)

        c.npm("deprecate", "old-lib@1.0.0", "")
        full = repo.json("old-lib")
        self.assertNotIn("deprecated", full["versions"]["1.0.0"])
        self.assertEqual(full["versions"]["1.1.0"]["deprecated"], "use 2.x")

        # Deprecation is package metadata: publishing rights alone do not allow it.
        pub = NodeClient(a.dir, "publisher")
        pub.write_npmrc(repo, token=repo.new_token(creds=a.new_user("publisher", PUBLISHER)))
        p = pub.npm("deprecate", "old-lib@2.0.0", "nope", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("E403", p.stderr)
        self.assertNotIn("deprecated", repo.json("old-lib")["versions"]["2.0.0"])

        # A stale _rev is refused (409) and changes nothing.
        stale = full["_rev"]
        c.npm("deprecate", "old-lib@2.0.0", "soon")
        self.assertNotEqual(repo.json("old-lib")["_rev"], stale)
        status, _, body = repo.http("DELETE", f"old-lib/-rev/{stale}")
        self.assertEqual(status, 409, body)
        self.assertEqual(repo.counts("old-lib"), (1, 3))
        c.npm("deprecate", "old-lib@2.0.0", "")

        # Unpublish one version: it leaves the packument, its tarball goes, latest moves down.
        c.npm("unpublish", "old-lib@2.0.0", "--force")
        doc = repo.json("old-lib")
        self.assertEqual(sorted(doc["versions"]), ["1.0.0", "1.1.0"])
        self.assertEqual(doc["dist-tags"], {"latest": "1.1.0"})
        self.assertEqual(repo.http("GET", "old-lib/-/old-lib-2.0.0.tgz")[0], 404)
        self.assertEqual(repo.counts("old-lib"), (1, 2))
        self.assertEqual(c.npm("view", "old-lib", "version").stdout.strip(), "1.1.0")

        # A scoped package with a single version: npm removes the whole package.
        sproj = c.project("solo", manifest={"name": "@team/solo", "version": "0.1.0"})
        c.npm("publish", cwd=sproj)
        c.npm("unpublish", "@team/solo@0.1.0", "--force")
        self.assertEqual(repo.http("GET", "@team%2fsolo")[0], 404)
        self.assertEqual(repo.counts("@team/solo"), (0, 0))

        # Unpublish everything.
        c.npm("unpublish", "old-lib", "--force")
        status, _, body = repo.http("GET", "old-lib")
        self.assertEqual(status, 404)
        self.assertIn("error", json.loads(body))
        self.assertEqual(repo.counts("old-lib"), (0, 0))
        self.assertEqual(repo.http("GET", "old-lib/-/old-lib-1.0.0.tgz")[0], 404)
        # The name can be used again, starting over.
        c.project("old-lib", manifest={"version": "3.0.0"})
        c.npm("publish", cwd=proj)
        self.assertEqual(repo.json("old-lib")["dist-tags"], {"latest": "3.0.0"})


if __name__ == "__main__":
    harness.main()
