"""tests/e2e/test_npm_publish_install.py - npm 11 publishes a plain and a scoped package, views them, and
installs them into a fresh project from a clean cache; the lockfile integrity is the sha512 of the bytes
Arca serves. whoami and ping on the same registry."""
import base64
import hashlib
import json
import os
import shutil

import harness
from harness import ArcaTestCase
from npm_helpers import NodeClient, NpmRepo


class NpmPublishInstall(ArcaTestCase):
    def test_publish_view_install(self):
        repo = NpmRepo(self.arca)
        pub = NodeClient(self.arca.dir, "publisher")
        pub.write_npmrc(repo)

        lib = pub.project("lib", files={"index.js": "module.exports = 'lib';\n", "README.md": "# demo-lib\nhello\n"},
                          manifest={"name": "demo-lib", "version": "1.2.0", "keywords": ["demo"],
                                    "description": "plain package"})
        pub.npm("publish", cwd=lib)
        scoped = pub.project("scoped", files={"index.js": "module.exports = require('demo-lib');\n"},
                             manifest={"name": "@acme/app-core", "version": "0.3.1", "description": "scoped",
                                       "dependencies": {"demo-lib": "^1.0.0"}})
        pub.npm("publish", cwd=scoped)

        # npm view reads the full packument: tags, time, maintainers, readme, dist.
        view = json.loads(pub.npm("view", "demo-lib", "--json").stdout)
        self.assertEqual(view["name"], "demo-lib")
        self.assertEqual(view["version"], "1.2.0")
        self.assertEqual(view["dist-tags"], {"latest": "1.2.0"})
        self.assertEqual(view["description"], "plain package")
        self.assertEqual(view["maintainers"], ["admin <>"] if isinstance(view["maintainers"][0], str)
                         else [{"name": "admin", "email": ""}])
        self.assertIn("1.2.0", view["time"])
        self.assertTrue(view["dist"]["tarball"].startswith(repo.endpoint + "demo-lib/-/demo-lib-1.2.0.tgz"))
        full = repo.json("demo-lib")
        self.assertIn("# demo-lib", full["readme"])
        self.assertEqual(full["_id"], "demo-lib")
        self.assertTrue(full["_rev"])
        sview = json.loads(pub.npm("view", "@acme/app-core@0.3.1", "--json").stdout)
        self.assertEqual(sview["dependencies"], {"demo-lib": "^1.0.0"})
        self.assertEqual(sview["dist"]["tarball"], repo.endpoint + "@acme/app-core/-/app-core-0.3.1.tgz")

        # A different machine: fresh HOME and an empty cache, so every byte comes from Arca.
        con = NodeClient(self.arca.dir, "consumer")
        con.write_npmrc(repo)
        app = con.project("app", deps={"@acme/app-core": "^0.3.0"})
        self.assertFalse(os.path.exists(con.cache))
        con.npm("install", "--no-audit", cwd=app)
        with open(os.path.join(app, "node_modules", "demo-lib", "index.js")) as f:
            self.assertEqual(f.read(), "module.exports = 'lib';\n")
        with open(os.path.join(app, "package-lock.json")) as f:
            lock = json.load(f)
        for name, tarball in (("demo-lib", "demo-lib/-/demo-lib-1.2.0.tgz"),
                              ("@acme/app-core", "@acme/app-core/-/app-core-0.3.1.tgz")):
            entry = lock["packages"]["node_modules/" + name]
            self.assertEqual(entry["resolved"], repo.endpoint + tarball)
            status, headers, data = repo.http("GET", tarball)
            self.assertEqual(status, 200)
            self.assertEqual(headers["Content-Type"], "application/octet-stream")
            ours = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
            self.assertEqual(entry["integrity"], ours)
            self.assertEqual(repo.json(name.replace("/", "%2f"))["versions"][entry["version"]]["dist"]["integrity"],
                             ours)
            self.assertEqual(repo.json(name.replace("/", "%2f"))["versions"][entry["version"]]["dist"]["shasum"],
                             hashlib.sha1(data).hexdigest())

        # npm ci from that lockfile, cache cleared again: integrity is verified on every tarball.
        shutil.rmtree(os.path.join(app, "node_modules"))
        shutil.rmtree(con.cache)
        con.npm("ci", "--no-audit", cwd=app)
        self.assertTrue(os.path.exists(os.path.join(app, "node_modules", "@acme", "app-core", "index.js")))

        # CodeArtifact's model stores the npm namespace as the scope without '@'.
        self.assertEqual(repo.counts("@acme/app-core"), (1, 1))
        self.assertEqual(repo.counts("app-core"), (0, 0))

        self.assertEqual(con.npm("whoami").stdout.strip(), "admin")
        ping = con.npm("ping")
        self.assertIn("PONG", ping.stderr + ping.stdout)
        self.assertEqual(repo.json("-/whoami"), {"username": "admin"})


if __name__ == "__main__":
    harness.main()
