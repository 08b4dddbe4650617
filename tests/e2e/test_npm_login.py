"""tests/e2e/test_npm_login.py - client set-up for npm repositories: `aws codeartifact login --tool npm`
(plain and --namespace) followed by a real install, and `arca login --tool npm|pnpm|yarn` with --namespace,
--project, --dry-run, merging into existing files, yarn berry's .yarnrc.yml, and 0600 token files."""
import json
import os
import stat

import yaml

import harness
from harness import ArcaTestCase
from npm_helpers import NodeClient, NpmRepo


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def read(path):
    with open(path) as f:
        return f.read()


class NpmLogin(ArcaTestCase):
    def aws_login(self, client, *args):
        env = dict(self.arca.aws_env(), HOME=client.home, npm_config_userconfig=client.userconfig,
                   npm_config_cache=client.cache)
        return self.arca.run(["aws", "codeartifact", "login", "--tool", "npm", *args], env)

    def test_login(self):
        a = self.arca
        repo = NpmRepo(a)
        for name in ("plain-dep", "@acme/widget"):
            self.assertEqual(repo.publish(name, "1.0.0")[0], 200)
        where = ["--domain", repo.domain, "--repository", repo.repo]
        nerf = repo.endpoint.split(":", 1)[1]

        # aws codeartifact login --tool npm runs `npm config set` in an isolated HOME; npm then installs.
        aws = NodeClient(a.dir, "aws")
        p = self.aws_login(aws, *where)
        self.assertIn("Successfully configured npm", p.stdout)
        rc = read(aws.userconfig)
        self.assertIn(f"registry={repo.endpoint}\n", rc)
        self.assertIn(f"{nerf}:_authToken=", rc)
        app = aws.project("app", deps={"plain-dep": "^1.0.0", "@acme/widget": "1.0.0"})
        aws.npm("install", "--no-audit", cwd=app)
        self.assertTrue(os.path.exists(os.path.join(app, "node_modules", "@acme", "widget", "package.json")))
        scoped = NodeClient(a.dir, "aws-scoped")
        self.aws_login(scoped, *where, "--namespace", "acme")
        self.assertIn(f"@acme:registry={repo.endpoint}\n", read(scoped.userconfig))
        self.assertNotIn("\nregistry=", "\n" + read(scoped.userconfig))

        # arca login --tool npm merges into an existing ~/.npmrc and leaves it 0600.
        c = NodeClient(a.dir, "arca-npm")
        with open(c.userconfig, "w") as f:
            f.write("fund=false\nregistry=http://old.invalid/\n; a comment\nsave-exact=true\n")
        os.chmod(c.userconfig, 0o644)
        p = c.arca_login(a, "--tool", "npm", *where)
        self.assertIn(f"Successfully configured npm to use Arca repository {repo.endpoint}", p.stdout)
        lines = read(c.userconfig).splitlines()
        self.assertEqual(lines[:4], ["fund=false", f"registry={repo.endpoint}", "; a comment", "save-exact=true"])
        self.assertTrue(lines[4].startswith(f"{nerf}:_authToken=arca1."))
        self.assertEqual(len(lines), 5)
        self.assertEqual(mode(c.userconfig), 0o600)
        self.assertEqual(c.npm("config", "get", "fund").stdout.strip(), "false")
        self.assertEqual(c.npm("whoami").stdout.strip(), "admin")
        # A second login replaces the token line instead of adding one.
        c.arca_login(a, "--tool", "npm", *where)
        self.assertEqual(sum(":_authToken=" in x for x in read(c.userconfig).splitlines()), 1)

        # --dry-run prints and changes nothing, not even creating the file.
        before = read(c.userconfig)
        p = c.arca_login(a, "--tool", "npm", "--namespace", "acme", "--dry-run", *where)
        self.assertIn("Dryrun mode is enabled", p.stdout)
        self.assertIn(f"@acme:registry={repo.endpoint}", p.stdout)
        self.assertEqual(read(c.userconfig), before)
        d = NodeClient(a.dir, "dry")
        d.arca_login(a, "--tool", "pnpm", "--dry-run", *where)
        d.arca_login(a, "--tool", "yarn", "--dry-run", *where)
        self.assertEqual(os.listdir(d.home), [])

        # --namespace routes one scope only: the default registry stays as it was.
        s = NodeClient(a.dir, "scoped")
        s.arca_login(a, "--tool", "npm", "--namespace", "@acme", *where)
        self.assertEqual(s.npm("config", "get", "@acme:registry").stdout.strip(), repo.endpoint)
        self.assertNotEqual(s.npm("config", "get", "registry").stdout.strip(), repo.endpoint)
        app = s.project("app", deps={"@acme/widget": "^1.0.0"})
        s.npm("install", "--no-audit", cwd=app)
        with open(os.path.join(app, "package-lock.json")) as f:
            self.assertEqual(json.load(f)["packages"]["node_modules/@acme/widget"]["resolved"],
                             repo.endpoint + "@acme/widget/-/widget-1.0.0.tgz")
        p = s.arca_login(a, "--tool", "npm", "--namespace", "Not A Scope", *where, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("not an npm scope", p.stderr)

        # --project writes the project's .npmrc (0600) and leaves the user's alone.
        pr = NodeClient(a.dir, "project")
        app = pr.project("app", deps={"plain-dep": "1.0.0"})
        pr.arca_login(a, "--tool", "npm", "--project", app, *where)
        self.assertEqual(mode(os.path.join(app, ".npmrc")), 0o600)
        self.assertFalse(os.path.exists(pr.userconfig))
        pr.npm("install", "--no-audit", cwd=app)
        self.assertTrue(os.path.exists(os.path.join(app, "node_modules", "plain-dep")))

        # yarn berry: ~/.yarnrc.yml keeps its settings and other scopes, gains ours, 0600.
        y = NodeClient(a.dir, "berry")
        yrc = os.path.join(y.home, ".yarnrc.yml")
        with open(yrc, "w") as f:
            f.write("# mine\nenableTelemetry: false\nnpmScopes:\n  other:\n    npmRegistryServer: "
                    "\"https://other.invalid/\"\n")
        y.arca_login(a, "--tool", "yarn", "--namespace", "acme", *where)
        y.arca_login(a, "--tool", "yarn", "--namespace", "acme", *where)  # idempotent
        doc = yaml.safe_load(read(yrc))
        self.assertEqual(mode(yrc), 0o600)
        self.assertTrue(read(yrc).startswith("# mine\n"))
        self.assertFalse(doc["enableTelemetry"])
        self.assertEqual(doc["npmScopes"]["other"], {"npmRegistryServer": "https://other.invalid/"})
        self.assertEqual(doc["npmScopes"]["acme"]["npmRegistryServer"], repo.endpoint)
        self.assertTrue(doc["npmScopes"]["acme"]["npmAlwaysAuth"])
        self.assertTrue(doc["npmScopes"]["acme"]["npmAuthToken"].startswith("arca1."))
        self.assertEqual(doc["unsafeHttpWhitelist"], ["127.0.0.1"])
        self.assertNotIn("npmRegistryServer", doc)
        app = y.project("app", deps={"@acme/widget": "^1.0.0"})
        y.berry("install", cwd=app)
        with open(os.path.join(app, "yarn.lock")) as f:
            self.assertIn('resolution: "@acme/widget@npm:1.0.0"', f.read())
        # Without --namespace: the default registry, in the same file.
        y.arca_login(a, "--tool", "yarn", *where)
        doc = yaml.safe_load(read(yrc))
        self.assertEqual(doc["npmRegistryServer"], repo.endpoint)
        self.assertTrue(doc["npmAlwaysAuth"])
        self.assertIn("acme", doc["npmScopes"])
        self.assertEqual(doc["unsafeHttpWhitelist"], ["127.0.0.1"])
        app = y.project("app2", deps={"plain-dep": "^1.0.0"})
        y.berry("install", cwd=app)


if __name__ == "__main__":
    harness.main()
