"""Authentication and IAM authorisation: bad credentials, identity policies, Deny, cross-account access."""
import datetime
import hashlib
import hmac
import json
import urllib.request

from harness import ArcaTestCase, main

ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def domain_arn(account, domain):
    return f"arn:aws:codeartifact:us-east-1:{account}:domain/{domain}"


class Authz(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        a = cls.arca
        a.aws("create-domain", "--domain", "corp")
        a.aws("create-repository", "--domain", "corp", "--repository", "open")
        a.aws("create-repository", "--domain", "corp", "--repository", "secret")

    def test_bad_credentials(self):
        a = self.arca
        code, _ = a.aws_error("list-domains", creds=("AKIAAAAAAAAAAAAAAAAA", "x" * 40))
        self.assertEqual(code, "UnrecognizedClientException")
        code, _ = a.aws_error("list-domains", creds=(a.admin_creds[0], "y" * 40))
        self.assertEqual(code, "InvalidSignatureException")
        p = a.aws("list-domains", "--no-sign-request", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("MissingAuthenticationTokenException", p.stderr)

    def signed_get(self, path, query, when, send_query=None):
        """Signs a GET exactly as SigV4 does, at a chosen time, and returns (status, error type)."""
        a = self.arca
        akid, secret = a.admin_creds
        amz_date, day = when.strftime("%Y%m%dT%H%M%SZ"), when.strftime("%Y%m%d")
        host = f"127.0.0.1:{a.port}"
        canonical = "\n".join(["GET", path, query, f"host:{host}", f"x-amz-date:{amz_date}", "", "host;x-amz-date",
                               hashlib.sha256(b"").hexdigest()])
        scope = f"{day}/us-east-1/codeartifact/aws4_request"
        sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
        key = ("AWS4" + secret).encode()
        for part in (day, "us-east-1", "codeartifact", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        sig = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
        headers = {"X-Amz-Date": amz_date, "Authorization":
                   f"AWS4-HMAC-SHA256 Credential={akid}/{scope}, SignedHeaders=host;x-amz-date, Signature={sig}"}
        status, h, body = a.http("GET", f"{path}?{send_query or query}", headers=headers)
        return status, h.get("x-amzn-ErrorType"), body

    def test_clock_skew(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        status, _, _ = self.signed_get("/v1/domain", "domain=corp", now)
        self.assertEqual(status, 200)
        status, _, _ = self.signed_get("/v1/domain", "domain=corp", now - datetime.timedelta(minutes=10))
        self.assertEqual(status, 200)
        status, kind, body = self.signed_get("/v1/domain", "domain=corp", now - datetime.timedelta(minutes=20))
        self.assertEqual((status, kind), (403, "InvalidSignatureException"))
        self.assertIn(b"expired", body.lower())
        # The same signature over a different query fails.
        status, kind, _ = self.signed_get("/v1/domain", "domain=corp", now, send_query="domain=open")
        self.assertEqual((status, kind), (403, "InvalidSignatureException"))

    def test_user_without_permissions(self):
        a = self.arca
        creds = a.new_user("nobody")
        code, msg = a.aws_error("describe-domain", "--domain", "corp", creds=creds)
        self.assertEqual(code, "AccessDeniedException")
        self.assertIn(f"arn:aws:iam::{a.account}:user/nobody", msg)
        self.assertIn("codeartifact:DescribeDomain", msg)
        code, _ = a.aws_error("create-domain", "--domain", "nobodys", creds=creds)
        self.assertEqual(code, "AccessDeniedException")
        code, _ = a.aws_error("describe-domain", "--domain", "nobodys")
        self.assertEqual(code, "ResourceNotFoundException")

    def test_explicit_deny_wins(self):
        a = self.arca
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "codeartifact:*", "Resource": "*"},
            {"Sid": "NoSecret", "Effect": "Deny", "Action": "codeartifact:Describe*",
             "Resource": f"arn:aws:codeartifact:*:*:repository/corp/secret"}]}
        creds = a.new_user("limited", policy)
        self.assertEqual(a.aws("describe-repository", "--domain", "corp", "--repository", "open",
                               creds=creds)["repository"]["name"], "open")
        code, _ = a.aws_error("describe-repository", "--domain", "corp", "--repository", "secret", creds=creds)
        self.assertEqual(code, "AccessDeniedException")
        # A resource policy Allow does not beat the identity Deny.
        doc = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": "codeartifact:*", "Resource": "*"}]})
        a.aws("put-repository-permissions-policy", "--domain", "corp", "--repository", "secret",
              "--policy-document", doc)
        code, _ = a.aws_error("describe-repository", "--domain", "corp", "--repository", "secret", creds=creds)
        self.assertEqual(code, "AccessDeniedException")
        a.aws("delete-repository-permissions-policy", "--domain", "corp", "--repository", "secret")
        # GetAuthorizationToken also needs sts:GetServiceBearerToken.
        code, msg = a.aws_error("get-authorization-token", "--domain", "corp", creds=creds)
        self.assertEqual(code, "AccessDeniedException")
        self.assertIn("sts:GetServiceBearerToken", msg)

    def test_same_account_user_allowed_by_resource_policy(self):
        a = self.arca
        creds = a.new_user("viaresource")
        code, _ = a.aws_error("describe-repository", "--domain", "corp", "--repository", "open", creds=creds)
        self.assertEqual(code, "AccessDeniedException")
        doc = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{a.account}:user/viaresource"},
            "Action": "codeartifact:DescribeRepository", "Resource": "*"}]})
        a.aws("put-repository-permissions-policy", "--domain", "corp", "--repository", "open", "--policy-document", doc)
        self.assertEqual(a.aws("describe-repository", "--domain", "corp", "--repository", "open",
                               creds=creds)["repository"]["name"], "open")
        code, _ = a.aws_error("describe-repository", "--domain", "corp", "--repository", "secret", creds=creds)
        self.assertEqual(code, "AccessDeniedException")
        a.aws("delete-repository-permissions-policy", "--domain", "corp", "--repository", "open")

    def test_cross_account_via_domain_policy(self):
        a = self.arca
        other = a.admin_json("create-account", "--name", "partner")["accountId"]
        self.assertRegex(other, r"^\d{12}$")
        self.assertNotEqual(other, a.account)
        bob = a.new_user("bob", ALL, account=other)
        carol = a.new_user("carol", None, account=other)
        args = ("describe-domain", "--domain", "corp", "--domain-owner", a.account)
        code, _ = a.aws_error(*args, creds=bob)
        self.assertEqual(code, "AccessDeniedException")
        doc = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{other}:root"},
            "Action": ["codeartifact:DescribeDomain", "codeartifact:GetAuthorizationToken"],
            "Resource": domain_arn(a.account, "corp")}]})
        a.aws("put-domain-permissions-policy", "--domain", "corp", "--policy-document", doc)
        self.assertEqual(a.aws(*args, creds=bob)["domain"]["owner"], a.account)
        token = a.aws("get-authorization-token", "--domain", "corp", "--domain-owner", a.account, creds=bob)
        self.assertTrue(token["authorizationToken"])
        # Cross-account needs both sides: carol has no identity policy.
        code, _ = a.aws_error(*args, creds=carol)
        self.assertEqual(code, "AccessDeniedException")
        # Only what the domain policy grants.
        code, _ = a.aws_error("list-repositories-in-domain", "--domain", "corp", "--domain-owner", a.account,
                              creds=bob)
        self.assertEqual(code, "AccessDeniedException")
        # Bob's own domains are in his account.
        self.assertEqual(a.aws("create-domain", "--domain", "corp", creds=bob)["domain"]["owner"], other)
        self.assertEqual(a.aws("describe-domain", "--domain", "corp", creds=bob)["domain"]["owner"], other)
        a.aws("delete-domain-permissions-policy", "--domain", "corp")
        code, _ = a.aws_error(*args, creds=bob)
        self.assertEqual(code, "AccessDeniedException")


if __name__ == "__main__":
    main()
