"""Package-group origin restrictions are enforced on publish (generic format through the aws CLI)."""
import hashlib
import os

from harness import ArcaTestCase, main


class GroupEnforcement(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        a = cls.arca
        a.aws("create-domain", "--domain", "grp")
        for r in ("main", "other"):
            a.aws("create-repository", "--domain", "grp", "--repository", r)
        cls.asset = os.path.join(a.dir, "asset.txt")
        with open(cls.asset, "wb") as f:
            f.write(b"group enforcement bytes\n")
        cls.sha = hashlib.sha256(b"group enforcement bytes\n").hexdigest()

    def publish(self, repo, ns, pkg, version, check=True):
        args = ("publish-package-version", "--domain", "grp", "--repository", repo, "--format", "generic",
                "--namespace", ns, "--package", pkg, "--package-version", version, "--asset-content", self.asset,
                "--asset-name", "asset.txt", "--asset-sha256", self.sha)
        return self.arca.aws(*args) if check else self.arca.aws_error(*args)

    def test_publish_restrictions(self):
        a = self.arca
        self.publish("main", "blocked", "lib", "1.0")
        a.aws("create-package-group", "--domain", "grp", "--package-group", "/generic/blocked/*")
        a.aws("update-package-group-origin-configuration", "--domain", "grp", "--package-group",
              "/generic/blocked/*", "--restrictions", "PUBLISH=BLOCK")
        code, msg = self.publish("main", "blocked", "lib", "2.0", check=False)
        self.assertEqual(code, "AccessDeniedException")
        self.assertIn("/generic/blocked/*", msg)
        # Nothing was stored for the refused version.
        versions = [v["version"] for v in a.aws("list-package-versions", "--domain", "grp", "--repository", "main",
                                                "--format", "generic", "--namespace", "blocked", "--package",
                                                "lib")["versions"]]
        self.assertEqual(versions, ["1.0"])
        # Other namespaces are unaffected.
        self.publish("main", "free", "lib", "1.0")

        # ALLOW_SPECIFIC_REPOSITORIES: only the listed repository may publish.
        a.aws("update-package-group-origin-configuration", "--domain", "grp", "--package-group",
              "/generic/blocked/*", "--restrictions", "PUBLISH=ALLOW_SPECIFIC_REPOSITORIES",
              "--add-allowed-repositories", "originRestrictionType=PUBLISH,repositoryName=other")
        self.publish("other", "blocked", "lib", "3.0")
        code, _ = self.publish("main", "blocked", "lib", "3.0", check=False)
        self.assertEqual(code, "AccessDeniedException")

    def test_weak_match_is_blocked(self):
        a = self.arca
        a.aws("create-package-group", "--domain", "grp", "--package-group", "/generic/acme/my-lib$")
        self.publish("main", "acme", "my-lib", "1.0")
        # A variation of the exact name (case, separators) is a weak match: blocked from publish.
        code, msg = self.publish("main", "acme", "My_Lib", "1.0", check=False)
        self.assertEqual(code, "AccessDeniedException")
        self.assertIn("my-lib", msg)


if __name__ == "__main__":
    main()
