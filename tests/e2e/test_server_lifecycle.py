"""First start, health, credentials file, restart and graceful SIGTERM of `arca serve`."""
import configparser
import os
import stat
import unittest

from harness import Arca, main


class ServerLifecycle(unittest.TestCase):
    def test_first_start_restart_and_sigterm(self):
        arca = Arca()
        try:
            path = os.path.join(arca.data, "admin-credentials")
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
            creds = configparser.ConfigParser()
            creds.read(path)
            self.assertRegex(creds["default"]["aws_access_key_id"], r"^AKIA[A-Z2-7]{16}$")
            self.assertEqual(len(creds["default"]["aws_secret_access_key"]), 40)
            self.assertEqual(creds["default"]["region"], "us-east-1")
            self.assertIn("admin-credentials", arca.read_log())
            # The secret is written to the file and nowhere else.
            self.assertNotIn(creds["default"]["aws_secret_access_key"], arca.read_log())

            status, headers, body = arca.http("GET", "/healthz")
            self.assertEqual((status, body), (200, b"ok\n"))
            self.assertIn("X-Request-Id", headers)
            status, headers, body = arca.http("HEAD", "/healthz")
            self.assertEqual((status, body, headers.get("Content-Length")), (200, b"", "3"))
            self.assertEqual(arca.http("GET", "/no/such/thing")[0], 404)

            arca.aws("create-domain", "--domain", "keepme")
            self.assertEqual(arca.stop(), 0)
            self.assertIn("SIGTERM", arca.read_log())

            # A restart keeps the data and does not mint new admin keys.
            before = open(path).read()
            arca.start()
            self.assertEqual(open(path).read(), before)
            self.assertEqual(arca.aws("describe-domain", "--domain", "keepme")["domain"]["name"], "keepme")
            self.assertEqual(arca.read_log().count("first start"), 1)
        finally:
            arca.cleanup()

    def test_unknown_operation_and_method(self):
        arca = Arca()
        try:
            status, headers, body = arca.http("GET", "/v1/nope")
            self.assertEqual(status, 404)
            self.assertEqual(headers.get("x-amzn-ErrorType"), "ValidationException")
            self.assertEqual(arca.http("PATCH", "/v1/domain")[0], 405)
            # No credentials at all: the AWS-shaped 403, never a 404.
            status, headers, _ = arca.http("GET", "/v1/domain?domain=abc")
            self.assertEqual((status, headers.get("x-amzn-ErrorType")), (403, "MissingAuthenticationTokenException"))
        finally:
            arca.cleanup()


if __name__ == "__main__":
    main()
