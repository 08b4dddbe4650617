"""tests/e2e/test_npm_audit.py - npm audit against Arca: with no advisory source the bulk endpoint answers {}
and says so in X-Arca-Advisories; a repository with an external connection whose URL does not answer fails
the audit (502, "advisory source ... unreachable") instead of faking a clean report."""
import gzip
import json

import harness
from harness import ArcaTestCase
from npm_helpers import NodeClient, NpmRepo


class NpmAudit(ArcaTestCase):
    server_args = ("--external", "public:npmjs=http://127.0.0.1:9/")

    def test_audit(self):
        repo = NpmRepo(self.arca, repo="auditable")
        repo.publish("audited", "1.0.0")
        c = NodeClient(self.arca.dir, "auditor")
        c.write_npmrc(repo)
        app = c.project("app", deps={"audited": "^1.0.0"})
        c.npm("install", "--no-audit", cwd=app)

        body = gzip.compress(json.dumps({"audited": ["1.0.0"]}).encode())
        status, headers, data = repo.http("POST", "-/npm/v1/security/advisories/bulk", body,
                                          {"Content-Type": "application/json", "Content-Encoding": "gzip"})
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(data), {})
        self.assertEqual(headers["X-Arca-Advisories"], "none-configured")
        status, headers, data = repo.http("POST", "-/npm/v1/security/audits/quick", {"name": "app",
                                                                                     "dependencies": {"a": {}}})
        self.assertEqual(status, 200)
        self.assertEqual(headers["X-Arca-Advisories"], "none-configured")
        self.assertEqual(json.loads(data)["metadata"]["dependencies"], 1)
        report = json.loads(c.npm("audit", "--json", cwd=app).stdout)
        self.assertEqual(report["metadata"]["vulnerabilities"]["total"], 0)
        self.assertEqual(repo.http("GET", "-/npm/v1/security/advisories/bulk")[0], 405)

        # With an external connection the answer must come from upstream: here nothing listens at its
        # URL, so the audit fails (502, or 503 once the breaker is open) instead of passing silently.
        ext = NpmRepo(self.arca, repo="mirror")
        self.arca.aws("associate-external-connection", "--domain", ext.domain, "--repository", ext.repo,
                      "--external-connection", "public:npmjs")
        status, headers, data = ext.http("POST", "-/npm/v1/security/advisories/bulk", body,
                                         {"Content-Type": "application/json", "Content-Encoding": "gzip"})
        self.assertEqual(status, 502, data)
        self.assertIn("advisory source public:npmjs is unreachable", json.loads(data)["error"])
        self.assertEqual(headers.get("X-Arca-Advisories"), "external:public:npmjs")
        c.write_npmrc(ext)
        p = c.npm("audit", cwd=app, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("audit endpoint returned an error", p.stdout + p.stderr)
        self.assertIn("is unreachable", p.stdout + p.stderr)

if __name__ == "__main__":
    harness.main()
