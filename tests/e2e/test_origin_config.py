"""PutPackageOriginConfiguration with the aws CLI and boto3: it creates a package record with no versions,
publish=BLOCK refuses publishing with a readable message, ListPackages filters on it, DeletePackage removes it."""
import json

from harness import ArcaTestCase, main, sha256_hex

REPO = ["--domain", "oc", "--repository", "repo"]
PKG = REPO + ["--format", "generic", "--namespace", "ns", "--package", "guarded"]
KW = dict(domain="oc", repository="repo", format="generic", namespace="ns", package="guarded")


class OriginConfig(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ca = cls.ca = cls.arca.client()
        ca.create_domain(domain="oc")
        ca.create_repository(domain="oc", repository="repo")

    def publish(self, version, **kw):
        data = b"guarded bytes"
        return self.ca.publish_package_version(**dict(KW, **kw), packageVersion=version, assetContent=data,
                                               assetName="f.bin", assetSHA256=sha256_hex(data))

    def test_block_publish(self):
        a, ca = self.arca, self.ca
        # Set before the package exists: a record with no versions is created.
        out = a.aws("put-package-origin-configuration", *PKG, "--restrictions", "publish=BLOCK,upstream=ALLOW")
        self.assertEqual(out, {"originConfiguration": {"restrictions": {"publish": "BLOCK", "upstream": "ALLOW"}}})
        described = a.aws("describe-package", *PKG)["package"]
        self.assertEqual(described["originConfiguration"]["restrictions"], {"publish": "BLOCK", "upstream": "ALLOW"})
        self.assertEqual(a.aws("list-package-versions", *PKG)["versions"], [])

        # Refused through the aws CLI and boto3, saying why; nothing is stored.
        path = a.write_file("blocked.bin", b"blocked")
        code, err = a.aws_error("publish-package-version", *PKG, "--package-version", "1.0", "--asset-content", path,
                                "--asset-name", "blocked.bin", "--asset-sha256", sha256_hex(b"blocked"))
        self.assertEqual(code, "AccessDeniedException")
        self.assertIn("blocked by the package's origin configuration (publish=BLOCK)", err)
        with self.assertRaises(ca.exceptions.AccessDeniedException) as cm:
            self.publish("1.0")
        self.assertIn("publish=BLOCK", cm.exception.response["Error"]["Message"])
        self.assertEqual(ca.list_package_versions(**KW)["versions"], [])

        # Allowed again: the publish goes through and the restrictions stay as set.
        out = ca.put_package_origin_configuration(**KW, restrictions={"publish": "ALLOW", "upstream": "ALLOW"})
        self.assertEqual(out["originConfiguration"]["restrictions"], {"publish": "ALLOW", "upstream": "ALLOW"})
        self.assertEqual(self.publish("1.0")["status"], "Published")
        self.assertEqual(ca.describe_package(**KW)["package"]["originConfiguration"]["restrictions"],
                         {"publish": "ALLOW", "upstream": "ALLOW"})

    def test_list_filters_and_delete(self):
        a, ca = self.arca, self.ca
        self.publish("1.0", package="open")
        ca.put_package_origin_configuration(**dict(KW, package="closed"),
                                            restrictions={"publish": "BLOCK", "upstream": "BLOCK"})

        def listed(*args):
            return sorted(p["package"] for p in a.aws("list-packages", *REPO, *args)["packages"])

        self.assertIn("closed", listed("--publish", "BLOCK"))
        self.assertNotIn("open", listed("--publish", "BLOCK"))
        self.assertIn("open", listed("--publish", "ALLOW", "--upstream", "BLOCK"))
        self.assertNotIn("closed", listed("--upstream", "ALLOW"))

        out = ca.delete_package(**dict(KW, package="closed"))
        self.assertEqual(out["deletedPackage"]["originConfiguration"]["restrictions"],
                         {"publish": "BLOCK", "upstream": "BLOCK"})
        self.assertNotIn("closed", listed())

    def test_validation(self):
        a, ca = self.arca, self.ca
        for restrictions in ({"publish": "MAYBE", "upstream": "ALLOW"}, {"publish": "ALLOW", "upstream": "block"}):
            with self.subTest(restrictions=restrictions):
                with self.assertRaises(ca.exceptions.ValidationException):
                    ca.put_package_origin_configuration(**KW, restrictions=restrictions)
        code, err = a.aws_error("put-package-origin-configuration", *PKG, "--restrictions",
                                json.dumps({"publish": "ALLOW"}))
        self.assertIsNone(code)  # botocore refuses a missing member itself
        self.assertIn("Missing required parameter in restrictions", err)
        with self.assertRaises(ca.exceptions.ResourceNotFoundException):
            ca.put_package_origin_configuration(**dict(KW, repository="nosuch"),
                                                restrictions={"publish": "ALLOW", "upstream": "ALLOW"})
        with self.assertRaises(ca.exceptions.ValidationException):
            ca.put_package_origin_configuration(**dict(KW, format="pypi", namespace="ns"),
                                                restrictions={"publish": "ALLOW", "upstream": "ALLOW"})


if __name__ == "__main__":
    main()
