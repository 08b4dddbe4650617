"""The `arca` CLI as an aws-CLI-compatible client for the control plane."""
import json
import os

from harness import ARCA_BIN, ArcaTestCase, main


class ArcaCli(ArcaTestCase):
    def test_operations_output_and_errors(self):
        a = self.arca
        out = json.loads(a.arca("create-domain", "--domain", "clidom").stdout)
        self.assertEqual(out["domain"]["name"], "clidom")
        self.assertEqual(out["domain"]["owner"], a.account)
        repo = json.loads(a.arca("create-repository", "--domain", "clidom", "--repository", "base").stdout)
        self.assertEqual(repo["repository"]["upstreams"], [])
        repo = json.loads(a.arca("create-repository", "--domain", "clidom", "--repository", "app", "--description",
                                 "app repo", "--upstreams", "repositoryName=base").stdout)
        self.assertEqual(repo["repository"]["upstreams"], [{"repositoryName": "base"}])
        # JSON form of a list flag, like the aws CLI.
        repo = json.loads(a.arca("update-repository", "--domain", "clidom", "--repository", "app", "--upstreams",
                                 '[]').stdout)
        self.assertEqual(repo["repository"]["upstreams"], [])

        names = [d["name"] for d in json.loads(a.arca("list-domains").stdout)["domains"]]
        self.assertIn("clidom", names)
        tok = json.loads(a.arca("get-authorization-token", "--domain", "clidom", "--duration-seconds", "900").stdout)
        self.assertRegex(tok["authorizationToken"], r"^[A-Za-z0-9._-]+$")
        ep = json.loads(a.arca("get-repository-endpoint", "--domain", "clidom", "--repository", "app", "--format",
                               "npm").stdout)["repositoryEndpoint"]
        self.assertEqual(ep, f"{a.endpoint}/clidom-{a.account}/npm/app/")

        p = a.arca("describe-domain", "--domain", "nosuch", check=False)
        self.assertEqual(p.returncode, 255)
        self.assertIn("An error occurred (ResourceNotFoundException) when calling the DescribeDomain operation",
                      p.stderr)
        p = a.arca("describe-domain", check=False)
        self.assertEqual(p.returncode, 252)
        self.assertIn("--domain", p.stderr)

    def test_credentials_from_shared_file(self):
        """The admin-credentials file works as AWS_SHARED_CREDENTIALS_FILE, region included."""
        a = self.arca
        env = {k: v for k, v in a.aws_env().items()
               if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")}
        env["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(a.data, "admin-credentials")
        p = a.run([ARCA_BIN, "list-domains"], env)
        self.assertIn("domains", json.loads(p.stdout))
        # The same file drives the real aws CLI (region given separately, as the aws CLI reads it from config).
        env["AWS_DEFAULT_REGION"] = "us-east-1"
        p = a.run(["aws", "codeartifact", "list-domains"], env)
        self.assertIn("domains", json.loads(p.stdout))


if __name__ == "__main__":
    main()
