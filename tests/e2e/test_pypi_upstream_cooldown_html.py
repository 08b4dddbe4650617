"""tests/e2e/test_pypi_upstream_cooldown_html.py - arca:min-release-age with public:pypi on an index that
answers PEP 503 HTML only (no upload times): a file's age counts from when Arca first saw it on the page.
Right after first sight it is left out of the simple page and its download is refused with the time it
becomes available (the same time after a restart: the sighting is durable); once the cooldown has passed
it is listed and served. A file added to the page later has its own clock while the older one stays
visible, and a project seen before the cooldown was set keeps the clock of that first sighting."""
import datetime
import json
import os
import re
import tempfile
import time

import harness
from harness import Arca, ArcaTestCase
from pypi_helpers import FakeIndex, make_wheel, repo_setup, request

DOMAIN = "corp"
JSON_V1 = "application/vnd.pypi.simple.v1+json"
COOLDOWN_S = 3


def iso_to_epoch(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()


class PypiUpstreamCooldownHtml(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeIndex()
        cls.addClassCleanup(cls.fake.close)
        cls.arca = Arca(("--external", "public:pypi=" + cls.fake.url), env={"ARCA_UPSTREAM_METADATA_TTL": "1"})
        cls.addClassCleanup(cls.arca.cleanup)
        cls.work = tempfile.mkdtemp(dir=cls.arca.dir)
        cls.token, cls.ep = repo_setup(cls.arca, DOMAIN, "store")
        cls.arca.aws("associate-external-connection", "--domain", DOMAIN, "--repository", "store",
                     "--external-connection", "public:pypi")
        cls.arn = cls.arca.aws("describe-repository", "--domain", DOMAIN, "--repository", "store")["repository"]["arn"]

    def wheel(self, name, version):
        path = make_wheel(os.path.join(self.work, "pub"), name, version)
        self.fake.add(name, path, html=True)
        return path

    def versions(self, project):
        """The versions on Arca's page of project; [] when it answers 404."""
        status, _, body = request(self.ep + f"simple/{project}/", token=self.token, headers={"Accept": JSON_V1})
        if status == 404:
            return []
        self.assertEqual(status, 200, body)
        return json.loads(body)["versions"]

    def download(self, path):
        status, _, body = request(self.ep + "files/" + path, token=self.token)
        return status, body

    def refused_until(self, path):
        """Asserts the download is refused under the cooldown; returns when it becomes available (epoch s)."""
        status, body = self.download(path)
        self.assertEqual(status, 403, body)
        self.assertIn(b"has no upload time upstream and Arca first saw it", body)
        m = re.search(rb"becomes available at (\S+Z)", body)
        self.assertIsNotNone(m, body)
        return iso_to_epoch(m.group(1).decode())

    def restart(self):
        self.arca.stop()
        self.arca.start()
        self.token = self.arca.aws("get-authorization-token", "--domain", DOMAIN)["authorizationToken"]
        self.ep = self.arca.aws("get-repository-endpoint", "--domain", DOMAIN, "--repository", "store",
                                "--format", "pypi")["repositoryEndpoint"]

    def test_first_seen_clock(self):
        # Seen with no cooldown set: the sighting is recorded all the same.
        self.wheel("early", "1.0")
        self.assertEqual(self.versions("early"), ["1.0"])
        self.assertEqual(self.arca.sql("SELECT connection, version, file FROM upstream_first_seen"
                                       " WHERE package = 'early'"),
                         [("public:pypi", "1.0", "early-1.0-py3-none-any.whl")])

        self.arca.aws("tag-resource", "--resource-arn", self.arn, "--tags",
                      f"key=arca:min-release-age,value={COOLDOWN_S}s")
        w1 = self.wheel("fresh", "1.0")
        first_sight = time.time()
        self.assertEqual(self.versions("fresh"), [])  # its only file was seen just now
        f1 = "fresh/1.0/fresh-1.0-py3-none-any.whl"
        available = self.refused_until(f1)
        self.assertGreaterEqual(available, first_sight + COOLDOWN_S - 0.01)
        self.assertLessEqual(available, time.time() + COOLDOWN_S)

        # The date is the stored sighting's, which a restart keeps (and, while it lasts, answers again).
        seen_ms = self.arca.sql("SELECT first_seen_ms FROM upstream_first_seen WHERE package = 'fresh'")
        self.assertEqual(seen_ms, [(round(available * 1000) - COOLDOWN_S * 1000,)])
        self.restart()
        if time.time() < available - 0.5:
            self.assertEqual(self.refused_until(f1), available)

        harness.wait_for(lambda: self.versions("fresh") == ["1.0"], timeout=COOLDOWN_S + 30,
                         what="fresh 1.0 to come of age")
        self.assertGreaterEqual(time.time(), available)
        status, body = self.download(f1)
        self.assertEqual(status, 200, body)
        with open(w1, "rb") as f:
            self.assertEqual(body, f.read())

        # A file added later has its own clock; 1.0 stays listed meanwhile.
        self.wheel("fresh", "2.0")
        hits = self.fake.count("/simple/fresh/")
        harness.wait_for(lambda: self.versions("fresh") and self.fake.count("/simple/fresh/") > hits,
                         timeout=30, what="Arca to fetch the page again")
        self.assertEqual(self.versions("fresh"), ["1.0"])
        f2 = "fresh/2.0/fresh-2.0-py3-none-any.whl"
        available2 = self.refused_until(f2)
        self.assertGreater(available2, available)
        harness.wait_for(lambda: self.versions("fresh") == ["1.0", "2.0"], timeout=COOLDOWN_S + 30,
                         what="fresh 2.0 to come of age")
        self.assertEqual(self.download(f2)[0], 200)

        # early was first seen before the cooldown was set, longer ago than the cooldown: listed.
        self.assertEqual(self.versions("early"), ["1.0"])
        self.assertEqual(self.download("early/1.0/early-1.0-py3-none-any.whl")[0], 200)


if __name__ == "__main__":
    harness.main()
