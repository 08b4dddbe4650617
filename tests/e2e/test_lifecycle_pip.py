"""The lifecycle API's effects on pip and twine: statuses, copies and origin controls set through the
aws CLI change what the PyPI index serves and accepts."""
import os
import tempfile

from harness import ArcaTestCase, main
from pypi_helpers import make_wheel, pip_env, repo_setup, upload, with_auth


class LifecyclePip(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        a = cls.arca
        cls.token, cls.src = repo_setup(a, "life", "src")
        _, cls.dst = repo_setup(a, "life", "dst")
        cls.work = tempfile.mkdtemp(dir=a.dir)
        for v in ("1.0", "2.0", "3.0", "4.0"):
            status, text = upload(cls.src, cls.token, make_wheel(cls.work, "lifepkg", v))
            assert status == 200, text

    def pip_download(self, endpoint, spec):
        dest = tempfile.mkdtemp(dir=self.work)
        p = self.arca.run(["python3", "-m", "pip", "download", "--no-deps", "--dest", dest, "--index-url",
                           with_auth(endpoint, self.token) + "simple/", spec], pip_env(self.arca.aws_env()),
                          check=False)
        return p.returncode, sorted(os.listdir(dest)), p.stdout + p.stderr

    def status(self, versions, target):
        out = self.arca.aws("update-package-versions-status", "--domain", "life", "--repository", "src", "--format",
                            "pypi", "--package", "lifepkg", "--versions", *versions, "--target-status", target)
        self.assertEqual(sorted(out["successfulVersions"]), sorted(versions))

    def test_statuses_copy_and_block(self):
        a = self.arca
        self.status(["4.0"], "Unlisted")
        code, files, out = self.pip_download(self.src, "lifepkg")
        self.assertEqual((code, files), (0, ["lifepkg-3.0-py3-none-any.whl"]), out)
        code, files, out = self.pip_download(self.src, "lifepkg==4.0")
        self.assertEqual((code, files), (0, ["lifepkg-4.0-py3-none-any.whl"]), out)

        self.status(["3.0"], "Archived")
        code, _, _ = self.pip_download(self.src, "lifepkg==3.0")
        self.assertNotEqual(code, 0)
        a.aws("dispose-package-versions", "--domain", "life", "--repository", "src", "--format", "pypi",
              "--package", "lifepkg", "--versions", "2.0")
        code, _, _ = self.pip_download(self.src, "lifepkg==2.0")
        self.assertNotEqual(code, 0)
        code, files, out = self.pip_download(self.src, "lifepkg")
        self.assertEqual((code, files), (0, ["lifepkg-1.0-py3-none-any.whl"]), out)

        # A copy makes a version installable from the destination.
        code, _, _ = self.pip_download(self.dst, "lifepkg==1.0")
        self.assertNotEqual(code, 0)
        a.aws("copy-package-versions", "--domain", "life", "--source-repository", "src", "--destination-repository",
              "dst", "--format", "pypi", "--package", "lifepkg", "--versions", "1.0")
        code, files, out = self.pip_download(self.dst, "lifepkg==1.0")
        self.assertEqual((code, files), (0, ["lifepkg-1.0-py3-none-any.whl"]), out)

        # publish=BLOCK refuses twine with a readable reason, and nothing is stored.
        a.aws("put-package-origin-configuration", "--domain", "life", "--repository", "src", "--format", "pypi",
              "--package", "lifepkg", "--restrictions", "publish=BLOCK,upstream=BLOCK")
        wheel = make_wheel(self.work, "lifepkg", "5.0")
        p = a.run(["twine", "upload", "--non-interactive", "--disable-progress-bar", "--verbose", "--repository-url",
                   self.src, "-u", "aws", "-p", self.token, wheel], pip_env(a.aws_env()), check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("publish=BLOCK", p.stdout + p.stderr)
        versions = [v["version"] for v in a.aws("list-package-versions", "--domain", "life", "--repository", "src",
                                                "--format", "pypi", "--package", "lifepkg")["versions"]]
        self.assertNotIn("5.0", versions)


if __name__ == "__main__":
    main()
