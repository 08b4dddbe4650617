"""Domain operations, domain policies and authorization tokens through the real aws CLI."""
import json
import time

from harness import ArcaTestCase, main


class Domains(ArcaTestCase):
    def test_create_describe_list_delete(self):
        a = self.arca
        out = a.aws("create-domain", "--domain", "acme", "--tags", "key=team,value=platform")["domain"]
        self.assertEqual(out["name"], "acme")
        self.assertEqual(out["owner"], a.account)
        self.assertEqual(out["arn"], f"arn:aws:codeartifact:us-east-1:{a.account}:domain/acme")
        self.assertEqual(out["status"], "Active")
        self.assertEqual(out["repositoryCount"], 0)
        self.assertTrue(out["encryptionKey"].startswith(f"arn:aws:kms:us-east-1:{a.account}:key/"))
        self.assertIsInstance(out["createdTime"], (int, float))
        self.assertLess(abs(out["createdTime"] - time.time()), 120)

        code, msg = a.aws_error("create-domain", "--domain", "acme")
        self.assertEqual(code, "ConflictException")
        self.assertIn("acme", msg)

        got = a.aws("describe-domain", "--domain", "acme", "--domain-owner", a.account)["domain"]
        self.assertEqual(got["arn"], out["arn"])
        tags = a.aws("list-tags-for-resource", "--resource-arn", out["arn"])["tags"]
        self.assertEqual(tags, [{"key": "team", "value": "platform"}])

        for name in ("acme-b", "acme-c", "acme-d"):
            a.aws("create-domain", "--domain", name)
        # --page-size makes the CLI page with maxResults=1 and follow nextToken to the end.
        names = [d["name"] for d in a.aws("list-domains", "--page-size", "1")["domains"]]
        self.assertEqual(names[:4], ["acme", "acme-b", "acme-c", "acme-d"])
        first = a.aws("list-domains", "--max-items", "2")
        self.assertEqual(len(first["domains"]), 2)

        a.aws("create-repository", "--domain", "acme-b", "--repository", "r1")
        code, msg = a.aws_error("delete-domain", "--domain", "acme-b")
        self.assertEqual(code, "ConflictException")
        a.aws("delete-repository", "--domain", "acme-b", "--repository", "r1")
        deleted = a.aws("delete-domain", "--domain", "acme-b")["domain"]
        self.assertEqual(deleted["status"], "Deleted")
        code, _ = a.aws_error("describe-domain", "--domain", "acme-b")
        self.assertEqual(code, "ResourceNotFoundException")

    def test_validation(self):
        a = self.arca
        for bad in ("Upper", "-lead", "trail-", "a" * 51, "has_underscore"):
            code, _ = a.aws_error("create-domain", f"--domain={bad}")
            self.assertEqual(code, "ValidationException", bad)
        code, _ = a.aws_error("describe-domain", "--domain", "nosuchdomain")
        self.assertEqual(code, "ResourceNotFoundException")
        code, _ = a.aws_error("describe-domain", "--domain", "acme", "--domain-owner", "12345678901x")
        self.assertEqual(code, "ValidationException")

    def test_domain_policy(self):
        a = self.arca
        a.aws("create-domain", "--domain", "pol")
        code, _ = a.aws_error("get-domain-permissions-policy", "--domain", "pol")
        self.assertEqual(code, "ResourceNotFoundException")
        doc = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{a.account}:root"},
            "Action": "codeartifact:*", "Resource": "*"}]})
        put = a.aws("put-domain-permissions-policy", "--domain", "pol", "--policy-document", doc)["policy"]
        self.assertEqual(put["resourceArn"], f"arn:aws:codeartifact:us-east-1:{a.account}:domain/pol")
        self.assertEqual(json.loads(put["document"]), json.loads(doc))
        got = a.aws("get-domain-permissions-policy", "--domain", "pol")["policy"]
        self.assertEqual(got["revision"], put["revision"])

        # A stale revision is a conflict and changes nothing.
        code, _ = a.aws_error("put-domain-permissions-policy", "--domain", "pol", "--policy-document", doc,
                              "--policy-revision", "stale")
        self.assertEqual(code, "ConflictException")
        self.assertEqual(a.aws("get-domain-permissions-policy", "--domain", "pol")["policy"]["revision"],
                         put["revision"])
        # A malformed document says what is wrong.
        code, msg = a.aws_error("put-domain-permissions-policy", "--domain", "pol", "--policy-document",
                                '{"Statement": [{"Effect": "Maybe", "Action": "*", "Principal": "*"}]}')
        self.assertEqual(code, "ValidationException")
        self.assertIn("Effect", msg)

        deleted = a.aws("delete-domain-permissions-policy", "--domain", "pol", "--policy-revision",
                        put["revision"])["policy"]
        self.assertEqual(deleted["revision"], put["revision"])
        code, _ = a.aws_error("get-domain-permissions-policy", "--domain", "pol")
        self.assertEqual(code, "ResourceNotFoundException")

    def test_authorization_token(self):
        a = self.arca
        a.aws("create-domain", "--domain", "tok")
        out = a.aws("get-authorization-token", "--domain", "tok")
        self.assertRegex(out["authorizationToken"], r"^[A-Za-z0-9._-]+$")
        self.assertAlmostEqual(out["expiration"], time.time() + 43200, delta=120)
        out = a.aws("get-authorization-token", "--domain", "tok", "--duration-seconds", "900")
        self.assertAlmostEqual(out["expiration"], time.time() + 900, delta=120)
        for bad in ("1", "899", "43201"):
            code, msg = a.aws_error("get-authorization-token", "--domain", "tok", "--duration-seconds", bad)
            self.assertEqual(code, "ValidationException", bad)
            self.assertIn("durationSeconds", msg)
        code, _ = a.aws_error("get-authorization-token", "--domain", "missing")
        self.assertEqual(code, "ResourceNotFoundException")


if __name__ == "__main__":
    main()
