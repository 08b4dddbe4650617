"""tests/e2e/test_dataplane_memo.py - the data plane remembers tokens, rows and decisions per
connection (formats/dp_memo.h); every change must still reach the very next request on a kept-alive
connection: identity policies changed by another process (`arca admin`), repository policies,
a deleted repository, a tampered token presented after a good one."""
import http.client
import json

from harness import ArcaTestCase
from npm_helpers import NpmRepo

ALLOW = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["codeartifact:*", "sts:GetServiceBearerToken"], "Resource": "*"}]}
DENY_READ = {"Version": "2012-10-17", "Statement": ALLOW["Statement"] + [
    {"Effect": "Deny", "Action": "codeartifact:ReadFromRepository", "Resource": "*"}]}
ANONYMOUS_READ = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "codeartifact:ReadFromRepository", "Resource": "*"}]}


class Connection:
    """One kept-alive HTTP connection: the server answers all of its requests on one thread."""

    def __init__(self, arca, token=None):
        self.conn = http.client.HTTPConnection("127.0.0.1", arca.port, timeout=30)
        self.token = token

    def get(self, path, token=None):
        token = token or self.token
        self.conn.request("GET", path, headers={"Authorization": f"Bearer {token}"} if token else {})
        r = self.conn.getresponse()
        body = r.read()
        self.assert_kept_alive(r)
        return r.status, body

    @staticmethod
    def assert_kept_alive(r):
        assert (r.getheader("Connection") or "").lower() != "close", "the server closed the connection"


class DataPlaneMemo(ArcaTestCase):
    def setUp(self):
        a = self.arca
        self.domain = self.id().rsplit(".", 1)[-1].replace("_", "")[:40]
        a.aws("create-domain", "--domain", self.domain)
        a.aws("create-repository", "--domain", self.domain, "--repository", "rr")
        self.ping = f"/{self.domain}-{a.account}/npm/rr/-/ping"

    def token(self, creds=None):
        return self.arca.aws("get-authorization-token", "--domain", self.domain, creds=creds)["authorizationToken"]

    def put_user_policy(self, user, policy):
        self.arca.admin_json("put-user-policy", "--account-id", self.arca.account, "--user-name", user,
                             "--policy-name", "p", "--policy-document", json.dumps(policy))

    def test_identity_policy_changed_by_another_process(self):
        creds = self.arca.new_user("reader", ALLOW)
        c = Connection(self.arca, self.token(creds))
        self.assertEqual(c.get(self.ping)[0], 200)
        self.assertEqual(c.get(self.ping)[0], 200)  # now remembered
        self.put_user_policy("reader", DENY_READ)  # written by `arca admin`, not the server
        status, body = c.get(self.ping)
        self.assertEqual(status, 403, body)
        self.assertIn(b"not authorized", body)
        self.put_user_policy("reader", ALLOW)
        self.assertEqual(c.get(self.ping)[0], 200)

    def test_repository_policy_and_deletion(self):
        a = self.arca
        anonymous = Connection(a)
        self.assertEqual(anonymous.get(self.ping)[0], 401)
        doc = a.write_file("anon.json", json.dumps(ANONYMOUS_READ).encode())
        a.aws("put-repository-permissions-policy", "--domain", self.domain, "--repository", "rr",
              "--policy-document", f"file://{doc}")
        self.assertEqual(anonymous.get(self.ping)[0], 200)
        a.aws("delete-repository-permissions-policy", "--domain", self.domain, "--repository", "rr")
        self.assertEqual(anonymous.get(self.ping)[0], 401)

        admin = Connection(a, self.token())
        self.assertEqual(admin.get(self.ping)[0], 200)
        a.aws("delete-repository", "--domain", self.domain, "--repository", "rr")
        status, body = admin.get(self.ping)
        self.assertEqual(status, 404, body)
        a.aws("create-repository", "--domain", self.domain, "--repository", "rr")
        self.assertEqual(admin.get(self.ping)[0], 200)

    def test_a_remembered_token_does_not_vouch_for_another(self):
        c = Connection(self.arca, self.token())
        self.assertEqual(c.get(self.ping)[0], 200)
        good = c.token
        tampered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
        status, body = c.get(self.ping, token=tampered)
        self.assertEqual(status, 401, body)
        self.assertIn(b"signature", body)
        self.assertEqual(c.get(self.ping, token=good)[0], 200)

    def test_tarball_status_and_republish(self):
        a = self.arca
        repo = NpmRepo(a, domain=self.domain, repo="tgz")
        status, tgz, _ = repo.publish("memo-pkg", "1.0.0")
        self.assertEqual(status, 200)
        c = Connection(a, repo.token)
        tarball = repo.path + "memo-pkg/-/memo-pkg-1.0.0.tgz"
        for _ in range(2):
            status, body = c.get(tarball)
            self.assertEqual((status, body), (200, tgz))
        a.aws("update-package-versions-status", "--domain", self.domain, "--repository", "tgz", "--format", "npm",
              "--package", "memo-pkg", "--versions", "1.0.0", "--target-status", "Archived")
        status, body = c.get(tarball)
        self.assertEqual(status, 404, body)
        self.assertIn(b"Archived", body)
        a.aws("delete-package-versions", "--domain", self.domain, "--repository", "tgz", "--format", "npm",
              "--package", "memo-pkg", "--versions", "1.0.0")
        status, tgz2, _ = repo.publish("memo-pkg", "1.0.0", extra={"description": "second"})
        self.assertEqual(status, 200)
        self.assertNotEqual(tgz2, tgz)
        self.assertEqual(c.get(tarball), (200, tgz2))


if __name__ == "__main__":
    import harness
    harness.main()
