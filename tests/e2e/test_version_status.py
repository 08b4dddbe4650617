"""UpdatePackageVersionsStatus: the transition rules, expectedStatus and versionRevisions, every failedVersions
code, all-or-nothing, and what each status means for GetPackageVersionAsset - aws CLI and boto3."""
import json

from harness import ArcaTestCase, main, sha256_hex

PKG = ["--domain", "st", "--repository", "repo", "--format", "generic", "--namespace", "ns", "--package", "pkg"]
KW = dict(domain="st", repository="repo", format="generic", namespace="ns", package="pkg")
DATA = b"status bytes"


class VersionStatus(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ca = cls.ca = cls.arca.client()
        ca.create_domain(domain="st")
        ca.create_repository(domain="st", repository="repo")

    def publish(self, version, unfinished=False):
        return self.ca.publish_package_version(**KW, packageVersion=version, assetContent=DATA, assetName="f.txt",
                                               assetSHA256=sha256_hex(DATA), unfinished=unfinished)

    def status(self, version):
        return self.ca.describe_package_version(**KW, packageVersion=version)["packageVersion"]["status"]

    def update(self, versions, target, **kw):
        out = self.ca.update_package_versions_status(**KW, versions=versions, targetStatus=target, **kw)
        return out["successfulVersions"], out["failedVersions"]

    def readable(self, version):
        try:
            self.ca.get_package_version_asset(**KW, packageVersion=version, asset="f.txt")["asset"].read()
            return True
        except self.ca.exceptions.ConflictException as e:
            self.assertEqual(e.response["resourceType"], "package-version")
            return False

    def test_transitions_with_aws_cli(self):
        a = self.arca
        rev = self.publish("1.0")["versionRevision"]
        path = ["Unlisted", "Archived", "Unlisted", "Published", "Archived", "Published"]
        for target in path:
            out = a.aws("update-package-versions-status", *PKG, "--versions", "1.0", "--target-status", target)
            self.assertEqual(out, {"successfulVersions": {"1.0": {"revision": rev, "status": target}},
                                   "failedVersions": {}})
            self.assertEqual(self.status("1.0"), target)
        # The same status again is a success too.
        out = a.aws("update-package-versions-status", *PKG, "--versions", "1.0", "--target-status", "Published")
        self.assertEqual(out["successfulVersions"]["1.0"]["status"], "Published")

        # Only Archived, Published and Unlisted are targets: the rest is a request-level validation error.
        for target in ("Unfinished", "Disposed", "Deleted", "Gone"):
            code, err = a.aws_error("update-package-versions-status", *PKG, "--versions", "1.0", "--target-status",
                                    target)
            self.assertEqual(code, "ValidationException", target)
        self.assertEqual(self.status("1.0"), "Published")

        # An unfinished generic version may be finished by a status update.
        self.publish("1.1", unfinished=True)
        self.assertEqual(self.status("1.1"), "Unfinished")
        self.assertEqual(self.update(["1.1"], "Published")[0]["1.1"]["status"], "Published")

    def test_visibility_of_assets(self):
        self.publish("2.0")
        self.assertTrue(self.readable("2.0"))
        self.update(["2.0"], "Unlisted")
        self.assertTrue(self.readable("2.0"))  # unlisted: still downloadable when asked for by version
        self.update(["2.0"], "Archived")
        self.assertFalse(self.readable("2.0"))
        # Archived versions cannot be re-published; restored ones are downloadable again.
        with self.assertRaises(self.ca.exceptions.ConflictException):
            self.publish("2.0")
        self.update(["2.0"], "Published")
        self.assertTrue(self.readable("2.0"))
        self.publish("2.1", unfinished=True)
        self.assertTrue(self.readable("2.1"))  # the API reads an unfinished version's assets

    def test_failed_versions_codes(self):
        ca = self.ca
        revs = {v: self.publish(v)["versionRevision"] for v in ("3.0", "3.1", "3.2")}
        self.update(["3.2"], "Unlisted")

        # NOT_FOUND: the others are SKIPPED and nothing changes.
        ok, failed = self.update(["3.0", "9.9"], "Archived")
        self.assertEqual(ok, {})
        self.assertEqual(failed["9.9"]["errorCode"], "NOT_FOUND")
        self.assertIn("9.9", failed["9.9"]["errorMessage"])
        self.assertEqual(failed["3.0"]["errorCode"], "SKIPPED")
        self.assertEqual(self.status("3.0"), "Published")

        # MISMATCHED_STATUS against expectedStatus.
        ok, failed = self.update(["3.0", "3.2"], "Archived", expectedStatus="Published")
        self.assertEqual(ok, {})
        self.assertEqual(failed["3.2"], {"errorCode": "MISMATCHED_STATUS",
                                         "errorMessage": "current status: Unlisted, expected status: Published"})
        self.assertEqual(failed["3.0"]["errorCode"], "SKIPPED")
        self.assertEqual(self.status("3.0"), "Published")

        # MISMATCHED_REVISION against versionRevisions.
        ok, failed = self.update(["3.0", "3.1"], "Archived", versionRevisions={"3.0": revs["3.0"], "3.1": "stale="})
        self.assertEqual(failed["3.1"]["errorCode"], "MISMATCHED_REVISION")
        self.assertIn(f"current revision: {revs['3.1']}", failed["3.1"]["errorMessage"])
        self.assertEqual(failed["3.0"]["errorCode"], "SKIPPED")
        # With the right revisions and status the same request goes through for both. versionRevisions
        # only adds checks: 3.2 (Unlisted, so expectedStatus would fail it) is not acted on.
        ok, failed = self.update(["3.0", "3.1"], "Archived", versionRevisions=revs, expectedStatus="Published")
        self.assertEqual(failed, {})
        self.assertEqual({v: s["status"] for v, s in ok.items()}, {"3.0": "Archived", "3.1": "Archived"})
        self.assertEqual(self.status("3.2"), "Unlisted")

        # NOT_ALLOWED: a disposed version cannot be given a status.
        ca.dispose_package_versions(**KW, versions=["3.1"])
        out = self.arca.aws("update-package-versions-status", *PKG, "--versions", "3.1", "3.0", "--target-status",
                            "Published")
        self.assertEqual(out["successfulVersions"], {})
        self.assertEqual(out["failedVersions"]["3.1"]["errorCode"], "NOT_ALLOWED")
        self.assertEqual(out["failedVersions"]["3.0"]["errorCode"], "SKIPPED")
        self.assertEqual(self.status("3.0"), "Archived")
        self.assertEqual(self.status("3.1"), "Disposed")

        # A version named twice counts once.
        ok, failed = self.update(["3.0", "3.0"], "Published")
        self.assertEqual(list(ok), ["3.0"])

    def test_request_errors(self):
        ca = self.ca
        with self.assertRaises(ca.exceptions.ResourceNotFoundException) as cm:
            ca.update_package_versions_status(**dict(KW, package="absent"), versions=["1"], targetStatus="Archived")
        self.assertEqual(cm.exception.response["resourceType"], "package")
        with self.assertRaises(ca.exceptions.ValidationException):
            ca.update_package_versions_status(**KW, versions=[f"v{i}" for i in range(101)], targetStatus="Archived")
        with self.assertRaises(ca.exceptions.ValidationException):
            ca.update_package_versions_status(**KW, versions=["1.0"], targetStatus="Archived",
                                              expectedStatus="Sideways")
        with self.assertRaises(ca.exceptions.ValidationException):
            ca.update_package_versions_status(**KW, versions=["a/b"], targetStatus="Archived")
        code, _ = self.arca.aws_error("update-package-versions-status", *PKG, "--versions", "1.0", "--target-status",
                                      "Archived", "--version-revisions", json.dumps({"1.0": "has space"}))
        self.assertEqual(code, "ValidationException")


if __name__ == "__main__":
    main()
