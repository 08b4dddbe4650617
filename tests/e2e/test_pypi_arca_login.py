"""`arca login --tool pip|twine|uv` and `arca uv-config` against a real server, then the clients using what
they wrote: twine uploads through ~/.pypirc, pip installs through pip.conf (and with --extra-index next
to another index it keeps), uv's requests (curl with uv's Accept header and the credentials of the
uv.toml index URL) reach the repository; --dry-run writes nothing; uv-config merges several sources."""
import json
import os
import subprocess
import tempfile
import tomllib
from urllib.parse import urljoin

from harness import ARCA_BIN, ArcaTestCase, main
from pypi_helpers import UV_ACCEPT, make_venv, make_wheel, pip_env, repo_setup, upload, with_auth

DOMAIN = "corp"


class ArcaLogin(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        a = cls.arca
        cls.token, cls.endpoint = repo_setup(a, DOMAIN, "py")
        # a second repository standing in for a public index, with a package only it has
        cls.pub_token, cls.public = repo_setup(a, DOMAIN, "public")
        cls.work = tempfile.mkdtemp(dir=a.dir)
        assert upload(cls.public, cls.pub_token, make_wheel(cls.work, "only-public", "1.0"))[0] == 200
        assert upload(cls.endpoint, cls.token, make_wheel(cls.work, "only-private", "2.0"))[0] == 200

    def env(self):
        return pip_env(self.arca.aws_env())

    def login(self, tool, *flags):
        p = self.arca.arca("login", "--tool", tool, "--domain", DOMAIN, "--repository", "py", *flags, check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def path(self, rel):
        return os.path.join(self.arca.home, rel)

    def pip_download(self, spec):
        dest = tempfile.mkdtemp(dir=self.work)
        p = self.arca.run(["python3", "-m", "pip", "download", "--no-deps", "--dest", dest, spec], self.env(),
                          check=False)
        return p.returncode, os.listdir(dest), p.stdout + p.stderr

    def test_dry_run_writes_nothing(self):
        for tool in ("pip", "twine", "uv", "poetry"):
            out = self.login(tool, "--dry-run", "--config-dir" if tool == "poetry" else "--config-file",
                             self.path(f"dry-{tool}"))
            self.assertIn("Dryrun mode is enabled", out)
            self.assertIn("arca1.", out)  # like the aws CLI, the token is shown
            self.assertFalse(os.path.exists(self.path(f"dry-{tool}")), tool)

    def test_twine(self):
        self.assertIn("twine upload --repository py", self.login("twine"))
        self.assertEqual(os.stat(self.path(".pypirc")).st_mode & 0o777, 0o600)
        wheel = make_wheel(os.path.join(self.work, "tw"), "twined", "1.0")
        p = self.arca.run(["twine", "upload", "--repository", "py", "--non-interactive", "--disable-progress-bar",
                           wheel], self.env(), check=False)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_pip(self):
        conf = self.path(".config/pip/pip.conf")
        os.makedirs(os.path.dirname(conf), exist_ok=True)
        public_index = with_auth(self.public, self.pub_token) + "simple/"
        with open(conf, "w") as f:
            f.write(f"[global]\nindex-url = {public_index}\ntimeout = 30\n")
        # --extra-index keeps the user's index and adds ours: both packages resolve
        self.login("pip", "--extra-index")
        with open(conf) as f:
            text = f.read()
        self.assertIn(f"index-url = {public_index}\n", text)
        self.assertIn("extra-index-url = http://aws:arca1.", text)
        self.assertIn("timeout = 30", text)
        for spec in ("only-public", "only-private"):
            code, files, out = self.pip_download(spec)
            self.assertEqual(code, 0, out)
        # the plain mode replaces the index, as aws codeartifact login does
        self.login("pip", "--duration-seconds", "900")
        with open(conf) as f:
            text = f.read()
        self.assertNotIn(public_index, text)
        self.assertRegex(text, r"(?m)^index-url = http://aws:arca1\.")
        code, files, out = self.pip_download("only-public")
        self.assertNotEqual(code, 0, out)
        python = make_venv(os.path.join(self.work, "venv"))
        p = self.arca.run([python, "-m", "pip", "install", "only-private==2.0"], self.env(), check=False)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def uv_fetch(self, index_url, project):
        """What uv sends for an index page and its first file: Basic credentials from the URL, uv's Accept."""
        page = index_url + f"{project}/"
        p = subprocess.run(["curl", "-sS", "-w", "\n%{http_code}", "-H", f"Accept: {UV_ACCEPT}", page],
                           capture_output=True, text=True, timeout=60)
        body, _, code = p.stdout.rpartition("\n")
        if code != "200":
            return int(code), None
        url = urljoin(page, json.loads(body)["files"][0]["url"])
        p = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", url], capture_output=True, text=True,
                           timeout=60)
        return int(p.stdout), url

    def test_uv(self):
        self.login("uv")
        path = self.path(".config/uv/uv.toml")
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        with open(path, "rb") as f:
            cfg = tomllib.load(f)
        (index,) = cfg["index"]
        self.assertEqual(index["name"], "py")
        self.assertIs(index["default"], True)
        self.assertTrue(index["url"].startswith("http://aws:arca1."))
        status, url = self.uv_fetch(index["url"], "only-private")
        self.assertEqual(status, 200, url)
        # curl's userinfo credentials are the ones sent to the file URL too (same host, as uv does)
        self.assertTrue(url.startswith("http://aws:"), url)

    def test_uv_config(self):
        secret = os.path.join(self.work, "secret")
        with open(secret, "w") as f:
            f.write("# preauthenticated\n" + with_auth(self.public, self.pub_token) + "simple/\n")
        out = os.path.join(self.work, "uv.toml")
        p = self.arca.arca("uv-config", "--pypi-url", "https://public-index.invalid.test/simple/", "--arca", f"{DOMAIN}/py",
                           "--url-file", secret, "--name", "public-mirror", "--unsafe-first-match", "--output", out,
                           check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(os.stat(out).st_mode & 0o777, 0o600)
        with open(out, "rb") as f:
            cfg = tomllib.load(f)
        self.assertEqual(cfg["index-strategy"], "unsafe-first-match")
        names = [i["name"] for i in cfg["index"]]
        self.assertEqual(names, ["public-index", "127", "public-mirror"])
        self.assertIs(cfg["index"][0]["default"], True)
        self.assertEqual(self.uv_fetch(cfg["index"][1]["url"], "only-private")[0], 200)
        self.assertEqual(self.uv_fetch(cfg["index"][2]["url"], "only-public")[0], 200)
        # the PyPI URL comes from the environment or pip's config, never from a built-in host name
        env = self.arca.aws_env()
        env.pop("UV_DEFAULT_INDEX", None)
        env.pop("PIP_INDEX_URL", None)
        env["PIP_CONFIG_FILE"] = os.devnull
        env["HOME"] = env["XDG_CONFIG_HOME"] = tempfile.mkdtemp(dir=self.work)
        p = self.arca.run([ARCA_BIN, "uv-config", "--url-file", secret], env, check=False)
        if not os.path.exists("/etc/pip.conf") and not os.path.exists("/etc/xdg/pip/pip.conf"):
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("--pypi-url", p.stderr)
        env["UV_DEFAULT_INDEX"] = "https://from-env.test/simple/"
        p = self.arca.run([ARCA_BIN, "uv-config", "--url-file", secret], env)
        self.assertIn('url = "https://from-env.test/simple/"', p.stdout)
        self.assertLess(p.stdout.index("from-env"), p.stdout.index("@127.0.0.1"))


if __name__ == "__main__":
    main()
