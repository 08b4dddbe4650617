"""CopyPackageVersions with the aws CLI and boto3: what is copied and kept, identical copies, ALREADY_EXISTS and
allowOverwrite, NOT_FOUND / MISMATCHED_REVISION / NOT_ALLOWED with SKIPPED, includeFromUpstream, and the
ReadFromRepository right on the source."""
import json

from harness import ArcaTestCase, main, sha256_hex

COORD = ["--format", "generic", "--namespace", "ns", "--package", "pkg"]
PKG = dict(format="generic", namespace="ns", package="pkg")


class CopyVersions(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ca = cls.ca = cls.arca.client()
        ca.create_domain(domain="cp")
        ca.create_repository(domain="cp", repository="up")
        for name in ("src", "dst", "dst2", "blocked"):
            ca.create_repository(domain="cp", repository=name, upstreams=[{"repositoryName": "up"}] if
                                 name == "src" else [])

    def publish(self, repo, version, data, package="pkg"):
        return self.ca.publish_package_version(domain="cp", repository=repo, **dict(PKG, package=package),
                                               packageVersion=version, assetContent=data, assetName="f.bin",
                                               assetSHA256=sha256_hex(data))["versionRevision"]

    def copy(self, dst="dst", src="src", **kw):
        out = self.ca.copy_package_versions(domain="cp", sourceRepository=src, destinationRepository=dst,
                                            **dict(PKG, **kw.pop("pkg", {})), **kw)
        return out["successfulVersions"], out["failedVersions"]

    def version(self, repo, version):
        return self.ca.describe_package_version(domain="cp", repository=repo, **PKG,
                                                packageVersion=version)["packageVersion"]

    def download(self, repo, version):
        return self.ca.get_package_version_asset(domain="cp", repository=repo, **PKG, packageVersion=version,
                                                 asset="f.bin")["asset"].read()

    def test_copy_keeps_revision_status_origin(self):
        a, ca = self.arca, self.ca
        rev10 = self.publish("src", "1.0", b"ten")
        rev11 = self.publish("src", "1.1", b"eleven")
        ca.update_package_versions_status(domain="cp", repository="src", **PKG, versions=["1.1"],
                                          targetStatus="Archived")
        out = a.aws("copy-package-versions", "--domain", "cp", "--source-repository", "src",
                    "--destination-repository", "dst", *COORD, "--versions", "1.0", "1.1")
        self.assertEqual(out, {"successfulVersions": {"1.0": {"revision": rev10, "status": "Published"},
                                                      "1.1": {"revision": rev11, "status": "Archived"}},
                               "failedVersions": {}})
        self.assertEqual(self.download("dst", "1.0"), b"ten")
        copied, original = self.version("dst", "1.0"), self.version("src", "1.0")
        self.assertEqual(copied["origin"], {"domainEntryPoint": {"repositoryName": "src"}, "originType": "INTERNAL"})
        self.assertEqual(copied["publishedTime"], original["publishedTime"])
        self.assertEqual(copied["revision"], original["revision"])
        # A new destination package takes the source package's origin controls.
        self.assertEqual(ca.describe_package(domain="cp", repository="dst", **PKG)["package"]["originConfiguration"],
                         {"restrictions": {"publish": "ALLOW", "upstream": "BLOCK"}})

        # Identical in the destination already: success, reported in neither map.
        out = a.aws("copy-package-versions", "--domain", "cp", "--source-repository", "src",
                    "--destination-repository", "dst", *COORD, "--versions", "1.0", "1.1")
        self.assertEqual(out, {"successfulVersions": {}, "failedVersions": {}})

    def test_already_exists_and_overwrite(self):
        src_rev = self.publish("src", "2.0", b"source bytes")
        self.publish("dst2", "2.0", b"destination bytes")
        self.publish("src", "2.1", b"two-one")
        ok, failed = self.copy(dst="dst2", versions=["2.0", "2.1"])
        self.assertEqual(ok, {})
        self.assertEqual(failed["2.0"], {"errorCode": "ALREADY_EXISTS", "errorMessage": "Version 2.0 already exists"})
        self.assertEqual(failed["2.1"]["errorCode"], "SKIPPED")
        self.assertEqual(self.download("dst2", "2.0"), b"destination bytes")
        with self.assertRaises(self.ca.exceptions.ResourceNotFoundException):
            self.version("dst2", "2.1")  # all or nothing

        ok, failed = self.copy(dst="dst2", versions=["2.0", "2.1"], allowOverwrite=True)
        self.assertEqual(failed, {})
        self.assertEqual(ok["2.0"], {"revision": src_rev, "status": "Published"})
        self.assertEqual(self.download("dst2", "2.0"), b"source bytes")
        ok, failed = self.copy(dst="dst2", versions=["2.0", "2.1"], allowOverwrite=True)
        self.assertEqual((ok, failed), ({}, {}))

    def test_failures_skip_everything(self):
        a = self.arca
        rev = self.publish("src", "3.0", b"three")
        self.publish("src", "3.1", b"three-one")
        ok, failed = self.copy(versions=["3.0", "5.6.7"])
        self.assertEqual(ok, {})
        self.assertEqual(failed["5.6.7"], {"errorCode": "NOT_FOUND", "errorMessage": "Could not find version 5.6.7"})
        self.assertEqual(failed["3.0"]["errorCode"], "SKIPPED")
        with self.assertRaises(self.ca.exceptions.ResourceNotFoundException):
            self.version("dst", "3.0")

        ok, failed = self.copy(versionRevisions={"3.0": rev, "3.1": "not-its-revision"})
        self.assertEqual(failed["3.1"]["errorCode"], "MISMATCHED_REVISION")
        self.assertEqual(failed["3.0"]["errorCode"], "SKIPPED")
        out = a.aws("copy-package-versions", "--domain", "cp", "--source-repository", "src",
                    "--destination-repository", "dst", *COORD, "--version-revisions", json.dumps({"3.0": rev}))
        self.assertEqual(out["successfulVersions"]["3.0"]["revision"], rev)

        self.publish("src", "3.2", b"three-two")
        self.ca.dispose_package_versions(domain="cp", repository="src", **PKG, versions=["3.2"])
        ok, failed = self.copy(versions=["3.1", "3.2"])
        self.assertEqual(failed["3.2"]["errorCode"], "NOT_ALLOWED")
        self.assertEqual(failed["3.1"]["errorCode"], "SKIPPED")

        # publish=BLOCK on the destination package refuses new versions.
        self.ca.put_package_origin_configuration(domain="cp", repository="blocked", **PKG,
                                                 restrictions={"publish": "BLOCK", "upstream": "ALLOW"})
        ok, failed = self.copy(dst="blocked", versions=["3.0"])
        self.assertEqual(failed["3.0"]["errorCode"], "NOT_ALLOWED")
        self.assertIn("publish=BLOCK", failed["3.0"]["errorMessage"])

    def test_include_from_upstream(self):
        self.publish("src", "4.0", b"four")
        self.publish("up", "4.1", b"four-one from upstream")
        ok, failed = self.copy(versions=["4.0", "4.1"])
        self.assertEqual(failed["4.1"]["errorCode"], "NOT_FOUND")
        ok, failed = self.copy(versions=["4.0", "4.1"], includeFromUpstream=True)
        self.assertEqual(failed, {})
        self.assertEqual(set(ok), {"4.0", "4.1"})
        self.assertEqual(self.download("dst", "4.1"), b"four-one from upstream")
        # A package only the upstream holds.
        self.publish("up", "1.0", b"upstream only", package="onlyup")
        with self.assertRaises(self.ca.exceptions.ResourceNotFoundException) as cm:
            self.copy(versions=["1.0"], pkg={"package": "onlyup"})
        self.assertEqual(cm.exception.response["resourceType"], "package")
        ok, failed = self.copy(versions=["1.0"], pkg={"package": "onlyup"}, includeFromUpstream=True)
        self.assertEqual(list(ok), ["1.0"])

    def test_request_errors(self):
        a, ca = self.arca, self.ca
        self.publish("src", "6.0", b"six")
        base = ["copy-package-versions", "--domain", "cp", "--source-repository", "src", *COORD]
        code, err = a.aws_error(*base, "--destination-repository", "dst", "--versions", "6.0",
                                "--version-revisions", json.dumps({"6.0": "r"}))
        self.assertEqual(code, "ValidationException")
        self.assertIn("not both", err)
        self.assertEqual(a.aws_error(*base, "--destination-repository", "dst")[0], "ValidationException")
        self.assertEqual(a.aws_error(*base, "--destination-repository", "src", "--versions", "6.0")[0],
                         "ValidationException")
        with self.assertRaises(ca.exceptions.ResourceNotFoundException) as cm:
            self.copy(src="nosuch", versions=["6.0"])
        self.assertEqual((cm.exception.response["resourceType"], cm.exception.response["resourceId"]),
                         ("repository", "nosuch"))
        with self.assertRaises(ca.exceptions.ResourceNotFoundException) as cm:
            self.copy(dst="nosuch", versions=["6.0"])
        self.assertEqual(cm.exception.response["resourceId"], "nosuch")
        with self.assertRaises(ca.exceptions.ResourceNotFoundException):
            self.copy(versions=["6.0"], pkg={"package": "absent"})
        with self.assertRaises(ca.exceptions.ValidationException):
            self.copy(versions=[f"v{i}" for i in range(101)])

    def test_read_from_repository_on_source(self):
        ca = self.ca
        self.publish("src", "7.0", b"seven")
        src_arn = ca.describe_repository(domain="cp", repository="src")["repository"]["arn"]
        dst_arn = ca.describe_repository(domain="cp", repository="dst")["repository"]["arn"]
        copy_only = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "codeartifact:CopyPackageVersions", "Resource": dst_arn}]}
        creds = self.arca.new_user("copier", copy_only)
        code, err = self.arca.aws_error("copy-package-versions", "--domain", "cp", "--domain-owner", self.arca.account,
                                        "--source-repository", "src", "--destination-repository", "dst", *COORD,
                                        "--versions", "7.0", creds=creds)
        self.assertEqual(code, "AccessDeniedException")
        self.assertIn("codeartifact:ReadFromRepository", err)
        with self.assertRaises(ca.exceptions.ResourceNotFoundException):
            self.version("dst", "7.0")

        both = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "codeartifact:CopyPackageVersions", "Resource": dst_arn},
            {"Effect": "Allow", "Action": "codeartifact:ReadFromRepository", "Resource": src_arn}]}
        creds = self.arca.new_user("copier2", both)
        out = self.arca.client(creds).copy_package_versions(
            domain="cp", domainOwner=self.arca.account, sourceRepository="src", destinationRepository="dst", **PKG,
            versions=["7.0"])
        self.assertEqual(list(out["successfulVersions"]), ["7.0"])


if __name__ == "__main__":
    main()
