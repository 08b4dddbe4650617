"""tests/e2e/test_pypi_upstream_chain.py - pip through app -> team -> pypi-store (public:pypi), where a second
`arca serve` plays the public registry: pull-through with retention in app and pypi-store only, one upstream
download for 50 concurrent requests, dependency-confusion protection, revalidation after the metadata TTL,
and stale pages (with X-Arca-Stale) once the public server is gone."""
import concurrent.futures
import hashlib
import json
import os
import tempfile
import urllib.parse

import harness
from harness import Arca, ArcaTestCase, wait_for
from pypi_helpers import access_log, make_venv, make_wheel, pip_env, repo_setup, request, upload, with_auth

DOMAIN = "corp"


class PypiUpstreamChain(ArcaTestCase):
    @classmethod
    def setUpClass(cls):
        cls.pub = Arca(env={"ARCA_ACCESS_LOG": "true"})
        try:
            cls.pub_token, cls.pub_ep = repo_setup(cls.pub, "pub", "pypi")
            # Credentials in the connection URL, a 1 s metadata TTL so revalidation is observable.
            cls.arca = Arca(("--external", "public:pypi=" + with_auth(cls.pub_ep, cls.pub_token)),
                            env={"ARCA_UPSTREAM_METADATA_TTL": "1"})
        except BaseException:
            cls.pub.cleanup()
            raise
        cls.addClassCleanup(cls.pub.cleanup)
        cls.addClassCleanup(cls.arca.cleanup)
        a = cls.arca
        cls.work = tempfile.mkdtemp(dir=a.dir)
        cls.token, _ = repo_setup(a, DOMAIN, "pypi-store")
        _, _ = repo_setup(a, DOMAIN, "team")
        _, cls.app = repo_setup(a, DOMAIN, "app")
        a.aws("associate-external-connection", "--domain", DOMAIN, "--repository", "pypi-store",
              "--external-connection", "public:pypi")
        a.aws("update-repository", "--domain", DOMAIN, "--repository", "team", "--upstreams",
              "repositoryName=pypi-store")
        a.aws("update-repository", "--domain", DOMAIN, "--repository", "app", "--upstreams", "repositoryName=team")

    def publish_upstream(self, name, version, **kw):
        path = make_wheel(os.path.join(self.work, "pub"), name, version, **kw)
        status, text = upload(self.pub_ep, self.pub_token, path)
        self.assertEqual(status, 200, text)
        return path

    def index(self):
        return with_auth(self.app, self.token) + "simple/"

    def page(self, project):
        return request(self.app + f"simple/{project}/", token=self.token,
                       headers={"Accept": "application/vnd.pypi.simple.v1+json"})

    def versions(self, repo, package):
        return self.arca.aws("list-package-versions", "--domain", DOMAIN, "--repository", repo, "--format", "pypi",
                             "--package", package)["versions"]

    def pip_install(self, requirement_lines, extra=()):
        venv = tempfile.mkdtemp(dir=self.work)
        python = make_venv(venv)
        req = os.path.join(venv, "requirements.txt")
        with open(req, "w") as f:
            f.write("\n".join(requirement_lines) + "\n")
        return self.arca.run([python, "-m", "pip", "install", "--index-url", self.index(), "-r", req, *extra],
                             pip_env(self.arca.aws_env()), check=False)

    def test_a_pull_through_and_retention(self):
        wheel = self.publish_upstream("pubonly", "1.0")
        with open(wheel, "rb") as f:
            sha = hashlib.sha256(f.read()).hexdigest()
        p = self.pip_install([f"pubonly==1.0 --hash=sha256:{sha}"], ["--require-hashes"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("Successfully installed pubonly-1.0", p.stdout)
        for repo in ("app", "pypi-store"):
            vs = self.versions(repo, "pubonly")
            self.assertEqual([(v["version"], v["origin"]["originType"]) for v in vs], [("1.0", "EXTERNAL")], repo)
            self.assertEqual(vs[0]["status"], "Published")
        # Not in between: team only passed the request on.
        code, out = self.arca.aws_error("list-package-versions", "--domain", DOMAIN, "--repository", "team",
                                        "--format", "pypi", "--package", "pubonly")
        self.assertIn("ResourceNotFoundException", out)
        origin = self.arca.aws("describe-package", "--domain", DOMAIN, "--repository", "pypi-store", "--format",
                               "pypi", "--package", "pubonly")["package"]["originConfiguration"]["restrictions"]
        self.assertEqual((origin["publish"], origin["upstream"]), ("BLOCK", "ALLOW"))
        desc = self.arca.aws("describe-package-version", "--domain", DOMAIN, "--repository", "app", "--format",
                             "pypi", "--package", "pubonly", "--package-version", "1.0")["packageVersion"]
        self.assertEqual(desc["origin"]["domainEntryPoint"].get("externalConnectionName"), "public:pypi")

    def test_b_concurrent_downloads_one_upstream_request(self):
        wheel = self.publish_upstream("concur", "1.0", payload_bytes=300_000)
        with open(wheel, "rb") as f:
            want = hashlib.sha256(f.read()).hexdigest()
        status, _, body = self.page("concur")
        self.assertEqual(status, 200, body)
        files = json.loads(body)["files"]
        self.assertEqual([f["filename"] for f in files], ["concur-1.0-py3-none-any.whl"])
        self.assertEqual(files[0]["hashes"]["sha256"], want)
        url = urllib.parse.urljoin(self.app + "simple/concur/", files[0]["url"])

        def get(_):
            status, _, data = request(url, token=self.token)
            return status, hashlib.sha256(data).hexdigest()

        with concurrent.futures.ThreadPoolExecutor(50) as pool:
            results = list(pool.map(get, range(50)))
        self.assertEqual(results, [(200, want)] * 50)
        fetched = [r for r in access_log(self.pub) if r[0] == "GET" and "concur-1.0-py3-none-any.whl" in r[1]]
        self.assertEqual(len(fetched), 1, fetched)
        self.assertEqual([v["version"] for v in self.versions("app", "concur")], ["1.0"])

    def test_c_dependency_confusion(self):
        self.publish_upstream("internal-lib", "9.9")
        path = make_wheel(os.path.join(self.work, "own"), "internal-lib", "1.0")
        status, text = upload(self.app, self.token, path)
        self.assertEqual(status, 200, text)
        p = self.pip_install(["internal-lib"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("Successfully installed internal-lib-1.0", p.stdout)
        status, _, body = self.page("internal-lib")
        self.assertEqual(json.loads(body)["versions"], ["1.0"])
        # 9.9 cannot be pulled by a direct URL either.
        status, _, _ = request(self.app + "files/internal-lib/9.9/internal_lib-9.9-py3-none-any.whl",
                               token=self.token)
        self.assertEqual(status, 404)

    def test_d_revalidation_after_ttl(self):
        self.publish_upstream("reval", "1.0")
        status, _, body = self.page("reval")
        self.assertEqual((status, json.loads(body)["versions"]), (200, ["1.0"]))
        self.publish_upstream("reval", "2.0")

        def has_new():
            status, _, body = self.page("reval")
            return status == 200 and json.loads(body)["versions"] == ["1.0", "2.0"]

        wait_for(has_new, timeout=20, what="reval 2.0 on the app page")
        p = self.pip_install(["reval"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("Successfully installed reval-2.0", p.stdout)

    def test_z_upstream_down(self):
        self.publish_upstream("sturdy", "1.0")
        p = self.pip_install(["sturdy"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        status, _, _ = self.page("neverfetched")
        self.assertEqual(status, 404)
        self.pub.stop()

        def stale():
            status, headers, _ = self.page("sturdy")
            return status == 200 and headers.get("X-Arca-Stale", "").startswith("upstream unavailable")

        wait_for(stale, timeout=20, what="a stale page once the upstream is gone")
        p = self.pip_install(["sturdy", "pubonly==1.0"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("Successfully installed", p.stdout)
        # Nothing cached for a project never asked for: a clear 502.
        status, _, body = self.page("nowhere")
        self.assertEqual(status, 502, body)
        self.assertIn(b"public:pypi", body)


if __name__ == "__main__":
    harness.main()
