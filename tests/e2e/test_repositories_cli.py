"""Repository operations, upstreams, external connections, policies, endpoints and tags via the aws CLI."""
import json

from harness import ArcaTestCase, main


class Repositories(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.arca.aws("create-domain", "--domain", "corp")

    def repo(self, *args):
        return self.arca.aws(*args)["repository"]

    def test_create_with_upstreams_and_update(self):
        a = self.arca
        self.repo("create-repository", "--domain", "corp", "--repository", "store-a")
        self.repo("create-repository", "--domain", "corp", "--repository", "store-b", "--description", "B")
        r = self.repo("create-repository", "--domain", "corp", "--repository", "team", "--description", "team repo",
                      "--upstreams", "repositoryName=store-a", "repositoryName=store-b")
        self.assertEqual(r["upstreams"], [{"repositoryName": "store-a"}, {"repositoryName": "store-b"}])
        self.assertEqual(r["description"], "team repo")
        self.assertEqual(r["domainOwner"], a.account)
        self.assertEqual(r["administratorAccount"], a.account)
        self.assertEqual(r["arn"], f"arn:aws:codeartifact:us-east-1:{a.account}:repository/corp/team")
        self.assertEqual(r["externalConnections"], [])

        d = self.repo("describe-repository", "--domain", "corp", "--repository", "team")
        self.assertEqual(d["upstreams"], r["upstreams"])

        # Upstreams are replaced as a whole and kept in the given order; the description stays.
        u = self.repo("update-repository", "--domain", "corp", "--repository", "team", "--upstreams",
                      "repositoryName=store-b")
        self.assertEqual(u["upstreams"], [{"repositoryName": "store-b"}])
        self.assertEqual(u["description"], "team repo")

        # A cycle team -> store-b -> team is refused and changes nothing.
        code, msg = a.aws_error("update-repository", "--domain", "corp", "--repository", "store-b", "--upstreams",
                                "repositoryName=team")
        self.assertEqual(code, "ValidationException")
        self.assertIn("cycle", msg)
        self.assertEqual(self.repo("describe-repository", "--domain", "corp", "--repository", "store-b")["upstreams"],
                         [])
        code, _ = a.aws_error("update-repository", "--domain", "corp", "--repository", "team", "--upstreams",
                              "repositoryName=team")
        self.assertEqual(code, "ValidationException")
        code, _ = a.aws_error("create-repository", "--domain", "corp", "--repository", "x1", "--upstreams",
                              "repositoryName=missing")
        self.assertEqual(code, "ResourceNotFoundException")

        many = [f"up{i}" for i in range(11)]
        for name in many:
            a.aws("create-repository", "--domain", "corp", "--repository", name)
        code, _ = a.aws_error("create-repository", "--domain", "corp", "--repository", "toomany", "--upstreams",
                              *[f"repositoryName={n}" for n in many])
        self.assertEqual(code, "ServiceQuotaExceededException")
        code, _ = a.aws_error("describe-repository", "--domain", "corp", "--repository", "toomany")
        self.assertEqual(code, "ResourceNotFoundException")

        code, _ = a.aws_error("create-repository", "--domain", "corp", "--repository", "team")
        self.assertEqual(code, "ConflictException")
        code, _ = a.aws_error("create-repository", "--domain", "corp", "--repository=-bad")
        self.assertEqual(code, "ValidationException")
        code, _ = a.aws_error("create-repository", "--domain", "nodomain", "--repository", "rr")
        self.assertEqual(code, "ResourceNotFoundException")

        # Deleting an upstream leaves the downstream's reference in place (as CodeArtifact does).
        a.aws("delete-repository", "--domain", "corp", "--repository", "store-b")
        self.assertEqual(self.repo("describe-repository", "--domain", "corp", "--repository", "team")["upstreams"],
                         [{"repositoryName": "store-b"}])
        code, _ = a.aws_error("delete-repository", "--domain", "corp", "--repository", "store-b")
        self.assertEqual(code, "ResourceNotFoundException")

    def test_listing(self):
        a = self.arca
        a.aws("create-domain", "--domain", "lst")
        for name in ("alpha", "alpine", "beta"):
            a.aws("create-repository", "--domain", "lst", "--repository", name)
        names = [r["name"] for r in a.aws("list-repositories-in-domain", "--domain", "lst", "--page-size", "1")
                 ["repositories"]]
        self.assertEqual(names, ["alpha", "alpine", "beta"])
        names = [r["name"] for r in a.aws("list-repositories-in-domain", "--domain", "lst", "--repository-prefix",
                                          "alp")["repositories"]]
        self.assertEqual(names, ["alpha", "alpine"])
        none = a.aws("list-repositories-in-domain", "--domain", "lst", "--administrator-account", "123456789012")
        self.assertEqual(none["repositories"], [])
        everything = a.aws("list-repositories", "--page-size", "2")["repositories"]
        self.assertTrue({"alpha", "alpine", "beta"} <= {r["name"] for r in everything})
        self.assertEqual(set(everything[0]),
                         {"name", "administratorAccount", "domainName", "domainOwner", "arn", "description",
                          "createdTime"})

    def test_external_connections(self):
        a = self.arca
        a.aws("create-repository", "--domain", "corp", "--repository", "npm-store")
        r = self.repo("associate-external-connection", "--domain", "corp", "--repository", "npm-store",
                      "--external-connection", "public:npmjs")
        self.assertEqual(r["externalConnections"],
                         [{"externalConnectionName": "public:npmjs", "packageFormat": "npm", "status": "Available"}])
        code, _ = a.aws_error("associate-external-connection", "--domain", "corp", "--repository", "npm-store",
                              "--external-connection", "public:pypi")
        self.assertEqual(code, "ServiceQuotaExceededException")
        code, _ = a.aws_error("associate-external-connection", "--domain", "corp", "--repository", "npm-store",
                              "--external-connection", "public:nosuch")
        self.assertEqual(code, "ValidationException")
        # An external connection and upstreams never share a repository.
        code, _ = a.aws_error("update-repository", "--domain", "corp", "--repository", "npm-store", "--upstreams",
                              "repositoryName=up0")
        self.assertEqual(code, "ValidationException")
        a.aws("create-repository", "--domain", "corp", "--repository", "with-up", "--upstreams",
              "repositoryName=npm-store")
        code, _ = a.aws_error("associate-external-connection", "--domain", "corp", "--repository", "with-up",
                              "--external-connection", "public:pypi")
        self.assertEqual(code, "ValidationException")
        r = self.repo("disassociate-external-connection", "--domain", "corp", "--repository", "npm-store",
                      "--external-connection", "public:npmjs")
        self.assertEqual(r["externalConnections"], [])
        code, _ = a.aws_error("disassociate-external-connection", "--domain", "corp", "--repository", "npm-store",
                              "--external-connection", "public:npmjs")
        self.assertEqual(code, "ResourceNotFoundException")

    def test_policy_endpoint_and_tags(self):
        a = self.arca
        r = self.repo("create-repository", "--domain", "corp", "--repository", "pol-repo", "--tags",
                      "key=env,value=prod", "key=team,value=x")
        doc = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": "codeartifact:ReadFromRepository", "Resource": "*"}]})
        put = a.aws("put-repository-permissions-policy", "--domain", "corp", "--repository", "pol-repo",
                    "--policy-document", doc)["policy"]
        self.assertEqual(put["resourceArn"], r["arn"])
        self.assertEqual(a.aws("get-repository-permissions-policy", "--domain", "corp", "--repository",
                               "pol-repo")["policy"]["document"], doc)
        code, _ = a.aws_error("delete-repository-permissions-policy", "--domain", "corp", "--repository", "pol-repo",
                              "--policy-revision", "nope")
        self.assertEqual(code, "ConflictException")
        a.aws("delete-repository-permissions-policy", "--domain", "corp", "--repository", "pol-repo")
        code, _ = a.aws_error("get-repository-permissions-policy", "--domain", "corp", "--repository", "pol-repo")
        self.assertEqual(code, "ResourceNotFoundException")

        for fmt in ("npm", "pypi", "maven", "nuget", "generic", "ruby", "swift", "cargo"):
            url = a.aws("get-repository-endpoint", "--domain", "corp", "--repository", "pol-repo", "--format",
                        fmt)["repositoryEndpoint"]
            self.assertEqual(url, f"{a.endpoint}/corp-{a.account}/{fmt}/pol-repo/")
        code, _ = a.aws_error("get-repository-endpoint", "--domain", "corp", "--repository", "pol-repo", "--format",
                              "rpm")
        self.assertEqual(code, "ValidationException")

        self.assertEqual(a.aws("list-tags-for-resource", "--resource-arn", r["arn"])["tags"],
                         [{"key": "env", "value": "prod"}, {"key": "team", "value": "x"}])
        a.aws("tag-resource", "--resource-arn", r["arn"], "--tags", "key=env,value=dev", "key=new,value=1")
        a.aws("untag-resource", "--resource-arn", r["arn"], "--tag-keys", "team")
        self.assertEqual(a.aws("list-tags-for-resource", "--resource-arn", r["arn"])["tags"],
                         [{"key": "env", "value": "dev"}, {"key": "new", "value": "1"}])
        missing = r["arn"].replace("pol-repo", "gone-repo")
        code, _ = a.aws_error("list-tags-for-resource", "--resource-arn", missing)
        self.assertEqual(code, "ResourceNotFoundException")
        code, _ = a.aws_error("tag-resource", "--resource-arn", "arn:aws:s3:::bucket", "--tags", "key=a,value=b")
        self.assertEqual(code, "ValidationException")


if __name__ == "__main__":
    main()
