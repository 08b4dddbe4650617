"""tests/e2e/test_npm_errors.py - npm's failure cases: 401 (no, tampered, expired, other-domain token),
403 (denied), 404 (unknown package, version, tarball), a duplicate version, and failed publishes that
leave nothing behind. Every error body is npm's {"error": ...}."""
import json
import os

import harness
from harness import ArcaTestCase
from npm_helpers import NodeClient, NpmRepo, escape, expired_token, make_tarball, publish_body

READER = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["codeartifact:GetAuthorizationToken", "codeartifact:GetRepositoryEndpoint",
                                   "codeartifact:ReadFromRepository", "sts:GetServiceBearerToken"],
     "Resource": "*"}]}
TOKEN_ONLY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["codeartifact:GetAuthorizationToken", "sts:GetServiceBearerToken"],
     "Resource": "*"}]}


class NpmErrors(ArcaTestCase):
    def assert_error(self, result, status, text=None):
        code, headers, body = result
        self.assertEqual(code, status, body)
        self.assertTrue(headers["Content-Type"].startswith("application/json"), headers)
        doc = json.loads(body)
        self.assertEqual(list(doc), ["error"])
        if text:
            self.assertIn(text, doc["error"])
        if status == 401:
            self.assertEqual(headers["WWW-Authenticate"], 'Basic realm="arca"')
        return doc["error"]

    def test_errors(self):
        a = self.arca
        repo = NpmRepo(a, domain="errs", repo="main")
        other = NpmRepo(a, domain="elsewhere", repo="main")
        self.assertEqual(repo.publish("known", "1.0.0")[0], 200)

        # 401: on reads and writes alike, whatever is wrong with the credentials.
        self.assert_error(repo.http("GET", "known", token=None), 401)
        self.assert_error(repo.http("GET", "known/-/known-1.0.0.tgz", token=None), 401)
        self.assert_error(repo.http("GET", "-/whoami", token=None), 401)
        self.assert_error(repo.http("PUT", "known", {"name": "known"}, token=None), 401)
        tampered = repo.token[:-2] + ("AA" if not repo.token.endswith("AA") else "BB")
        self.assert_error(repo.http("GET", "known", token=tampered), 401, "signature")
        expired = expired_token(a, repo.token)
        self.assert_error(repo.http("GET", "known", token=expired), 401, "expired")
        self.assert_error(repo.http("GET", "known", token=other.token), 401, "another domain")
        self.assert_error(repo.http("GET", "unknown-pkg", token=None), 401)  # nothing revealed

        # npm itself, with the expired token: E401, and the challenge is what it prints.
        client = NodeClient(a.dir, "npm401")
        client.write_npmrc(repo, token=expired)
        app = client.project("app", deps={"known": "^1.0.0"})
        p = client.npm("install", "--no-audit", cwd=app, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("E401", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(app, "node_modules", "known")))

        # 403: authenticated, not allowed.
        reader = a.new_user("reader", READER)
        nobody = a.new_user("nobody", TOKEN_ONLY)
        rtoken = repo.new_token(creds=reader)
        ntoken = repo.new_token(creds=nobody)
        msg = self.assert_error(repo.http("GET", "known", token=ntoken), 403, "codeartifact:ReadFromRepository")
        self.assertIn("user/nobody", msg)
        self.assert_error(repo.http("GET", "-/v1/search?text=known", token=ntoken), 403)
        self.assertEqual(repo.http("GET", "known", token=rtoken)[0], 200)
        status, _, body = repo.publish("reader-pkg", "1.0.0", token=rtoken)
        self.assertEqual(status, 403, body)
        self.assertIn("codeartifact:PublishPackageVersion", json.loads(body)["error"])
        self.assertEqual(repo.counts("reader-pkg"), (0, 0))
        writer = NodeClient(a.dir, "npm403")
        writer.write_npmrc(repo, token=rtoken)
        proj = writer.project("reader-pkg")
        p = writer.npm("publish", cwd=proj, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("E403", p.stderr)

        # 404: unknown package, version, tarball; npm says the package is not in this registry.
        self.assert_error(repo.http("GET", "unknown-pkg"), 404)
        self.assert_error(repo.http("GET", "@nope%2fmissing"), 404)
        self.assert_error(repo.http("GET", "known/9.9.9"), 404)
        self.assert_error(repo.http("GET", "known/-/known-9.9.9.tgz"), 404)
        self.assert_error(repo.http("GET", "known/-/other-1.0.0.tgz"), 404)
        self.assert_error(repo.http("GET", "-/package/unknown-pkg/dist-tags"), 404)
        self.assert_error(repo.http("DELETE", "known"), 405)
        c404 = NodeClient(a.dir, "npm404")
        c404.write_npmrc(repo)
        p = c404.npm("view", "unknown-pkg", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("E404", p.stderr)
        self.assertEqual(self.arca.http("GET", repo.path.replace("/main/", "/absent/") + "known",
                                        headers={"Authorization": f"Bearer {repo.token}"})[0], 404)

        # A version is never published twice: npm refuses from the packument, the server with 403.
        first = c404.project("dup", manifest={"name": "known", "version": "1.0.0"})
        p = c404.npm("publish", cwd=first, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("cannot publish over the previously published versions: 1.0.0", p.stderr)
        tgz, manifest = make_tarball("known", "1.0.0", extra={"description": "other bytes"})
        self.assertEqual(self.assert_error(repo.http("PUT", "known", publish_body("known", "1.0.0", tgz, manifest)),
                                           403),
                         "You cannot publish over the previously published versions: 1.0.0.")

        # Failed publishes leave nothing: no package row for a new name, no version for a known one.
        junk = os.urandom(512)
        bad = [
            ("corrupt", publish_body("fresh-a", "1.0.0", junk, {"name": "fresh-a", "version": "1.0.0"}),
             "corrupt tarball"),
            ("integrity", publish_body("fresh-b", "1.0.0", *make_tarball("fresh-b", "1.0.0"),
                                       integrity_override="sha512-" + "A" * 86 + "=="), "integrity"),
            ("wrong version", publish_body("fresh-c", "1.0.0", make_tarball("fresh-c", "1.0.1")[0],
                                           {"name": "fresh-c", "version": "1.0.0"}), "version"),
            ("wrong name", publish_body("fresh-d", "1.0.0", make_tarball("someone-else", "1.0.0")[0],
                                        {"name": "fresh-d", "version": "1.0.0"}), "different package"),
        ]
        for what, body, text in bad:
            with self.subTest(what):
                name = body["name"]
                self.assert_error(repo.http("PUT", escape(name), body), 400, text)
                self.assertEqual(repo.counts(name), (0, 0))
                self.assert_error(repo.http("GET", escape(name)), 404)
        tgz, manifest = make_tarball("known", "2.0.0")
        self.assert_error(repo.http("PUT", "known", publish_body("known", "2.0.0", tgz, manifest,
                                                                 integrity_override="sha512-" + "B" * 86 + "==")),
                          400, "integrity")
        self.assertEqual(repo.counts("known"), (1, 1))
        doc = repo.json("known")
        self.assertEqual(list(doc["versions"]), ["1.0.0"])
        self.assertEqual(doc["dist-tags"], {"latest": "1.0.0"})


if __name__ == "__main__":
    harness.main()
