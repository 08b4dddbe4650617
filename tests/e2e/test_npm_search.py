"""tests/e2e/test_npm_search.py - npm search against Arca: results carry maintainers and publisher, exact
name matches come first, keywords: and scope: filter, size/from page, unlisted latest versions hide."""
import json

import harness
from harness import ArcaTestCase
from npm_helpers import NodeClient, NpmRepo


class NpmSearch(ArcaTestCase):
    def test_search(self):
        repo = NpmRepo(self.arca, repo="searchable")
        repo.publish("alpha-util", "1.0.0", extra={"keywords": ["text", "parse"], "description": "alpha tools"})
        repo.publish("@team/beta-util", "2.0.0", extra={"description": "beta helpers"})
        repo.publish("gamma", "0.1.0", extra={"description": "unrelated"})
        repo.publish("a-gamma-fork", "0.2.0", extra={"description": "another gamma"})
        status, _, body = repo.publish("util", "3.0.0")  # a Node core module name: not for new packages
        self.assertEqual(status, 400, body)
        self.assertIn("core module", json.loads(body)["error"])
        c = NodeClient(self.arca.dir, "searcher")
        c.write_npmrc(repo)

        found = json.loads(c.npm("search", "util", "--json").stdout)
        self.assertEqual([p["name"] for p in found], ["@team/beta-util", "alpha-util"])
        for p in found:
            self.assertEqual(p["maintainers"], [{"username": "admin", "email": ""}])
            self.assertEqual(p["publisher"], {"username": "admin", "email": ""})
        self.assertEqual(found[1]["keywords"], ["text", "parse"])
        self.assertEqual(found[0]["version"], "2.0.0")
        # An exact name match comes first.
        self.assertEqual([p["name"] for p in json.loads(c.npm("search", "gamma", "--json").stdout)],
                         ["gamma", "a-gamma-fork"])
        text = c.npm("search", "beta").stdout
        self.assertIn("@team/beta-util", text)
        self.assertIn("beta helpers", text)
        self.assertNotIn("gamma", text)

        self.assertEqual([p["name"] for p in json.loads(c.npm("search", "keywords:parse", "--json").stdout)],
                         ["alpha-util"])
        self.assertEqual([p["name"] for p in json.loads(c.npm("search", "scope:team", "--json").stdout)],
                         ["@team/beta-util"])
        page = repo.json("-/v1/search?text=util&size=1&from=1")
        self.assertEqual(page["total"], 2)
        self.assertEqual([o["package"]["name"] for o in page["objects"]], ["alpha-util"])
        self.assertEqual(page["objects"][0]["package"]["scope"], "unscoped")
        self.assertEqual(repo.json("-/v1/search?text=util&size=1")["objects"][0]["package"]["scope"], "team")

        # A package whose latest version is unlisted is not offered.
        repo.set_status("gamma", "0.1.0", "Unlisted")
        self.assertEqual([o["package"]["name"] for o in repo.json("-/v1/search?text=gamma")["objects"]],
                         ["a-gamma-fork"])


if __name__ == "__main__":
    harness.main()
