"""Generic packages: publish (unfinished, final, quota, digests, naming rules), list and download assets,
with the aws CLI, boto3 and the arca CLI."""
import json
import os

from harness import ArcaTestCase, main, sha256_hex

PKG = ["--domain", "gen", "--repository", "rr", "--format", "generic", "--namespace", "acme", "--package", "tool"]
COORD = dict(domain="gen", repository="rr", format="generic", namespace="acme", package="tool")


class GenericPublish(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ca = cls.arca.client()
        ca.create_domain(domain="gen")
        ca.create_repository(domain="gen", repository="rr")

    def publish_cli(self, version, name, data, *extra, check=True):
        path = self.arca.write_file("upload.bin", data)
        args = ["publish-package-version", *PKG, "--package-version", version, "--asset-content", path,
                "--asset-name", name, "--asset-sha256", sha256_hex(data), *extra]
        return self.arca.aws(*args) if check else self.arca.aws_error(*args)

    def test_unfinished_then_published_with_aws_cli(self):
        a = self.arca
        first = b"hello asset"
        out = self.publish_cli("1.0.0", "my asset+1.txt", first, "--unfinished")
        self.assertEqual(out["status"], "Unfinished")
        self.assertEqual((out["format"], out["namespace"], out["package"], out["version"]),
                         ("generic", "acme", "tool", "1.0.0"))
        self.assertEqual(out["asset"]["name"], "my asset+1.txt")
        self.assertEqual(out["asset"]["size"], len(first))
        self.assertEqual(out["asset"]["hashes"]["SHA-256"], sha256_hex(first))
        self.assertEqual(set(out["asset"]["hashes"]), {"MD5", "SHA-1", "SHA-256", "SHA-512"})
        rev1 = out["versionRevision"]

        # An unfinished version takes more assets; the last one, without --unfinished, publishes it.
        out = self.publish_cli("1.0.0", "second.bin", b"\x00\x01second", "--no-unfinished")
        self.assertEqual(out["status"], "Published")
        self.assertNotEqual(out["versionRevision"], rev1, "a new asset gives a new revision")
        rev2 = out["versionRevision"]

        assets = a.aws("list-package-version-assets", *PKG, "--package-version", "1.0.0")
        self.assertEqual([x["name"] for x in assets["assets"]], ["my asset+1.txt", "second.bin"])
        self.assertEqual(assets["versionRevision"], rev2)

        dest = os.path.join(a.dir, "download.txt")
        meta = a.aws("get-package-version-asset", *PKG, "--package-version", "1.0.0", "--asset", "my asset+1.txt",
                     dest)
        self.assertEqual(meta, {"assetName": "my asset+1.txt", "packageVersion": "1.0.0",
                                "packageVersionRevision": rev2})
        with open(dest, "rb") as f:
            self.assertEqual(f.read(), first)

        # Published: an identical asset again is fine, a new asset name is refused.
        self.assertEqual(self.publish_cli("1.0.0", "second.bin", b"\x00\x01second")["versionRevision"], rev2)
        code, err = self.publish_cli("1.0.0", "third.bin", b"late", check=False)
        self.assertEqual(code, "ConflictException")
        self.assertIn("accepts no more assets", err)
        code, _ = self.publish_cli("1.0.0", "my asset+1.txt", b"other bytes", check=False)
        self.assertEqual(code, "ConflictException")

        readme = a.aws("get-package-version-readme", *PKG, "--package-version", "1.0.0")
        self.assertEqual(readme["versionRevision"], rev2)
        self.assertNotIn("readme", readme)
        deps = a.aws("list-package-version-dependencies", *PKG, "--package-version", "1.0.0")
        self.assertEqual(deps["dependencies"], [])

    def test_domain_asset_size(self):
        ca = self.arca.client()
        ca.create_domain(domain="sized")
        for repo in ("one", "two"):
            ca.create_repository(domain="sized", repository=repo)
        self.assertEqual(ca.describe_domain(domain="sized")["domain"]["assetSizeBytes"], 0)
        a, b = b"a" * 1000, b"b" * 234
        coord = dict(domain="sized", format="generic", namespace="n", package="p")
        for repo, version, name, body in (("one", "1", "a.bin", a), ("one", "1", "b.bin", b),
                                          ("two", "1", "a.bin", a), ("two", "2", "copy.bin", a)):
            ca.publish_package_version(**coord, repository=repo, packageVersion=version, assetContent=body,
                                       assetName=name, assetSHA256=sha256_hex(body), unfinished=True)
        # The same bytes in two repositories and under two names are stored, and counted, once.
        self.assertEqual(ca.describe_domain(domain="sized")["domain"]["assetSizeBytes"], len(a) + len(b))

    def test_boto3_round_trip_and_errors(self):
        ca = self.arca.client()
        body = bytes(range(256)) * 40
        out = ca.publish_package_version(**COORD, packageVersion="2.0", assetContent=body, assetName="a b+c.bin",
                                         assetSHA256=sha256_hex(body), unfinished=True)
        self.assertEqual(out["status"], "Unfinished")
        # Unfinished assets are readable through the API (their publisher assembles the version).
        got = ca.get_package_version_asset(**COORD, packageVersion="2.0", asset="a b+c.bin")
        self.assertEqual(got["asset"].read(), body)
        self.assertEqual(got["assetName"], "a b+c.bin")
        self.assertEqual(got["packageVersion"], "2.0")
        self.assertEqual(int(got["ResponseMetadata"]["HTTPHeaders"]["content-length"]), len(body))
        got = ca.get_package_version_asset(**COORD, packageVersion="2.0", asset="a b+c.bin",
                                           packageVersionRevision=out["versionRevision"])
        self.assertEqual(got["asset"].read(), body)

        # Different bytes under a name the version already has: 409 naming the asset.
        with self.assertRaises(ca.exceptions.ConflictException) as cm:
            ca.publish_package_version(**COORD, packageVersion="2.0", assetContent=b"x", assetName="a b+c.bin",
                                       assetSHA256=sha256_hex(b"x"), unfinished=True)
        self.assertEqual(cm.exception.response["resourceType"], "asset")

        with self.assertRaises(ca.exceptions.ResourceNotFoundException) as cm:
            ca.get_package_version_asset(**COORD, packageVersion="2.0", asset="missing.bin")
        self.assertEqual((cm.exception.response["resourceType"], cm.exception.response["resourceId"]),
                         ("asset", "missing.bin"))
        with self.assertRaises(ca.exceptions.ResourceNotFoundException) as cm:
            ca.get_package_version_asset(**COORD, packageVersion="9.9", asset="a b+c.bin")
        self.assertEqual(cm.exception.response["resourceType"], "package-version")
        with self.assertRaises(ca.exceptions.ResourceNotFoundException) as cm:
            ca.get_package_version_asset(**dict(COORD, package="nope"), packageVersion="2.0", asset="a")
        self.assertEqual(cm.exception.response["resourceType"], "package")
        with self.assertRaises(ca.exceptions.ResourceNotFoundException):
            ca.get_package_version_asset(**COORD, packageVersion="2.0", asset="a b+c.bin",
                                         packageVersionRevision="not-the-revision")
        with self.assertRaises(ca.exceptions.ResourceNotFoundException) as cm:
            ca.list_package_version_assets(**COORD, packageVersion="9.9")
        self.assertEqual(cm.exception.response["resourceType"], "package-version")
        with self.assertRaises(ca.exceptions.ResourceNotFoundException):
            ca.get_package_version_readme(**COORD, packageVersion="9.9")
        with self.assertRaises(ca.exceptions.ResourceNotFoundException):
            ca.list_package_version_dependencies(**dict(COORD, package="nope"), packageVersion="2.0")
        with self.assertRaises(ca.exceptions.ValidationException):
            ca.list_package_version_dependencies(**COORD, packageVersion="2.0", nextToken="not-ours")

        readme = ca.get_package_version_readme(**COORD, packageVersion="2.0")
        self.assertEqual((readme["format"], readme["namespace"], readme["package"], readme["version"]),
                         ("generic", "acme", "tool", "2.0"))

    def test_validation(self):
        ca = self.arca.client()
        data = b"payload"
        good = dict(COORD, packageVersion="3.0", assetContent=data, assetName="f.bin", assetSHA256=sha256_hex(data))
        cases = [
            (dict(good, format="npm"), "The only supported value is generic"),
            (dict(good, format="pypi", namespace=None), "The only supported value is generic"),
            (dict(good, format="cobol"), "format"),
            (dict(good, namespace=None), "namespace is required"),
            (dict(good, assetSHA256="0" * 64), "does not match"),
            (dict(good, assetSHA256="z" * 64), "64 hex digits"),
            (dict(good, assetName="tab\there"), "assetName"),
            (dict(good, assetName="n" * 256), "assetName"),
            (dict(good, packageVersion="1/2"), "packageVersion"),
            (dict(good, package="has space"), "package"),
            (dict(good, namespace="a#b"), "namespace"),
        ]
        for kwargs, message in cases:
            kwargs = {k: v for k, v in kwargs.items() if v is not None}
            with self.subTest(message=message, kwargs={k: v for k, v in kwargs.items() if k != "assetContent"}):
                with self.assertRaises(ca.exceptions.ValidationException) as cm:
                    ca.publish_package_version(**kwargs)
                self.assertIn(message, cm.exception.response["Error"]["Message"])
        # Nothing of the refused publishes was stored.
        with self.assertRaises(ca.exceptions.ResourceNotFoundException):
            ca.describe_package_version(**COORD, packageVersion="3.0")
        code, err = self.arca.aws_error("list-package-versions", "--domain", "gen", "--repository", "rr", "--format",
                                        "pypi", "--namespace", "x", "--package", "p")
        self.assertEqual(code, "ValidationException")
        self.assertIn("no namespace", err)

    def test_asset_quota(self):
        """350 assets per version; the 351st is ServiceQuotaExceededException (402)."""
        ca = self.arca.client()
        data = b"same bytes for every asset"
        sha = sha256_hex(data)
        for i in range(350):
            ca.publish_package_version(**COORD, packageVersion="4.0", assetContent=data, assetName=f"f{i:03}",
                                       assetSHA256=sha, unfinished=True)
        with self.assertRaises(ca.exceptions.ServiceQuotaExceededException) as cm:
            ca.publish_package_version(**COORD, packageVersion="4.0", assetContent=data, assetName="f350",
                                       assetSHA256=sha, unfinished=True)
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 402)
        self.assertIn("350", cm.exception.response["Error"]["Message"])
        pages = list(ca.get_paginator("list_package_version_assets").paginate(
            **COORD, packageVersion="4.0", PaginationConfig={"PageSize": 100}))
        self.assertEqual([len(p["assets"]) for p in pages], [100, 100, 100, 50])
        names = [x["name"] for p in pages for x in p["assets"]]
        self.assertEqual(names, [f"f{i:03}" for i in range(350)])
        self.assertEqual({p["versionRevision"] for p in pages}, {pages[0]["versionRevision"]})

    def test_arca_cli(self):
        a = self.arca
        data = b"from the arca CLI\n"
        path = a.write_file("arca-upload.txt", data)
        out = json.loads(a.arca("publish-package-version", *PKG, "--package-version", "5.0", "--asset-name",
                                "my asset+1.txt", "--asset-content", path).stdout)
        self.assertEqual(out["status"], "Published")
        self.assertEqual(out["asset"]["hashes"]["SHA-256"], sha256_hex(data))
        dest = os.path.join(a.dir, "arca-download.txt")
        meta = json.loads(a.arca("get-package-version-asset", *PKG, "--package-version", "5.0", "--asset",
                                 "my asset+1.txt", dest).stdout)
        self.assertEqual(meta["assetName"], "my asset+1.txt")
        self.assertEqual(meta["packageVersionRevision"], out["versionRevision"])
        with open(dest, "rb") as f:
            self.assertEqual(f.read(), data)


if __name__ == "__main__":
    main()
