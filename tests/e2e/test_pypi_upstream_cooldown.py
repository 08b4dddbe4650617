"""tests/e2e/test_pypi_upstream_cooldown.py - the arca:min-release-age tag on the repository holding
public:pypi hides freshly published upstream versions from the simple page and refuses their direct
download with the time they become available; without the tag they are visible."""
import json
import os
import tempfile

import harness
from harness import Arca, ArcaTestCase
from pypi_helpers import make_wheel, repo_setup, request, upload, with_auth

DOMAIN = "corp"


class PypiUpstreamCooldown(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        cls.pub = Arca()
        try:
            cls.pub_token, cls.pub_ep = repo_setup(cls.pub, "pub", "pypi")
            cls.arca = Arca(("--external", "public:pypi=" + with_auth(cls.pub_ep, cls.pub_token)),
                            env={"ARCA_UPSTREAM_METADATA_TTL": "1"})
        except BaseException:
            cls.pub.cleanup()
            raise
        cls.addClassCleanup(cls.pub.cleanup)
        cls.addClassCleanup(cls.arca.cleanup)
        cls.token, cls.store = repo_setup(cls.arca, DOMAIN, "pypi-store")
        cls.arca.aws("associate-external-connection", "--domain", DOMAIN, "--repository", "pypi-store",
                     "--external-connection", "public:pypi")
        cls.arn = cls.arca.aws("describe-repository", "--domain", DOMAIN, "--repository",
                               "pypi-store")["repository"]["arn"]

    def page(self, project):
        status, _, body = request(self.store + f"simple/{project}/", token=self.token,
                                  headers={"Accept": "application/vnd.pypi.simple.v1+json"})
        return status, json.loads(body) if status == 200 else body

    def test_cooldown(self):
        work = tempfile.mkdtemp(dir=self.arca.dir)
        status, text = upload(self.pub_ep, self.pub_token, make_wheel(work, "fresh", "1.0"))
        self.assertEqual(status, 200, text)
        self.arca.aws("tag-resource", "--resource-arn", self.arn, "--tags", "key=arca:min-release-age,value=1d")

        status, body = self.page("fresh")
        self.assertEqual(status, 404, body)  # its only version is too young
        status, _, body = request(self.store + "files/fresh/1.0/fresh-1.0-py3-none-any.whl", token=self.token)
        self.assertEqual(status, 403, body)
        self.assertIn(b"becomes available at", body)
        code, out = self.arca.aws_error("list-package-versions", "--domain", DOMAIN, "--repository", "pypi-store",
                                        "--format", "pypi", "--package", "fresh")
        self.assertIn("ResourceNotFoundException", out)

        self.arca.aws("untag-resource", "--resource-arn", self.arn, "--tag-keys", "arca:min-release-age")
        status, body = self.page("fresh")
        self.assertEqual((status, body["versions"]), (200, ["1.0"]))
        status, _, body = request(self.store + "files/fresh/1.0/fresh-1.0-py3-none-any.whl", token=self.token)
        self.assertEqual(status, 200, body)
        with open(os.path.join(work, "fresh-1.0-py3-none-any.whl"), "rb") as f:
            self.assertEqual(body, f.read())


if __name__ == "__main__":
    harness.main()
