"""Version statuses on the PyPI index, with pip: an Unlisted version is served as yanked (PEP 592), so a
range skips it and a pin still installs it; Archived, Disposed and Unfinished versions are not served
and their files do not download. Statuses are set directly in the database (the lifecycle API that
will set them is being built separately)."""
import json
import os
import re
import tempfile

from harness import ArcaTestCase, main
from pypi_helpers import PIP_ACCEPT, make_wheel, pip_env, repo_setup, request, set_status, upload, with_auth


class Statuses(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token, cls.endpoint = repo_setup(cls.arca, "corp", "py")
        cls.work = tempfile.mkdtemp(dir=cls.arca.dir)
        cls.wheels = {}
        for v in ("1.0", "1.1", "2.0", "3.0", "4.0", "5.0"):
            cls.wheels[v] = make_wheel(cls.work, "yanky", v)
            status, text = upload(cls.endpoint, cls.token, cls.wheels[v])
            assert status == 200, text
        set_status(cls.arca, "yanky", "2.0", "Unlisted")
        set_status(cls.arca, "yanky", "3.0", "Archived")
        set_status(cls.arca, "yanky", "4.0", "Disposed")
        set_status(cls.arca, "yanky", "5.0", "Unfinished")

    def download(self, spec):
        """`pip download` resolves exactly as install does; returns (exit code, files, output)."""
        dest = tempfile.mkdtemp(dir=self.work)
        env = pip_env(self.arca.aws_env())
        p = self.arca.run(["python3", "-m", "pip", "download", "--no-deps", "--dest", dest, "--index-url",
                           with_auth(self.endpoint, self.token) + "simple/", spec], env, check=False)
        return p.returncode, sorted(os.listdir(dest)), p.stdout + p.stderr

    def test_page(self):
        status, _, body = request(self.endpoint + "simple/yanky/", token=self.token, headers={"Accept": PIP_ACCEPT})
        self.assertEqual(status, 200)
        doc = json.loads(body)
        self.assertEqual(doc["versions"], ["1.0", "1.1", "2.0"])
        yanked = {f["filename"]: f["yanked"] for f in doc["files"]}
        self.assertEqual(yanked, {"yanky-1.0-py3-none-any.whl": False, "yanky-1.1-py3-none-any.whl": False,
                                  "yanky-2.0-py3-none-any.whl": True})
        status, _, body = request(self.endpoint + "simple/yanky/", token=self.token, headers={"Accept": "text/html"})
        lines = {re.search(r">([^<]+)</a>", l).group(1): l for l in body.decode().splitlines() if "<a " in l}
        self.assertIn('data-yanked=""', lines["yanky-2.0-py3-none-any.whl"])
        self.assertNotIn("data-yanked", lines["yanky-1.1-py3-none-any.whl"])
        self.assertEqual(len(lines), 3)

    def test_range_skips_the_yanked_version(self):
        code, files, out = self.download("yanky>=1.0")
        self.assertEqual(code, 0, out)
        self.assertEqual(files, ["yanky-1.1-py3-none-any.whl"])

    def test_pin_installs_the_yanked_version(self):
        code, files, out = self.download("yanky==2.0")
        self.assertEqual(code, 0, out)
        self.assertEqual(files, ["yanky-2.0-py3-none-any.whl"])
        self.assertIn("yanked", out.lower())  # pip warns about it

    def test_hidden_versions(self):
        for v in ("3.0", "4.0", "5.0"):
            code, files, out = self.download(f"yanky=={v}")
            self.assertNotEqual(code, 0, out)
            self.assertEqual(files, [])
            name = f"yanky-{v}-py3-none-any.whl"
            for suffix in ("", ".metadata"):
                status, _, _ = request(f"{self.endpoint}files/yanky/{v}/{name}{suffix}", token=self.token)
                self.assertEqual(status, 404, name + suffix)

    def test_status_change_reaches_the_cached_page(self):
        """A status change moves the package's update time: the next request renders afresh."""
        status, headers, body = request(self.endpoint + "simple/yanky/", token=self.token,
                                        headers={"Accept": PIP_ACCEPT})
        etag = headers["ETag"]
        set_status(self.arca, "yanky", "1.0", "Unlisted")
        try:
            status, _, body = request(self.endpoint + "simple/yanky/", token=self.token,
                                      headers={"Accept": PIP_ACCEPT, "If-None-Match": etag})
            self.assertEqual(status, 200)
            self.assertTrue([f["yanked"] for f in json.loads(body)["files"] if f["filename"].startswith("yanky-1.0")][0])
        finally:
            set_status(self.arca, "yanky", "1.0", "Published")

    def test_project_list_hides_a_project_with_nothing_served(self):
        work = tempfile.mkdtemp(dir=self.work)
        status, text = upload(self.endpoint, self.token, make_wheel(work, "gone", "1.0"))
        self.assertEqual(status, 200, text)
        status, _, body = request(self.endpoint + "simple/", token=self.token, headers={"Accept": PIP_ACCEPT})
        self.assertIn("gone", [p["name"] for p in json.loads(body)["projects"]])
        set_status(self.arca, "gone", "1.0", "Archived")
        status, _, body = request(self.endpoint + "simple/", token=self.token, headers={"Accept": PIP_ACCEPT})
        self.assertNotIn("gone", [p["name"] for p in json.loads(body)["projects"]])
        status, _, _ = request(self.endpoint + "simple/gone/", token=self.token, headers={"Accept": PIP_ACCEPT})
        self.assertEqual(status, 404)


if __name__ == "__main__":
    main()
