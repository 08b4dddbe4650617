"""PyPI uploads the server refuses, and what it leaves behind (nothing): a duplicate file with other
bytes (409, which twine --skip-existing skips), corrupt and truncated archives, digests, names and
versions that disagree, malformed forms; identical re-uploads succeed; both upload URLs work."""
import os
import random
import shutil
import tempfile
import zipfile

from harness import ArcaTestCase, main, wait_for
from pypi_helpers import (blob_count, build_project, db_rows, make_wheel, multipart, pip_env, repo_setup, request,
                          spool_files, upload)


def flip_in_member(path, data, suffix):
    """data with one byte of the member ending in suffix inverted (its CRC no longer matches)."""
    with zipfile.ZipFile(path) as z:
        info = [i for i in z.infolist() if i.filename.endswith(suffix)][0]
    name_len = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    at = info.header_offset + 30 + name_len + extra_len + 2
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]


class UploadChecks(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token, cls.endpoint = repo_setup(cls.arca, "corp", "py")
        cls.work = tempfile.mkdtemp(dir=cls.arca.dir)

    def twine(self, *args):
        env = pip_env(self.arca.aws_env())
        env.update(TWINE_USERNAME="aws", TWINE_PASSWORD=self.token, TWINE_REPOSITORY_URL=self.endpoint)
        return self.arca.run(["twine", "upload", "--non-interactive", "--disable-progress-bar", *args], env,
                             check=False)

    def assert_nothing_stored(self, name, blobs_before):
        self.assertEqual(db_rows(self.arca, "SELECT COUNT(*) FROM packages WHERE name = ?", (name,))[0][0], 0)
        self.assertEqual(blob_count(self.arca), blobs_before)
        # the spooled body and the form's file are gone once the request ends
        wait_for(lambda: spool_files(self.arca) == [], timeout=10, what="spool files to be removed")

    def test_duplicate(self):
        d1 = os.path.join(self.work, "one")
        d2 = os.path.join(self.work, "two")
        first = make_wheel(d1, "dup", "1.0")
        other = make_wheel(d2, "dup", "1.0", summary="different bytes, same file name")
        self.assertEqual(os.path.basename(first), os.path.basename(other))
        p = self.twine(first)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # the same bytes again: a success that changes nothing (CodeArtifact's rule)
        (revision,) = db_rows(self.arca, "SELECT revision FROM package_versions v JOIN packages p"
                              " ON v.package_id = p.id WHERE p.name = 'dup'")[0]
        p = self.twine(first)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(db_rows(self.arca, "SELECT revision FROM package_versions v JOIN packages p"
                                 " ON v.package_id = p.id WHERE p.name = 'dup'")[0][0], revision)
        # other bytes: 409 with the reason, and nothing new stored
        blobs = blob_count(self.arca)
        status, text = upload(self.endpoint, self.token, other)
        self.assertEqual(status, 409)
        self.assertIn("File already exists", text)
        self.assertIn(os.path.basename(other), text)
        p = self.twine(other)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("409", p.stdout + p.stderr)
        p = self.twine("--skip-existing", other)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("Skipping", p.stdout + p.stderr)
        self.assertEqual(blob_count(self.arca), blobs)
        status, _, body = request(f"{self.endpoint}files/dup/1.0/{os.path.basename(first)}", token=self.token)
        with open(first, "rb") as f:
            self.assertEqual(body, f.read())

    def test_corrupt_archives(self):
        blobs = blob_count(self.arca)
        good = make_wheel(os.path.join(self.work, "c"), "corrupt", "1.0")
        with open(good, "rb") as f:
            data = f.read()
        rng = random.Random(7)
        cases = {
            "random bytes": bytes(rng.getrandbits(8) for _ in range(4096)),
            "truncated": data[: len(data) // 2],
            "empty": b"",
            "bit flip in METADATA": flip_in_member(good, data, ".dist-info/METADATA"),
        }
        for what, blob in cases.items():
            status, text = upload(self.endpoint, self.token, data=blob, filename=os.path.basename(good))
            self.assertEqual(status, 400, f"{what}: {text}")
            self.assertIn("invalid distribution", text, what)
        # a tar.gz that is not one
        status, text = upload(self.endpoint, self.token, data=b"\x1f\x8b\x08garbage", filename="corrupt-1.0.tar.gz")
        self.assertEqual(status, 400, text)
        self.assert_nothing_stored("corrupt", blobs)
        # the good one still goes in afterwards
        self.assertEqual(upload(self.endpoint, self.token, good)[0], 200)

    def test_disagreements(self):
        blobs = blob_count(self.arca)
        w = make_wheel(os.path.join(self.work, "d"), "agree", "1.0")
        renamed = os.path.join(self.work, "d", "other-1.0-py3-none-any.whl")
        shutil.copy(w, renamed)
        cases = [
            ("sha256_digest", dict(path=w, extra=[("sha256_digest", "0" * 64)], drop=["sha256_digest"])),
            ("md5_digest", dict(path=w, extra=[("md5_digest", "0" * 32)], drop=["md5_digest"])),
            ("does not match", dict(path=w, name="something-else")),
            ("does not match", dict(path=w, version="2.0")),
            ("filetype", dict(path=w, extra=[("filetype", "sdist")], drop=["filetype"])),
            ("invalid distribution", dict(path=renamed)),  # METADATA inside names another project
            ("invalid distribution file name", dict(path=w, filename="agree-1.0.exe", name="agree", version="1.0")),
            ("filename", dict(path=w, filename="..agree-1.0-py3-none-any.whl", name="agree",
                                                    version="1.0")),
            ("invalid project name", dict(path=w, name="bad name!")),
            ("invalid version", dict(path=w, version="not a version")),
        ]
        for what, kw in cases:
            status, text = upload(self.endpoint, self.token, **kw)
            self.assertEqual(status, 400, f"{what}: {text}")
            self.assertIn(what, text)
        self.assert_nothing_stored("agree", blobs)
        self.assert_nothing_stored("other", blobs)

    def test_metadata_disagrees_with_form(self):
        """A well-formed sdist whose PKG-INFO says another version than the form and the file name."""
        blobs = blob_count(self.arca)
        (sdist,) = build_project(self.work, "meta-check", "1.0", wheel=False)
        lying = os.path.join(self.work, "meta-check-1.1.tar.gz")
        shutil.copy(sdist, lying)
        status, text = upload(self.endpoint, self.token, lying)
        self.assertEqual(status, 400, text)
        self.assert_nothing_stored("meta-check", blobs)

    def test_forms(self):
        w = make_wheel(os.path.join(self.work, "f"), "formy", "1.0")
        with open(w, "rb") as f:
            data = f.read()
        status, text = upload(self.endpoint, self.token, w, drop=[":action"])
        self.assertEqual(status, 400, text)
        status, text = upload(self.endpoint, self.token, w, drop=[":action"], extra=[(":action", "submit")])
        self.assertEqual(status, 410, text)
        status, text = upload(self.endpoint, self.token, w, drop=["protocol_version"], extra=[("protocol_version", "2")])
        self.assertEqual(status, 400, text)
        ctype, body = multipart([(":action", "file_upload"), ("name", "formy"), ("version", "1.0")])
        status, _, text = request(self.endpoint, "POST", self.token, {"Content-Type": ctype}, body)
        self.assertEqual(status, 400)
        self.assertIn(b"no file", text)
        status, _, _ = request(self.endpoint, "POST", self.token, {"Content-Type": "application/json"}, b"{}")
        self.assertEqual(status, 400)
        # a plain field where the file should be
        ctype, body = multipart([(":action", "file_upload"), ("name", "formy"), ("version", "1.0"), ("content", data)])
        status, _, _ = request(self.endpoint, "POST", self.token, {"Content-Type": ctype}, body)
        self.assertEqual(status, 400)
        # both upload URLs, with and without the slash, never a redirect
        for suffix in ("", "legacy/", "legacy"):
            status, text = upload(self.endpoint, self.token, w, url_suffix=suffix)
            self.assertEqual(status, 200, f"{suffix}: {text}")
        status, text = upload(self.endpoint.rstrip("/"), self.token, w)
        self.assertEqual(status, 200, text)

    def test_wheel_joins_sdist(self):
        files = build_project(self.work, "joined", "3.0")
        for f in files:
            status, text = upload(self.endpoint, self.token, f)
            self.assertEqual(status, 200, text)
        rows = db_rows(self.arca, "SELECT x.name FROM assets x JOIN package_versions v ON x.version_id = v.id"
                       " JOIN packages p ON v.package_id = p.id WHERE p.name = 'joined' ORDER BY x.name")
        self.assertEqual(sorted(r[0] for r in rows), sorted(os.path.basename(f) for f in files))
        self.assertEqual(db_rows(self.arca, "SELECT COUNT(*) FROM package_versions v JOIN packages p"
                                 " ON v.package_id = p.id WHERE p.name = 'joined'")[0][0], 1)


if __name__ == "__main__":
    main()
