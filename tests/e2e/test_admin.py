"""`arca admin`: accounts, users, access keys and identity policies, checked through the API."""
import json
import subprocess

from harness import ARCA_BIN, ArcaTestCase, main


class Admin(ArcaTestCase):
    def admin(self, *args):
        return subprocess.run([ARCA_BIN, "admin", "--data", self.arca.data, *args], capture_output=True, text=True,
                              timeout=60)

    def test_users_keys_and_policies(self):
        a = self.arca
        creds = a.new_user("dev", {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["codeartifact:List*", "codeartifact:Describe*"], "Resource": "*"}]})
        self.assertIn("domains", a.aws("list-domains", creds=creds))
        code, _ = a.aws_error("create-domain", "--domain", "devdom", creds=creds)
        self.assertEqual(code, "AccessDeniedException")

        p = self.admin("create-user", "--account-id", a.account, "--user-name", "dev")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("already exists", p.stderr)
        p = self.admin("create-user", "--account-id", "999999999999", "--user-name", "ghost")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("does not exist", p.stderr)
        p = self.admin("put-user-policy", "--account-id", a.account, "--user-name", "dev", "--policy-name", "bad",
                       "--policy-document", '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*"}]}')
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Principal", p.stderr)

        users = {u["UserName"]: u for u in json.loads(self.admin("list-users").stdout)["Users"]}
        self.assertEqual(users["dev"]["AccessKeys"], 1)
        self.assertEqual(users["dev"]["Policies"], 1)
        self.assertEqual(users["dev"]["Arn"], f"arn:aws:iam::{a.account}:user/dev")

        # A deleted key stops working at once.
        self.assertEqual(self.admin("delete-access-key", "--access-key-id", creds[0]).returncode, 0)
        code, _ = a.aws_error("list-domains", creds=creds)
        self.assertEqual(code, "UnrecognizedClientException")
        p = self.admin("delete-access-key", "--access-key-id", creds[0])
        self.assertNotEqual(p.returncode, 0)
        p = self.admin("no-such-command")
        self.assertEqual(p.returncode, 2)


if __name__ == "__main__":
    main()
