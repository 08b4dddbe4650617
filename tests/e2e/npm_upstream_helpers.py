"""tests/e2e/npm_upstream_helpers.py - a second Arca playing the public npm registry for the first one.

The "public" server has a domain and repository that packages are published to; the server under
test gets it as its public:npmjs external connection, with a token embedded in the URL."""
import os
import unittest
import urllib.parse

from harness import Arca
from npm_helpers import NodeClient, NpmRepo


class UpstreamCase(unittest.TestCase):
    """self.public (the fake registry), self.pub (its repository) and self.arca (the server under test)."""

    env = {}

    def setUp(self):
        self.public = Arca()
        self.addCleanup(self.public.cleanup)
        self.pub = NpmRepo(self.public, domain="world", repo="registry")
        u = urllib.parse.urlsplit(self.pub.endpoint)
        url = f"http://aws:{self.pub.token}@{u.hostname}:{u.port}{u.path}"
        self.arca = Arca(env=dict(self.env, ARCA_EXTERNAL_PUBLIC_NPMJS=url))
        self.addCleanup(self.arca.cleanup)

    def chain(self, domain="corp"):
        """app -> team -> npm-store (public:npmjs); returns the NpmRepo of app."""
        a = self.arca
        a.aws("create-domain", "--domain", domain)
        a.aws("create-repository", "--domain", domain, "--repository", "npm-store")
        a.aws("associate-external-connection", "--domain", domain, "--repository", "npm-store",
              "--external-connection", "public:npmjs")
        a.aws("create-repository", "--domain", domain, "--repository", "team", "--upstreams",
              "repositoryName=npm-store")
        a.aws("create-repository", "--domain", domain, "--repository", "app", "--upstreams", "repositoryName=team")
        return NpmRepo(a, domain=domain, repo="app", create=False)

    def versions(self, domain, repo, name):
        """{version: origin type} of list-package-versions, {} when the package is not there."""
        p = self.arca.aws("list-package-versions", "--domain", domain, "--repository", repo, "--format", "npm",
                          "--package", name, check=False)
        if p.returncode != 0:
            return {}
        import json
        return {v["version"]: v["origin"]["originType"] for v in json.loads(p.stdout)["versions"]}

    def upstream_gets(self, rel):
        """GET requests the public server logged for a path under its repository."""
        needle = f"GET {self.pub.path}{rel}"
        return sum(1 for line in self.public.read_log().splitlines() if needle in line)

    def client(self, repo, name="client"):
        c = NodeClient(self.arca.dir, name)
        c.write_npmrc(repo)
        return c


def installed_version(project, name):
    import json
    with open(os.path.join(project, "node_modules", name, "package.json")) as f:
        return json.load(f)["version"]
