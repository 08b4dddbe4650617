"""tests/e2e/test_npm_upstream_chain.py - app -> team -> npm-store (public:npmjs): npm install in app gets
a package only the public registry has; the version is then retained in app and npm-store (origin
EXTERNAL, with the upstream manifest's dependencies) but not in team, and a second install needs no
further upstream request for the tarball."""
import harness
from npm_helpers import NpmRepo
from npm_upstream_helpers import UpstreamCase, installed_version


class NpmUpstreamChain(UpstreamCase):
    def test_chain_retention(self):
        for v in ("1.0.0", "1.1.0"):
            self.assertEqual(self.pub.publish("left-pad-x", v)[0], 200)
        self.assertEqual(self.pub.publish("@world/util", "2.0.0", deps={"left-pad-x": "^1.0.0"})[0], 200)
        app = self.chain()
        c = self.client(app)
        proj = c.project("proj", deps={"@world/util": "^2.0.0"})
        c.npm("install", "--no-audit", cwd=proj)
        self.assertEqual(installed_version(proj, "left-pad-x"), "1.1.0")
        self.assertEqual(installed_version(proj, "@world/util"), "2.0.0")

        self.assertEqual(self.versions("corp", "app", "left-pad-x"), {"1.1.0": "EXTERNAL"})
        self.assertEqual(self.versions("corp", "npm-store", "left-pad-x"), {"1.1.0": "EXTERNAL"})
        self.assertEqual(self.versions("corp", "team", "left-pad-x"), {})
        p = self.arca.aws("describe-package-version", "--domain", "corp", "--repository", "npm-store",
                          "--format", "npm", "--package", "left-pad-x", "--package-version", "1.1.0")
        self.assertEqual(p["packageVersion"]["origin"]["domainEntryPoint"].get("externalConnectionName"),
                         "public:npmjs")
        pkg = self.arca.aws("describe-package", "--domain", "corp", "--repository", "npm-store", "--format", "npm",
                            "--package", "left-pad-x")["package"]["originConfiguration"]["restrictions"]
        self.assertEqual((pkg["publish"], pkg["upstream"]), ("BLOCK", "ALLOW"))
        self.assertEqual(self.upstream_gets("left-pad-x/-/left-pad-x-1.1.0.tgz"), 1)
        # The upstream manifest's dependencies are recorded with the version, as a publish's are.
        deps = self.arca.aws("list-package-version-dependencies", "--domain", "corp", "--repository", "npm-store",
                             "--format", "npm", "--namespace", "world", "--package", "util", "--package-version",
                             "2.0.0")["dependencies"]
        self.assertEqual([(d["package"], d["dependencyType"], d["versionRequirement"]) for d in deps],
                         [("left-pad-x", "regular", "^1.0.0")])

        # The packument in app lists the upstream's versions with tarball URLs on Arca.
        doc = app.json("left-pad-x")
        self.assertEqual(sorted(doc["versions"]), ["1.0.0", "1.1.0"])
        self.assertEqual(doc["dist-tags"]["latest"], "1.1.0")
        for m in doc["versions"].values():
            self.assertTrue(m["dist"]["tarball"].startswith(app.endpoint), m["dist"]["tarball"])

        # Team gets it from npm-store (retained there) without asking upstream again.
        team = NpmRepo(self.arca, "corp", "team", create=False)
        status, _, _ = team.http("GET", "left-pad-x/-/left-pad-x-1.1.0.tgz")
        self.assertEqual(status, 200)
        self.assertEqual(self.versions("corp", "team", "left-pad-x"), {"1.1.0": "EXTERNAL"})
        self.assertEqual(self.upstream_gets("left-pad-x/-/left-pad-x-1.1.0.tgz"), 1)


if __name__ == "__main__":
    harness.main()
