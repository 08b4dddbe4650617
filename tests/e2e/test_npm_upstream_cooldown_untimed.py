"""tests/e2e/test_npm_upstream_cooldown_untimed.py - arca:min-release-age when the upstream packument gives
no publish time for a version (no entry in `time`, or no `time` at all): its age counts from when Arca
first saw it. Right after first sight it is left out of the packument (latest falls back to the newest
version with a time), the version document, and its tarball is refused naming when it becomes available;
once the cooldown has passed it is listed, tagged latest again and downloadable. Only versions without a
time get a first-sighting row. The upstream is a small registry in this test (127.0.0.1)."""
import datetime
import hashlib
import http.server
import json
import re
import threading
import time

import harness
from harness import Arca, ArcaTestCase
from npm_helpers import NpmRepo, integrity, make_tarball

COOLDOWN_S = 3
OLD = "2020-01-01T00:00:00.000Z"


def iso_to_epoch(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()


class Registry:
    """Packuments and tarballs at fixed paths; times[name] is the packument's `time` (None: no `time`)."""

    def __init__(self):
        self.files = {}
        registry = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                body, ctype = registry.files.get(self.path, (b'{"error":"Not found"}', None))
                self.send_response(200 if ctype else 404)
                self.send_header("Content-Type", ctype or "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def package(self, name, versions, times):
        """versions: [version]; times: {version: ISO time} or None for a packument without `time`."""
        doc = {"_id": name, "name": name, "dist-tags": {"latest": versions[-1]}, "versions": {}}
        if times is not None:
            doc["time"] = dict(times, modified=OLD)
        tarballs = {}
        for v in versions:
            tgz, manifest = make_tarball(name, v)
            rel = f"{name}/-/{name}-{v}.tgz"
            doc["versions"][v] = dict(manifest, _id=f"{name}@{v}", dist={
                "integrity": integrity(tgz), "shasum": hashlib.sha1(tgz).hexdigest(), "tarball": self.base + rel})
            self.files["/" + rel] = (tgz, "application/octet-stream")
            tarballs[v] = tgz
        self.files["/" + name] = (json.dumps(doc).encode(), "application/json")
        return tarballs

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class NpmUpstreamCooldownUntimed(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        cls.registry = Registry()
        cls.addClassCleanup(cls.registry.stop)
        cls.arca = Arca(env={"ARCA_EXTERNAL_PUBLIC_NPMJS": cls.registry.base})
        cls.addClassCleanup(cls.arca.cleanup)

    def refused_until(self, app, rel):
        status, _, body = app.http("GET", rel)
        self.assertEqual(status, 403, body)
        msg = json.loads(body)["error"]
        self.assertIn("minimum release age", msg)
        self.assertIn("no publish time upstream", msg)
        m = re.search(r"available from (\S+Z)", msg)
        self.assertIsNotNone(m, msg)
        return iso_to_epoch(m.group(1))

    def test_untimed_versions_age_from_first_sight(self):
        a = self.arca
        a.aws("create-domain", "--domain", "corp")
        a.aws("create-repository", "--domain", "corp", "--repository", "npm-store")
        a.aws("associate-external-connection", "--domain", "corp", "--repository", "npm-store",
              "--external-connection", "public:npmjs")
        a.aws("create-repository", "--domain", "corp", "--repository", "app", "--upstreams",
              "repositoryName=npm-store")
        app = NpmRepo(a, domain="corp", repo="app", create=False)
        arn = a.aws("describe-repository", "--domain", "corp", "--repository", "npm-store")["repository"]["arn"]
        a.aws("tag-resource", "--resource-arn", arn, "--tags", f"key=arca:min-release-age,value={COOLDOWN_S}s")

        # untimed: 1.0.0 has an old publish time, 2.0.0 (latest upstream) none; notime: no `time` at all.
        tgz = self.registry.package("untimed", ["1.0.0", "2.0.0"], {"1.0.0": OLD})
        self.registry.package("notime", ["1.0.0"], None)

        first_sight = time.time()
        doc = app.json("untimed")
        self.assertEqual(sorted(doc["versions"]), ["1.0.0"])
        self.assertEqual(doc["dist-tags"], {"latest": "1.0.0"})
        self.assertEqual(app.http("GET", "untimed/2.0.0")[0], 404)
        available = self.refused_until(app, "untimed/-/untimed-2.0.0.tgz")
        self.assertGreaterEqual(available, first_sight + COOLDOWN_S - 0.01)
        self.assertLessEqual(available, time.time() + COOLDOWN_S)
        status, _, body = app.http("GET", "untimed/-/untimed-1.0.0.tgz")
        self.assertEqual((status, body), (200, tgz["1.0.0"]))
        self.assertEqual(app.http("GET", "notime")[0], 404)  # its only version was seen just now
        self.refused_until(app, "notime/-/notime-1.0.0.tgz")
        # Only the versions without a time have a sighting.
        self.assertEqual(sorted(a.sql("SELECT connection, format, package, version, file FROM upstream_first_seen")),
                         [("public:npmjs", "npm", "notime", "1.0.0", ""),
                          ("public:npmjs", "npm", "untimed", "2.0.0", "")])

        def visible():
            status, _, body = app.http("GET", "untimed")
            return status == 200 and "2.0.0" in json.loads(body)["versions"] and json.loads(body)
        doc = harness.wait_for(visible, timeout=COOLDOWN_S + 30, what="untimed 2.0.0 to come of age")
        self.assertGreaterEqual(time.time(), available)
        self.assertEqual(doc["dist-tags"], {"latest": "2.0.0"})
        self.assertEqual(app.json("untimed/2.0.0")["version"], "2.0.0")
        status, _, body = app.http("GET", "untimed/-/untimed-2.0.0.tgz")
        self.assertEqual((status, body), (200, tgz["2.0.0"]))
        doc = app.json("notime")
        self.assertEqual((sorted(doc["versions"]), doc["dist-tags"]), (["1.0.0"], {"latest": "1.0.0"}))
        self.assertEqual(app.http("GET", "notime/-/notime-1.0.0.tgz")[0], 200)


if __name__ == "__main__":
    harness.main()
