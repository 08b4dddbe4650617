"""PyPI with what `aws codeartifact login` writes: twine uploads real sdists and wheels of a dependency
chain (a -> b -> c) through ~/.pypirc, pip installs a into a fresh virtualenv through pip.conf with
--require-hashes, using the PEP 658 metadata; the package model holds what the files said."""
import hashlib
import json
import os
import tempfile

from harness import Arca, ArcaTestCase, main
from pypi_helpers import (access_log, build_project, db_rows, make_venv, pip_env, repo_setup, sha256_file,
                          wheel_metadata)

DOMAIN, REPO = "corp", "py"


class AwsLogin(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        cls.arca = Arca(env={"ARCA_ACCESS_LOG": "true"})
        cls.work = tempfile.mkdtemp(dir=cls.arca.dir)
        cls.token, cls.endpoint = repo_setup(cls.arca, DOMAIN, REPO)
        cls.dists = {}
        # a -> b -> c, each as sdist + wheel, built by setuptools
        cls.dists["c"] = build_project(cls.work, "Chain.C", "1.0.0", requires_python=">=3.7",
                                       urls={"Source": "https://src.example.test/c", "Homepage":
                                             "https://home.example.test/c"}, license_text="Apache-2.0")
        cls.dists["b"] = build_project(cls.work, "chain_b", "2.1", deps=["chain-c>=1.0"])
        cls.dists["a"] = build_project(cls.work, "chain-a", "0.3.0", deps=["Chain_B (>=2.0)", "pytest; extra == 'test'"])

    def env(self):
        return pip_env(self.arca.aws_env())

    def test_1_twine_upload_with_aws_login(self):
        a = self.arca
        out = a.aws("login", "--tool", "twine", "--domain", DOMAIN, "--repository", REPO, check=False)
        self.assertEqual(out.returncode, 0, out.stderr)
        pypirc = os.path.join(a.home, ".pypirc")
        self.assertEqual(os.stat(pypirc).st_mode & 0o777, 0o600)
        with open(pypirc) as f:
            self.assertIn(f"repository = {self.endpoint}", f.read())
        files = self.dists["c"] + self.dists["b"] + self.dists["a"]
        p = a.run(["twine", "upload", "--repository", "codeartifact", "--non-interactive", "--disable-progress-bar",
                   *files], self.env(), check=False)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        names = {r[0] for r in db_rows(a, "SELECT name FROM packages WHERE format = 'pypi'")}
        self.assertEqual(names, {"chain-a", "chain-b", "chain-c"})
        # each version holds its sdist and its wheel
        n = db_rows(a, "SELECT COUNT(*) FROM assets x JOIN package_versions v ON x.version_id = v.id"
                    " JOIN packages p ON v.package_id = p.id WHERE p.name = 'chain-c' AND v.version = '1.0.0'")
        self.assertEqual(n[0][0], 2)

    def test_2_model(self):
        a = self.arca
        (row,) = db_rows(a, "SELECT v.summary, v.home_page, v.source_code_repository, v.licenses, v.readme, v.attrs,"
                         " v.status, p.display_name FROM package_versions v JOIN packages p ON v.package_id = p.id"
                         " WHERE p.name = 'chain-c'")
        summary, home, source, licenses, readme, attrs, status, display = row
        self.assertEqual(summary, "Summary of Chain.C")
        self.assertEqual(source, "https://src.example.test/c")  # Project-URL Source -> sourceCodeRepository
        self.assertEqual(json.loads(licenses), [{"name": "Apache-2.0"}])
        self.assertIn("The Chain.C project.", readme)
        self.assertEqual(json.loads(attrs)["requires_python"], ">=3.7")
        self.assertEqual(json.loads(attrs)["project_urls"]["Homepage"], "https://home.example.test/c")
        self.assertEqual(status, "Published")
        self.assertEqual(display, "Chain.C")
        deps = db_rows(a, "SELECT d.package, d.dependency_type, d.version_requirement FROM dependencies d"
                       " JOIN package_versions v ON d.version_id = v.id JOIN packages p ON v.package_id = p.id"
                       " WHERE p.name = 'chain-a' ORDER BY d.position")
        self.assertEqual(deps[0], ("chain-b", "Requires-Dist", ">=2.0"))
        self.assertEqual(deps[1][0:2], ("pytest", "Requires-Dist"))
        self.assertIn('extra == "test"', deps[1][2].replace("'", '"'))
        # the wheel's METADATA is a blob of its own, its hash in the asset attrs
        (wattrs,) = db_rows(a, "SELECT x.attrs FROM assets x JOIN package_versions v ON x.version_id = v.id"
                            " JOIN packages p ON v.package_id = p.id WHERE p.name = 'chain-a'"
                            " AND x.name LIKE '%.whl'")[0]
        whl = [f for f in self.dists["a"] if f.endswith(".whl")][0]
        self.assertEqual(json.loads(wattrs)["metadata_sha256"], hashlib.sha256(wheel_metadata(whl)).hexdigest())

    def test_3_pip_install_with_aws_login(self):
        a = self.arca
        env = self.env()
        out = a.run(["aws", "codeartifact", "login", "--tool", "pip", "--domain", DOMAIN, "--repository", REPO],
                    env, check=False)
        self.assertEqual(out.returncode, 0, out.stderr)
        with open(os.path.join(a.home, ".config", "pip", "pip.conf")) as f:
            conf = f.read()
        self.assertIn("index-url = http://aws:arca1.", conf)
        self.assertIn(f"{self.endpoint.split('://')[1]}simple/", conf)
        python = make_venv(os.path.join(self.work, "venv"))
        req = os.path.join(self.work, "requirements.txt")
        with open(req, "w") as f:
            for key, pin in (("a", "chain-a==0.3.0"), ("b", "chain-b==2.1"), ("c", "chain-c==1.0.0")):
                hashes = " ".join(f"--hash=sha256:{sha256_file(p)}" for p in self.dists[key])
                f.write(f"{pin} {hashes}\n")
        before = len(access_log(a))
        p = a.run([python, "-m", "pip", "install", "--require-hashes", "-r", req], env, check=False)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        check = a.run([python, "-c", "import chain_a, chain_b, chain_c; print(chain_c.VERSION)"], env)
        self.assertEqual(check.stdout.strip(), "1.0.0")
        log = access_log(a)[before:]
        # pip read the pages and downloaded the wheels (not the sdists), checking them against the hashes
        self.assertTrue(any(path.endswith("/simple/chain-b/") and status == 200 for _, path, status in log), log)
        downloads = [path for m, path, s in log if s == 200 and path.endswith((".whl", ".tar.gz"))]
        self.assertEqual(len(downloads), 3, log)
        self.assertTrue(all(d.endswith(".whl") for d in downloads), downloads)

    def test_4_resolves_the_chain_without_pins(self):
        """pip resolves a -> b -> c by itself from the index (no requirements file)."""
        a = self.arca
        python = make_venv(os.path.join(self.work, "venv2"))
        before = len(access_log(a))
        p = a.run([python, "-m", "pip", "install", "chain-a"], self.env(), check=False)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # while resolving, pip used the PEP 658 metadata of b and c instead of their wheels
        log = access_log(a)[before:]
        for dep in ("chain_b-2.1-py3-none-any.whl", "Chain.C-1.0.0-py3-none-any.whl"):
            self.assertTrue(any(path.endswith(dep + ".metadata") and s == 200 for _, path, s in log), log)
        self.assertIn("from versions: ", a.run([python, "-m", "pip", "install", "chain-a==9"], self.env(),
                                                 check=False).stderr)
        check = a.run([python, "-c", "import chain_a, chain_b, chain_c; print(chain_b.VERSION)"], self.env())
        self.assertEqual(check.stdout.strip(), "2.1")

    def test_5_aws_login_dry_run(self):
        a = self.arca
        p = a.run(["aws", "codeartifact", "login", "--tool", "pip", "--domain", DOMAIN, "--repository", REPO,
                   "--dry-run"], self.env(), check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(f"pip config set global.index-url http://aws:", p.stdout)
        self.assertIn(f"/{DOMAIN}-{a.account}/pypi/{REPO}/simple/", p.stdout)


if __name__ == "__main__":
    main()
