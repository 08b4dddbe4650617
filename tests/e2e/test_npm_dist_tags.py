"""tests/e2e/test_npm_dist_tags.py - npm dist-tag ls/add/rm against Arca: the first version sets latest
even under another tag, tags move installs, latest cannot be removed, and adding or removing a tag
needs codeartifact:PutPackageMetadata."""
import json
import os

import harness
from harness import ArcaTestCase
from npm_helpers import NodeClient, NpmRepo

PUBLISHER = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["codeartifact:GetAuthorizationToken", "codeartifact:GetRepositoryEndpoint",
                                   "codeartifact:ReadFromRepository", "codeartifact:PublishPackageVersion",
                                   "sts:GetServiceBearerToken"], "Resource": "*"}]}


class NpmDistTags(ArcaTestCase):
    def test_dist_tags(self):
        a = self.arca
        repo = NpmRepo(a)
        c = NodeClient(a.dir, "tagger")
        c.write_npmrc(repo)
        proj = c.project("tagged", manifest={"name": "@team/tagged", "version": "1.0.0"})
        c.npm("publish", "--tag", "beta", cwd=proj)
        self.assertEqual(repo.json("-/package/@team%2ftagged/dist-tags"), {"beta": "1.0.0", "latest": "1.0.0"})

        for version, args in (("1.1.0", []), ("2.0.0-rc.1", ["--tag", "next"])):
            c.project("tagged", manifest={"name": "@team/tagged", "version": version})
            c.npm("publish", *args, cwd=proj)
        ls = c.npm("dist-tag", "ls", "@team/tagged").stdout.split("\n")
        self.assertEqual([x for x in ls if x], ["beta: 1.0.0", "latest: 1.1.0", "next: 2.0.0-rc.1"])

        self.assertIn("+stable: @team/tagged@1.0.0", c.npm("dist-tag", "add", "@team/tagged@1.0.0", "stable").stdout)
        doc = repo.json("@team%2ftagged", headers={"Accept": "application/vnd.npm.install-v1+json"})
        self.assertEqual(doc["dist-tags"]["stable"], "1.0.0")
        self.assertEqual(c.npm("view", "@team/tagged@stable", "version").stdout.strip(), "1.0.0")

        app = c.project("app")
        c.npm("install", "--no-audit", "@team/tagged@next", cwd=app)
        with open(os.path.join(app, "node_modules", "@team", "tagged", "package.json")) as f:
            self.assertEqual(json.load(f)["version"], "2.0.0-rc.1")

        self.assertIn("-stable: @team/tagged@1.0.0", c.npm("dist-tag", "rm", "@team/tagged", "stable").stdout)
        self.assertNotIn("stable", repo.json("-/package/@team%2ftagged/dist-tags"))
        p = c.npm("dist-tag", "rm", "@team/tagged", "latest", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("latest dist-tag cannot be removed", p.stderr)
        p = c.npm("dist-tag", "add", "@team/tagged@7.7.7", "nope", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("E404", p.stderr)
        # Tag names that are ranges would make pkg@tag ambiguous.
        status, _, body = repo.http("PUT", "-/package/@team%2ftagged/dist-tags/1.x", body=b'"1.0.0"',
                                    headers={"Content-Type": "application/json"})
        self.assertEqual(status, 400, body)
        # The literal-slash and upper-case %2F spellings reach the same package.
        self.assertEqual(repo.json("-/package/@team/tagged/dist-tags")["latest"], "1.1.0")
        self.assertEqual(repo.json("-/package/@team%2Ftagged/dist-tags")["latest"], "1.1.0")

        # Publishing is not enough to move tags: that is codeartifact:PutPackageMetadata.
        pub = a.new_user("publisher", PUBLISHER)
        other = NodeClient(a.dir, "publisher")
        other.write_npmrc(repo, token=repo.new_token(creds=pub))
        self.assertIn("latest: 1.1.0", other.npm("dist-tag", "ls", "@team/tagged").stdout)
        p = other.npm("dist-tag", "add", "@team/tagged@1.0.0", "mine", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("E403", p.stderr)
        p = other.npm("dist-tag", "rm", "@team/tagged", "beta", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("E403", p.stderr)
        self.assertEqual(repo.json("-/package/@team%2ftagged/dist-tags"),
                         {"beta": "1.0.0", "latest": "1.1.0", "next": "2.0.0-rc.1"})


if __name__ == "__main__":
    harness.main()
