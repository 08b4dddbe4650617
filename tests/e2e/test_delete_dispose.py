"""DeletePackageVersions, DisposePackageVersions and DeletePackage with the aws CLI and boto3; after a
dispose, `arca admin gc` gives the bytes back (the blob file leaves DATA/blobs) but keeps shared ones."""
import json
import os

from harness import ArcaTestCase, main, sha256_hex

PKG = ["--domain", "dd", "--repository", "repo", "--format", "generic", "--namespace", "ns", "--package", "pkg"]
KW = dict(domain="dd", repository="repo", format="generic", namespace="ns", package="pkg")


class DeleteDispose(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ca = cls.ca = cls.arca.client()
        ca.create_domain(domain="dd")
        ca.create_repository(domain="dd", repository="repo")

    def publish(self, version, data, name="f.bin", package="pkg", unfinished=False):
        return self.ca.publish_package_version(**dict(KW, package=package), packageVersion=version, assetContent=data,
                                               assetName=name, assetSHA256=sha256_hex(data), unfinished=unfinished)

    def status(self, version):
        return self.ca.describe_package_version(**KW, packageVersion=version)["packageVersion"]["status"]

    def gc(self, *args):
        return self.arca.admin_json("gc", *args)

    def test_delete_versions(self):
        a, ca = self.arca, self.ca
        rev = self.publish("1.0", b"one")["versionRevision"]
        self.publish("1.1", b"one-one")
        self.publish("1.2", b"one-two")
        out = a.aws("delete-package-versions", *PKG, "--versions", "1.0")
        self.assertEqual(out, {"successfulVersions": {"1.0": {"revision": rev, "status": "Deleted"}},
                               "failedVersions": {}})
        with self.assertRaises(ca.exceptions.ResourceNotFoundException):
            ca.describe_package_version(**KW, packageVersion="1.0")
        listed = [v["version"] for v in ca.list_package_versions(**KW)["versions"]]
        self.assertNotIn("1.0", listed)
        # A deleted version can be published again.
        self.assertEqual(self.publish("1.0", b"one again")["status"], "Published")

        ca.update_package_versions_status(**KW, versions=["1.1"], targetStatus="Unlisted")
        out = ca.delete_package_versions(**KW, versions=["1.1", "1.2"], expectedStatus="Published")
        self.assertEqual(out["successfulVersions"], {})
        self.assertEqual(out["failedVersions"]["1.1"]["errorCode"], "MISMATCHED_STATUS")
        self.assertEqual(out["failedVersions"]["1.2"]["errorCode"], "SKIPPED")
        out = ca.delete_package_versions(**KW, versions=["1.2", "8.8"])
        self.assertEqual(out["failedVersions"]["8.8"]["errorCode"], "NOT_FOUND")
        self.assertEqual(out["failedVersions"]["1.2"]["errorCode"], "SKIPPED")
        self.assertEqual((self.status("1.1"), self.status("1.2")), ("Unlisted", "Published"))
        out = ca.delete_package_versions(**KW, versions=["1.1", "1.2"], expectedStatus="Unlisted")
        self.assertEqual(out["failedVersions"]["1.2"]["errorCode"], "MISMATCHED_STATUS")
        out = ca.delete_package_versions(**KW, versions=["1.1", "1.2"])
        self.assertEqual({v: s["status"] for v, s in out["successfulVersions"].items()},
                         {"1.1": "Deleted", "1.2": "Deleted"})

        with self.assertRaises(ca.exceptions.ResourceNotFoundException):
            ca.delete_package_versions(**dict(KW, package="absent"), versions=["1.0"])
        with self.assertRaises(ca.exceptions.ValidationException):
            ca.delete_package_versions(**KW, versions=["1.0"], expectedStatus="Whatever")

    def test_dispose_and_gc(self):
        a, ca = self.arca, self.ca
        unique, shared = b"only in 2.0 " * 100, b"shared by 2.0 and 2.1"
        self.publish("2.0", unique, name="unique.bin", unfinished=True)
        old_rev = self.publish("2.0", shared, name="shared.bin")["versionRevision"]
        self.publish("2.1", shared, name="shared.bin")
        unique_blob, shared_blob = a.blob_path(sha256_hex(unique)), a.blob_path(sha256_hex(shared))
        self.assertTrue(os.path.exists(unique_blob))

        out = a.aws("dispose-package-versions", *PKG, "--versions", "2.0")
        self.assertEqual(list(out["successfulVersions"]), ["2.0"])
        self.assertEqual(out["successfulVersions"]["2.0"]["status"], "Disposed")
        new_rev = out["successfulVersions"]["2.0"]["revision"]
        self.assertNotEqual(new_rev, old_rev, "the assets changed, so the revision does")
        self.assertEqual(out["failedVersions"], {})
        self.assertEqual(ca.list_package_version_assets(**KW, packageVersion="2.0")["assets"], [])
        described = ca.describe_package_version(**KW, packageVersion="2.0")["packageVersion"]
        self.assertEqual((described["status"], described["revision"]), ("Disposed", new_rev))
        self.assertEqual([v["version"] for v in ca.list_package_versions(**KW, status="Disposed")["versions"]],
                         ["2.0"])
        with self.assertRaises(ca.exceptions.ConflictException):
            ca.get_package_version_asset(**KW, packageVersion="2.0", asset="unique.bin")
        with self.assertRaises(ca.exceptions.ConflictException):
            self.publish("2.0", unique, name="unique.bin")  # disposed: not re-published

        # The rows are gone, the bytes wait for the collector: within the grace period they stay.
        self.assertTrue(os.path.exists(unique_blob))
        stats = self.gc()
        self.assertGreaterEqual(stats["keptRecent"], 1)
        self.assertTrue(os.path.exists(unique_blob))
        stats = self.gc("--grace", "0")
        self.assertGreaterEqual(stats["blobsRemoved"], 1)
        self.assertGreaterEqual(stats["bytesRemoved"], len(unique))
        self.assertFalse(os.path.exists(unique_blob), "disposed bytes are still on disk after gc")
        self.assertTrue(os.path.exists(shared_blob), "gc removed bytes 2.1 still references")
        got = ca.get_package_version_asset(**KW, packageVersion="2.1", asset="shared.bin")["asset"].read()
        self.assertEqual(got, shared)

        # Disposed versions can only be deleted; then the version can be published anew.
        out = ca.delete_package_versions(**KW, versions=["2.0"], expectedStatus="Disposed")
        self.assertEqual(out["successfulVersions"]["2.0"]["status"], "Deleted")
        self.assertEqual(self.publish("2.0", unique, name="unique.bin")["status"], "Published")
        self.assertTrue(os.path.exists(unique_blob))

    def test_dispose_checks(self):
        ca = self.ca
        rev = self.publish("3.0", b"three")["versionRevision"]
        self.publish("3.1", b"three-one")
        out = ca.dispose_package_versions(**KW, versions=["3.0", "3.1"], versionRevisions={"3.0": "stale-rev"})
        self.assertEqual(out["successfulVersions"], {})
        self.assertEqual(out["failedVersions"]["3.0"]["errorCode"], "MISMATCHED_REVISION")
        self.assertEqual(out["failedVersions"]["3.1"]["errorCode"], "SKIPPED")
        out = ca.dispose_package_versions(**KW, versions=["3.0", "3.1"], expectedStatus="Archived")
        self.assertEqual({v: f["errorCode"] for v, f in out["failedVersions"].items()},
                         {"3.0": "MISMATCHED_STATUS", "3.1": "MISMATCHED_STATUS"})
        out = ca.dispose_package_versions(**KW, versions=["3.0", "9.0"])
        self.assertEqual(out["failedVersions"]["9.0"]["errorCode"], "NOT_FOUND")
        self.assertEqual((self.status("3.0"), self.status("3.1")), ("Published", "Published"))
        out = self.arca.aws("dispose-package-versions", *PKG, "--versions", "3.0", "--version-revisions",
                            json.dumps({"3.0": rev}), "--expected-status", "Published")
        self.assertEqual(out["successfulVersions"]["3.0"]["status"], "Disposed")
        # Disposing again is allowed; it stays disposed.
        out = ca.dispose_package_versions(**KW, versions=["3.0"])
        self.assertEqual(out["successfulVersions"]["3.0"]["status"], "Disposed")

    def test_delete_package(self):
        a, ca = self.arca, self.ca
        self.publish("1.0", b"gone soon", package="doomed")
        self.publish("2.0", b"gone soon too", package="doomed")
        out = a.aws("delete-package", *PKG[:-1], "doomed")
        self.assertEqual(out["deletedPackage"], {
            "format": "generic", "namespace": "ns", "package": "doomed",
            "originConfiguration": {"restrictions": {"publish": "ALLOW", "upstream": "BLOCK"}}})
        with self.assertRaises(ca.exceptions.ResourceNotFoundException) as cm:
            ca.describe_package(**dict(KW, package="doomed"))
        self.assertEqual(cm.exception.response["resourceType"], "package")
        with self.assertRaises(ca.exceptions.ResourceNotFoundException):
            ca.delete_package(**dict(KW, package="doomed"))
        self.assertEqual(a.aws_error("delete-package", *PKG[:-1], "doomed")[0], "ResourceNotFoundException")
        # The package can be created again from scratch.
        self.publish("1.0", b"back", package="doomed")
        out = ca.delete_package(**dict(KW, package="doomed"))
        self.assertEqual(out["deletedPackage"]["package"], "doomed")


if __name__ == "__main__":
    main()
