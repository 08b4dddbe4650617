"""tests/e2e/test_npm_upstream_live.py - Arca's public:npmjs connection pointed at the registry this
machine's npm is configured with (`npm config get registry`, read at run time): a packument and a
tarball come through it. Skipped, with the reason printed, when that registry does not answer a HEAD
within 5 s."""
import os
import subprocess
import unittest
import urllib.request

import harness
from harness import Arca
from npm_helpers import NpmRepo


def configured_registry():
    try:
        p = subprocess.run(["npm", "config", "get", "registry"], capture_output=True, text=True, timeout=30,
                           env={k: v for k, v in os.environ.items() if not k.lower().startswith("npm_")})
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"npm config get registry failed: {e}"
    url = p.stdout.strip()
    if not url.startswith(("http://", "https://")):
        return None, f"npm has no usable registry configured ({url!r})"
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=5).close()
    except urllib.error.HTTPError:
        pass  # it answered
    except Exception as e:  # noqa: BLE001 - any failure to connect means "not reachable"
        return None, f"the configured npm registry is not reachable: {type(e).__name__}"
    return (url if url.endswith("/") else url + "/"), None


class NpmUpstreamLive(unittest.TestCase):
    def test_live_registry(self):
        url, why = configured_registry()
        if not url:
            print(f"skipped: {why}")
            self.skipTest(why)
        arca = Arca(env={"ARCA_EXTERNAL_PUBLIC_NPMJS": url})
        self.addCleanup(arca.cleanup)
        arca.aws("create-domain", "--domain", "live")
        arca.aws("create-repository", "--domain", "live", "--repository", "store")
        arca.aws("associate-external-connection", "--domain", "live", "--repository", "store",
                 "--external-connection", "public:npmjs")
        repo = NpmRepo(arca, domain="live", repo="store", create=False)
        doc = repo.json("is-number")
        version = doc["dist-tags"]["latest"]
        tarball = doc["versions"][version]["dist"]["tarball"]
        self.assertTrue(tarball.startswith(repo.endpoint), tarball)
        status, _, body = repo.http("GET", tarball[len(repo.endpoint):])
        self.assertEqual(status, 200)
        self.assertEqual(body[:2], b"\x1f\x8b")
        p = arca.aws("list-package-versions", "--domain", "live", "--repository", "store", "--format", "npm",
                     "--package", "is-number")
        self.assertEqual([v["version"] for v in p["versions"]], [version])


if __name__ == "__main__":
    harness.main()
