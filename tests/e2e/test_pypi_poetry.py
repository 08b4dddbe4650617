"""poetry against an Arca PyPI repository, configured by `arca login --tool poetry`: `poetry publish --build`
uploads a project's wheel and sdist, a rebuilt duplicate is skipped with --skip-existing (409), and a
second project adds it from the repository as its source, locking the index's hashes and installing it."""
import os
import re
import tempfile

from harness import ArcaTestCase, main
from pypi_helpers import db_rows, pip_env, repo_setup

DOMAIN, REPO = "corp", "py-poetry"
NAME = "py-poetry"  # the poetry repository name arca login derives from the repository


class Poetry(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token, cls.endpoint = repo_setup(cls.arca, DOMAIN, REPO)
        cls.work = tempfile.mkdtemp(dir=cls.arca.dir)

    def env(self):
        home = self.arca.home
        env = pip_env(self.arca.aws_env())
        env.update(XDG_CACHE_HOME=os.path.join(home, ".cache"), XDG_DATA_HOME=os.path.join(home, ".local", "share"),
                   POETRY_VIRTUALENVS_IN_PROJECT="true", PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
                   NO_COLOR="1")
        return env

    def poetry(self, cwd, *args, check=True):
        p = self.arca.run(["sh", "-c", 'cd "$0" && exec poetry --no-ansi --no-interaction "$@"', cwd, *args],
                          self.env(), check=False)
        if check and p.returncode != 0:
            self.fail(f"poetry {' '.join(args)} exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
        return p

    def new_project(self, name, version):
        self.poetry(self.work, "new", "--src", name)
        proj = os.path.join(self.work, name)
        # poetry-core leaves out files the enclosing git repository ignores, and the test's directory
        # may sit inside an ignored build tree: give the project a repository of its own
        self.arca.run(["git", "init", "-q", proj], self.env())
        path = os.path.join(proj, "pyproject.toml")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', text, count=1))
        return proj

    def test_1_login(self):
        p = self.arca.arca("login", "--tool", "poetry", "--domain", DOMAIN, "--repository", REPO, check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(f"poetry publish --repository {NAME}", p.stdout)
        auth = os.path.join(self.arca.home, ".config", "pypoetry", "auth.toml")
        self.assertEqual(os.stat(auth).st_mode & 0o777, 0o600)
        p = self.poetry(self.work, "config", f"repositories.{NAME}.url")
        self.assertEqual(p.stdout.strip(), self.endpoint)

    def test_2_publish(self):
        proj = self.new_project("poet-lib", "0.2.0")
        self.poetry(proj, "publish", "--build", "--repository", NAME)
        files = sorted(r[0] for r in db_rows(self.arca, "SELECT x.name FROM assets x JOIN package_versions v"
                                            " ON x.version_id = v.id JOIN packages p ON v.package_id = p.id"
                                            " WHERE p.name = 'poet-lib' AND v.version = '0.2.0'"))
        self.assertEqual(files, ["poet_lib-0.2.0-py3-none-any.whl", "poet_lib-0.2.0.tar.gz"])
        # the same files again (no rebuild): identical bytes, a success
        self.poetry(proj, "publish", "--repository", NAME)
        # changed bytes under the same names: 409, which poetry reports, and --skip-existing skips
        with open(os.path.join(proj, "src", "poet_lib", "__init__.py"), "a") as f:
            f.write("CHANGED = True\n")
        self.poetry(proj, "build")
        p = self.poetry(proj, "publish", "--repository", NAME, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("409", p.stdout + p.stderr)
        before = db_rows(self.arca, "SELECT name, sha256 FROM assets ORDER BY name")
        self.poetry(proj, "publish", "--repository", NAME, "--skip-existing")  # exits 0
        self.assertEqual(db_rows(self.arca, "SELECT name, sha256 FROM assets ORDER BY name"), before)

    def test_3_install_from_source(self):
        app = self.new_project("poet-app", "1.0.0")
        self.poetry(app, "source", "add", "--default", NAME, self.endpoint + "simple/")
        self.poetry(app, "add", "poet-lib==0.2.0")
        with open(os.path.join(app, "poetry.lock")) as f:
            lock = f.read()
        # the lock file holds the hashes the index published, which are the uploaded files'
        stored = db_rows(self.arca, "SELECT x.sha256 FROM assets x JOIN package_versions v ON x.version_id = v.id"
                         " JOIN packages p ON v.package_id = p.id WHERE p.name = 'poet-lib'")
        for (sha,) in stored:
            self.assertIn(f"sha256:{sha}", lock)
        p = self.poetry(app, "run", "python", "-c", "import poet_lib; print(poet_lib.__file__)")
        self.assertIn(os.path.join(app, ".venv"), p.stdout)


if __name__ == "__main__":
    main()
