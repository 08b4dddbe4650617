"""tests/e2e/test_npm_unlisted.py - version statuses on the npm data plane: an Unlisted version leaves the
packument (latest falls back) but its tarball still downloads, so npm ci from an existing lockfile works;
an Archived one downloads no more; unpublishing another version never touches the unlisted one."""
import json
import os
import shutil

import harness
from harness import ArcaTestCase
from npm_helpers import NodeClient, NpmRepo


class NpmUnlisted(ArcaTestCase):
    def test_unlisted_and_archived(self):
        a = self.arca
        repo = NpmRepo(a)
        for v in ("1.0.0", "1.1.0", "1.2.0"):
            self.assertEqual(repo.publish("status-lib", v)[0], 200)
        c = NodeClient(a.dir, "consumer")
        c.write_npmrc(repo)
        pinned = c.project("pinned", deps={"status-lib": "^1.0.0"})
        c.npm("install", "--no-audit", cwd=pinned)
        with open(os.path.join(pinned, "package-lock.json")) as f:
            self.assertEqual(json.load(f)["packages"]["node_modules/status-lib"]["version"], "1.2.0")

        how = repo.set_status("status-lib", "1.2.0", "Unlisted")
        print(f"status set through {how}")
        for accept in ("application/json", "application/vnd.npm.install-v1+json"):
            doc = repo.json("status-lib", headers={"Accept": accept})
            self.assertEqual(sorted(doc["versions"]), ["1.0.0", "1.1.0"], accept)
            self.assertEqual(doc["dist-tags"], {"latest": "1.1.0"}, accept)
        self.assertNotIn("1.2.0", repo.json("status-lib")["time"])
        self.assertEqual(repo.http("GET", "status-lib/1.2.0")[0], 404)
        status, _, tgz = repo.http("GET", "status-lib/-/status-lib-1.2.0.tgz")
        self.assertEqual(status, 200)
        self.assertGreater(len(tgz), 100)

        # The lockfile still names 1.2.0: npm ci fetches its tarball, from a clean cache.
        shutil.rmtree(os.path.join(pinned, "node_modules"))
        shutil.rmtree(c.cache)
        c.npm("ci", "--no-audit", cwd=pinned)
        with open(os.path.join(pinned, "node_modules", "status-lib", "package.json")) as f:
            self.assertEqual(json.load(f)["version"], "1.2.0")
        # A new resolution no longer sees it.
        fresh = c.project("fresh", deps={"status-lib": "^1.0.0"})
        c.npm("install", "--no-audit", "--prefer-online", cwd=fresh)
        with open(os.path.join(fresh, "node_modules", "status-lib", "package.json")) as f:
            self.assertEqual(json.load(f)["version"], "1.1.0")
        # It still exists: publishing it again is refused.
        self.assertEqual(repo.publish("status-lib", "1.2.0")[0], 403)

        # Unpublishing 1.1.0 sends a document without 1.2.0 as well; the unlisted version must survive.
        c.npm("unpublish", "status-lib@1.1.0", "--force")
        self.assertEqual(repo.counts("status-lib"), (1, 2))
        self.assertEqual(sorted(repo.json("status-lib")["versions"]), ["1.0.0"])
        self.assertEqual(repo.http("GET", "status-lib/-/status-lib-1.2.0.tgz")[0], 200)

        # Archived: neither listed nor downloadable.
        repo.set_status("status-lib", "1.0.0", "Archived")
        self.assertEqual(repo.json("status-lib")["versions"], {})
        status, _, body = repo.http("GET", "status-lib/-/status-lib-1.0.0.tgz")
        self.assertEqual(status, 404)
        self.assertIn("Archived", json.loads(body)["error"])
        repo.set_status("status-lib", "1.0.0", "Published")
        self.assertEqual(repo.http("GET", "status-lib/-/status-lib-1.0.0.tgz")[0], 200)
        self.assertEqual(repo.json("status-lib")["dist-tags"], {"latest": "1.0.0"})


if __name__ == "__main__":
    harness.main()
