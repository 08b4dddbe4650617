"""Blob garbage collection while the server works: the background sweeper frees disposed bytes, and
publishes of the very bytes a sweep is removing never leave a version without its asset."""
import os
import threading

from harness import ARCA_BIN, Arca, ArcaTestCase, main, sha256_hex, wait_for

KW = dict(domain="gcd", repository="repo", format="generic", namespace="ns", package="pkg")


class GcSweeper(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        # A sweep every second, with no grace period.
        cls.arca = Arca(env={"ARCA_GC_INTERVAL": "1", "ARCA_GC_GRACE": "0"})
        cls.addClassCleanup(cls.arca.cleanup)
        ca = cls.ca = cls.arca.client()
        ca.create_domain(domain="gcd")
        ca.create_repository(domain="gcd", repository="repo")

    def publish(self, version, data):
        return self.ca.publish_package_version(**KW, packageVersion=version, assetContent=data, assetName="f.bin",
                                               assetSHA256=sha256_hex(data))

    def test_background_sweep(self):
        a, ca = self.arca, self.ca
        kept, doomed = b"still referenced", b"disposed soon"
        self.publish("1.0", kept)
        self.publish("2.0", doomed)
        ca.dispose_package_versions(**KW, versions=["2.0"])
        wait_for(lambda: not os.path.exists(a.blob_path(sha256_hex(doomed))), timeout=20,
                 what="the sweeper to remove the disposed blob")
        self.assertTrue(os.path.exists(a.blob_path(sha256_hex(kept))))
        self.assertEqual(ca.get_package_version_asset(**KW, packageVersion="1.0", asset="f.bin")["asset"].read(),
                         kept)

    def test_publish_races_sweeps(self):
        """The same bytes published, disposed (unreferenced again) and published anew while sweeps with no
        grace period run back to back: a publish may be asked to retry, but a version that was published
        always has its bytes."""
        a, ca = self.arca, self.ca
        data = b"contended bytes " * 64
        stop = threading.Event()
        sweeps = []

        def sweep_loop():
            while not stop.is_set():
                p = a.run([ARCA_BIN, "admin", "--data", a.data, "gc", "--grace", "0"], dict(os.environ), check=False)
                sweeps.append(p.returncode)

        t = threading.Thread(target=sweep_loop)
        t.start()
        retries = 0
        try:
            for i in range(40):
                version = f"3.{i}"
                for _attempt in range(10):
                    try:
                        self.publish(version, data)
                        break
                    except ca.exceptions.ThrottlingException as e:  # the bytes were swept mid-publish
                        self.assertIn("retry", e.response["Error"]["Message"])
                        retries += 1
                else:
                    self.fail(f"publish of {version} kept failing")
                got = ca.get_package_version_asset(**KW, packageVersion=version, asset="f.bin")["asset"].read()
                self.assertEqual(got, data, f"{version} lost its bytes")
                ca.dispose_package_versions(**KW, versions=[version])
        finally:
            stop.set()
            t.join()
        self.assertTrue(sweeps, "no sweep ran")
        self.assertEqual(set(sweeps), {0})
        self.publish("4.0", data)
        a.admin_json("gc", "--grace", "0")
        self.assertEqual(ca.get_package_version_asset(**KW, packageVersion="4.0", asset="f.bin")["asset"].read(), data)


if __name__ == "__main__":
    main()
