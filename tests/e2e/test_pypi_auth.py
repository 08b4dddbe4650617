"""Who may read and publish on a PyPI repository: 401 with a Basic challenge without a token, with a bad,
expired or other-domain token (for reads, files and uploads alike, before the body is read); 403
under an explicit Deny, for reads on the repository and for publishing one package (checked on the
package ARN once the form names it); a read-only user cannot upload."""
import json
import os
import tempfile
import time

from harness import ArcaTestCase, main
from pypi_helpers import (PIP_ACCEPT, blob_count, db_rows, make_wheel, pip_env, repo_setup, request, resign_token,
                          upload)

ALLOW_READ = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["codeartifact:GetAuthorizationToken", "codeartifact:ReadFromRepository",
                                   "codeartifact:GetRepositoryEndpoint", "sts:GetServiceBearerToken"],
     "Resource": "*"}]}


class Auth(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        a = cls.arca
        cls.token, cls.endpoint = repo_setup(a, "corp", "py")
        cls.locked_token, cls.locked = repo_setup(a, "corp", "locked")
        a.aws("create-domain", "--domain", "other")
        cls.other_token = a.aws("get-authorization-token", "--domain", "other")["authorizationToken"]
        cls.work = tempfile.mkdtemp(dir=a.dir)
        cls.wheel = make_wheel(cls.work, "open-pkg", "1.0")
        assert upload(cls.endpoint, cls.token, cls.wheel)[0] == 200
        cls.file_url = cls.endpoint + "files/open-pkg/1.0/" + os.path.basename(cls.wheel)

    def assert_401(self, status, headers, body=b""):
        self.assertEqual(status, 401, body)
        self.assertEqual(headers["WWW-Authenticate"], 'Basic realm="arca"')

    def test_no_token(self):
        for url in (self.endpoint + "simple/open-pkg/", self.endpoint + "simple/", self.file_url,
                    self.file_url + ".metadata", self.endpoint + "simple/unknown/"):
            status, headers, body = request(url, headers={"Accept": PIP_ACCEPT})
            self.assert_401(status, headers, body)
        # a repository that does not exist reveals nothing without credentials
        status, headers, _ = request(self.endpoint.replace("/py/", "/nope/") + "simple/x/")
        self.assert_401(status, headers)
        status, _, _ = request(self.endpoint.replace("/py/", "/nope/") + "simple/x/", token=self.token)
        self.assertEqual(status, 404)
        # an upload is refused before its body is read
        status, headers, _ = request(self.endpoint, "POST", headers={"Content-Type": "multipart/form-data; boundary=x"},
                                     body=b"--x--\r\n")
        self.assert_401(status, headers)

    def test_pip_without_credentials(self):
        env = pip_env(self.arca.aws_env())
        p = self.arca.run(["python3", "-m", "pip", "download", "-vvv", "--no-deps", "--dest", self.work, "--index-url",
                           self.endpoint + "simple/", "open-pkg"], env, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("401 Client Error", p.stdout + p.stderr)

    def test_bad_tokens(self):
        now = int(time.time())
        expired = resign_token(self.arca.data, self.token, now - 3600, 900)
        fresh = resign_token(self.arca.data, self.token, now - 10, 900)
        # the re-signed token is genuine: with a current issue time it is accepted
        status, _, _ = request(self.endpoint + "simple/open-pkg/", token=fresh)
        self.assertEqual(status, 200)
        cases = [("expired", expired), ("signature", self.token[:-4] + "AAAA"), ("malformed", "not-a-token"),
                 ("another domain", self.other_token)]
        for what, token in cases:
            for method, url, body in (("GET", self.endpoint + "simple/open-pkg/", None), ("GET", self.file_url, None),
                                      ("POST", self.endpoint, b"--x--\r\n")):
                status, headers, text = request(url, method, token,
                                                {"Content-Type": "multipart/form-data; boundary=x"}, body)
                self.assert_401(status, headers, text)
                self.assertIn(what, text.decode().lower(), f"{what} {method} {url}")
        # twine says so too, for an expired token
        env = pip_env(self.arca.aws_env())
        env.update(TWINE_USERNAME="aws", TWINE_PASSWORD=expired, TWINE_REPOSITORY_URL=self.endpoint)
        p = self.arca.run(["twine", "upload", "--non-interactive", "--disable-progress-bar", self.wheel], env,
                          check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("401", p.stdout + p.stderr)

    def test_deny_read(self):
        a = self.arca
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "codeartifact:ReadFromRepository", "Resource": "*"}]}
        a.aws("put-repository-permissions-policy", "--domain", "corp", "--repository", "locked",
              "--policy-document", json.dumps(policy))
        for url in (self.locked + "simple/", self.locked + "simple/open-pkg/", self.locked + "files/a/1/a-1.tar.gz"):
            status, _, body = request(url, token=self.locked_token)
            self.assertEqual(status, 403, url)
            self.assertIn(b"ReadFromRepository", body)
        # publishing is a different action: still allowed there
        status, text = upload(self.locked, self.locked_token, self.wheel)
        self.assertEqual(status, 200, text)

    def test_deny_publish_one_package(self):
        a = self.arca
        arn = f"arn:aws:codeartifact:us-east-1:{a.account}:package/corp/py/pypi//secret-pkg"
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "codeartifact:PublishPackageVersion", "Resource": arn}]}
        a.aws("put-repository-permissions-policy", "--domain", "corp", "--repository", "py",
              "--policy-document", json.dumps(policy))
        try:
            blobs = blob_count(a)
            secret = make_wheel(os.path.join(self.work, "s"), "Secret_Pkg", "1.0")
            status, text = upload(self.endpoint, self.token, secret)
            self.assertEqual(status, 403, text)
            self.assertIn("secret-pkg", text)  # the normalized name is the one in the ARN
            self.assertEqual(db_rows(a, "SELECT COUNT(*) FROM packages WHERE name = 'secret-pkg'")[0][0], 0)
            self.assertEqual(blob_count(a), blobs)
            status, text = upload(self.endpoint, self.token, make_wheel(os.path.join(self.work, "s"), "public", "1.0"))
            self.assertEqual(status, 200, text)
        finally:
            a.aws("delete-repository-permissions-policy", "--domain", "corp", "--repository", "py")

    def test_read_only_user(self):
        a = self.arca
        creds = a.new_user("reader", ALLOW_READ)
        token = a.aws("get-authorization-token", "--domain", "corp", creds=creds)["authorizationToken"]
        status, _, _ = request(self.endpoint + "simple/open-pkg/", token=token)
        self.assertEqual(status, 200)
        status, _, _ = request(self.file_url, token=token)
        self.assertEqual(status, 200)
        status, text = upload(self.endpoint, token, make_wheel(os.path.join(self.work, "r"), "readers-pkg", "1.0"))
        self.assertEqual(status, 403, text)
        self.assertIn("PublishPackageVersion", text)


if __name__ == "__main__":
    main()
