"""A 512 MiB generic asset round-trips byte-exact, and the server streams it: its peak memory (VmHWM)
grows by far less than the file."""
import hashlib
import os
import struct

from harness import ArcaTestCase, main

MIB = 1 << 20
SIZE_MIB = 512
MAX_GROWTH_KIB = 64 * 1024


class GenericLarge(ArcaTestCase):
    def test_512_mib_round_trip(self):
        a = self.arca
        ca = a.client()
        ca.create_domain(domain="big")
        ca.create_repository(domain="big", repository="files")
        coord = dict(domain="big", repository="files", format="generic", namespace="blobs", package="image",
                     packageVersion="1.0")

        # Every MiB differs (a counter in front of one random block), so misplaced chunks would show.
        base = bytearray(os.urandom(MIB))
        path = os.path.join(a.dir, "large.bin")
        digest = hashlib.sha256()
        with open(path, "wb") as f:
            for i in range(SIZE_MIB):
                base[:8] = struct.pack("<Q", i)
                f.write(base)
                digest.update(base)
        sha = digest.hexdigest()
        before = a.vm_hwm_kib()

        with open(path, "rb") as f:
            out = ca.publish_package_version(**coord, assetName="disk image.bin", assetContent=f, assetSHA256=sha)
        self.assertEqual(out["asset"]["size"], SIZE_MIB * MIB)
        self.assertEqual(out["asset"]["hashes"]["SHA-256"], sha)
        os.unlink(path)  # the stored copy is what comes back below
        self.assertTrue(os.path.exists(a.blob_path(sha)))

        got = ca.get_package_version_asset(**coord, asset="disk image.bin")
        self.assertEqual(int(got["ResponseMetadata"]["HTTPHeaders"]["content-length"]), SIZE_MIB * MIB)
        back = hashlib.sha256()
        n = 0
        for chunk in got["asset"].iter_chunks(MIB):
            back.update(chunk)
            n += len(chunk)
        self.assertEqual(n, SIZE_MIB * MIB)
        self.assertEqual(back.hexdigest(), sha)

        growth = a.vm_hwm_kib() - before
        self.assertLess(growth, MAX_GROWTH_KIB,
                        f"server peak memory grew by {growth} KiB for a {SIZE_MIB} MiB asset")


if __name__ == "__main__":
    main()
