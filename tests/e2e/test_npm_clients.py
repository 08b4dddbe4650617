"""tests/e2e/test_npm_clients.py - npm, pnpm, yarn 1 and yarn berry, each set up with `arca login`, install
the same dependency tree (ranges, tildes, scopes, prereleases left out) from Arca, and the lockfiles of
npm, pnpm and yarn 1 carry the integrity Arca serves."""
import json
import os
import re

import yaml

import harness
from harness import ArcaTestCase
from npm_helpers import NodeClient, NpmRepo, integrity

TREE = [
    ("leaf-a", "1.0.0", None), ("leaf-a", "1.1.0", None), ("leaf-a", "1.2.0", None), ("leaf-a", "2.0.0", None),
    ("leaf-b", "1.0.0", None), ("leaf-b", "1.5.0-beta.1", None),
    ("@tree/mid", "2.1.0", {"leaf-a": "^1.0.0"}), ("@tree/mid", "2.1.3", {"leaf-a": "^1.1.0", "leaf-b": "1.x"}),
    ("@tree/mid", "2.2.0", {"leaf-a": "^2.0.0"}),
    ("@tree/root", "1.0.0", {"leaf-a": "^1.0.0", "@tree/mid": "~2.1.0"}),
]
EXPECTED = {"@tree/root": "1.0.0", "@tree/mid": "2.1.3", "leaf-a": "1.2.0", "leaf-b": "1.0.0"}


def walk_node_modules(root):
    """name -> version of every package.json under node_modules (hoisted or nested)."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(os.path.join(root, "node_modules")):
        dirnames[:] = [d for d in dirnames if d not in (".bin", ".cache", ".pnpm")]
        if "package.json" in filenames and os.path.basename(os.path.dirname(dirpath)) in ("node_modules", "@tree"):
            with open(os.path.join(dirpath, "package.json")) as f:
                m = json.load(f)
            found[m["name"]] = m["version"]
    return found


class NpmClients(ArcaTestCase):
    def test_same_tree_everywhere(self):
        a = self.arca
        repo = NpmRepo(a)
        tarballs = {}
        for name, version, deps in TREE:
            status, tgz, body = repo.publish(name, version, deps=deps)
            self.assertEqual(status, 200, body)
            tarballs[(name, version)] = tgz
        wanted = {integrity(tarballs[(n, v)]) for n, v in EXPECTED.items()}
        login = ["--domain", repo.domain, "--repository", repo.repo]

        npm = NodeClient(a.dir, "npm")
        npm.arca_login(a, "--tool", "npm", *login)
        app = npm.project("app", deps={"@tree/root": "^1.0.0"})
        npm.npm("install", "--no-audit", cwd=app)
        self.assertEqual(walk_node_modules(app), EXPECTED)
        with open(os.path.join(app, "package-lock.json")) as f:
            lock = json.load(f)
        self.assertEqual({e["integrity"] for k, e in lock["packages"].items() if k}, wanted)

        pnpm = NodeClient(a.dir, "pnpm")
        pnpm.arca_login(a, "--tool", "pnpm", *login)
        app = pnpm.project("app", deps={"@tree/root": "^1.0.0"})
        pnpm.pnpm("install", "--store-dir", os.path.join(pnpm.root, "store"), cwd=app)
        store = os.listdir(os.path.join(app, "node_modules", ".pnpm"))
        got = {}
        for entry in store:
            m = re.fullmatch(r"(@[^+]+\+)?([^@]+)@(.+)", entry)
            if m:
                got[(m.group(1) or "").replace("+", "/") + m.group(2)] = m.group(3)
        self.assertEqual(got, EXPECTED)
        with open(os.path.join(app, "pnpm-lock.yaml")) as f:
            plock = yaml.safe_load(f)
        self.assertEqual({p["resolution"]["integrity"] for p in plock["packages"].values()}, wanted)

        y1 = NodeClient(a.dir, "yarn1")
        y1.arca_login(a, "--tool", "yarn", "--classic", *login)
        app = y1.project("app", deps={"@tree/root": "^1.0.0"})
        y1.yarn1("install", "--non-interactive", "--cache-folder", os.path.join(y1.root, "cache"), cwd=app)
        self.assertEqual(walk_node_modules(app), EXPECTED)
        with open(os.path.join(app, "yarn.lock")) as f:
            ylock = f.read()
        self.assertEqual(set(re.findall(r'integrity (sha512-\S+)', ylock)), wanted)
        self.assertIn(repo.endpoint + "@tree/mid/-/mid-2.1.3.tgz", ylock)

        berry = NodeClient(a.dir, "berry")
        app = berry.project("app", deps={"@tree/root": "^1.0.0"})
        berry.arca_login(a, "--tool", "yarn", "--project", app, *login)
        berry.berry("install", cwd=app)
        with open(os.path.join(app, "yarn.lock")) as f:
            resolutions = re.findall(r'resolution: "(@?[^@"]+)@npm:([^"]+)"', f.read())
        self.assertEqual(dict(resolutions), EXPECTED)
        self.assertTrue(os.path.exists(os.path.join(app, ".pnp.cjs")))
        p = berry.run(["node", "-r", "./.pnp.cjs", "-e", "console.log(require('@tree/root'))"], cwd=app)
        self.assertEqual(p.stdout.strip(), "@tree/root@1.0.0")


if __name__ == "__main__":
    harness.main()
