"""tests/e2e/test_npm_upstream_concurrent.py - 50 concurrent downloads of a tarball nobody has fetched
yet make exactly one upstream request for it; all 50 get the same bytes."""
import concurrent.futures
import hashlib

import harness
from npm_upstream_helpers import UpstreamCase


class NpmUpstreamConcurrent(UpstreamCase):
    def test_one_upstream_request_per_file(self):
        status, tgz, _ = self.pub.publish("popular", "3.0.0")
        self.assertEqual(status, 200)
        app = self.chain()
        rel = "popular/-/popular-3.0.0.tgz"
        with concurrent.futures.ThreadPoolExecutor(50) as pool:
            results = list(pool.map(lambda _: app.http("GET", rel), range(50)))
        self.assertEqual([r[0] for r in results], [200] * 50, [r[2][:200] for r in results if r[0] != 200][:3])
        self.assertEqual({hashlib.sha256(r[2]).hexdigest() for r in results}, {hashlib.sha256(tgz).hexdigest()})
        self.assertEqual(self.upstream_gets(rel), 1)
        self.assertLessEqual(self.upstream_gets("popular "), 1)  # the packument, at most once too
        self.assertEqual(self.versions("corp", "app", "popular"), {"3.0.0": "EXTERNAL"})


if __name__ == "__main__":
    harness.main()
