"""tests/e2e/harness.py - start a real `arca serve` on 127.0.0.1 and drive it with real clients.

Each test gets a fresh data directory and server; only the process this harness started is
stopped (by PID). The aws CLI and boto3 run with HOME and their config isolated.
"""
import configparser
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

ARCA_BIN = os.environ.get("ARCA_BIN") or os.path.join(os.path.dirname(__file__), "..", "..", "build", "arca")
TMP_ROOT = os.environ.get("ARCA_TEST_TMP") or tempfile.gettempdir()
REGION = "us-east-1"


def wait_for(predicate, timeout=20.0, what="condition"):
    """Polls predicate until it returns a truthy value or the timeout passes."""
    deadline = time.monotonic() + timeout
    delay = 0.01
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def sha256_hex(data):
    import hashlib
    return hashlib.sha256(data).hexdigest()


class CommandError(Exception):
    def __init__(self, args, code, stdout, stderr):
        super().__init__(f"{' '.join(args)} exited {code}: {stderr.strip()}")
        self.code, self.stdout, self.stderr = code, stdout, stderr


class Arca:
    """One `arca serve` process with its own data directory."""

    def __init__(self, extra_args=(), env=None):
        os.makedirs(TMP_ROOT, exist_ok=True)
        self.dir = tempfile.mkdtemp(prefix="arca-e2e-", dir=TMP_ROOT)
        self.data = os.path.join(self.dir, "data")
        self.home = os.path.join(self.dir, "home")
        os.makedirs(self.home)
        self.log_path = os.path.join(self.dir, "server.log")
        self.extra_args = list(extra_args)
        self.env = env or {}
        self.proc = None
        try:
            self.start()
        except BaseException:
            self.cleanup()  # a server that started but never became usable is still ours to stop
            raise

    def start(self):
        self.log = open(self.log_path, "ab")
        env = dict(os.environ, **self.env)
        self.proc = subprocess.Popen(
            [ARCA_BIN, "serve", "--listen", "127.0.0.1:0", "--data", self.data] + self.extra_args,
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        start = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0

        def listening():
            if self.proc.poll() is not None:
                raise AssertionError(f"arca serve exited with {self.proc.returncode}:\n{self.read_log()}")
            with open(self.log_path, "rb") as f:
                f.seek(start)
                m = re.search(rb"listening on http://127\.0\.0\.1:(\d+)", f.read())
            return m and int(m.group(1))

        self.port = wait_for(listening, timeout=60, what="arca to listen")  # first start fsyncs; CI disks are shared
        self.endpoint = f"http://127.0.0.1:{self.port}"
        wait_for(lambda: self.http("GET", "/healthz")[0] == 200, what="/healthz")
        creds = configparser.ConfigParser()
        creds.read(os.path.join(self.data, "admin-credentials"))
        self.admin_creds = (creds["default"]["aws_access_key_id"], creds["default"]["aws_secret_access_key"])
        self.account = self.admin_json("list-users")["Users"][0]["AccountId"]

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self, check=True):
        """SIGTERM the server we started and wait for it; returns its exit code."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("arca serve did not exit within 30 s of SIGTERM")
        code = self.proc.returncode if self.proc else 0
        if getattr(self, "log", None):
            self.log.close()
        if check and code != 0:
            raise AssertionError(f"arca serve exited {code}:\n{self.read_log()}")
        return code

    def cleanup(self):
        """Stops the server (if still running) and removes its directory; safe to call twice."""
        try:
            self.stop(check=False)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def blob_path(self, sha256):
        """Where the filesystem blob store keeps the bytes with this SHA-256."""
        return os.path.join(self.data, "blobs", sha256[:2], sha256[2:4], sha256)

    def vm_hwm_kib(self):
        """Peak resident memory of the server process (VmHWM, KiB)."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        raise AssertionError("no VmHWM in /proc status")

    def write_file(self, name, data):
        """Writes data to a file in this server's scratch directory; returns its path."""
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    # --- clients ---------------------------------------------------------------------------
    def http(self, method, path, body=None, headers=None):
        req = urllib.request.Request(self.endpoint + path, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()
        except (ConnectionError, urllib.error.URLError):
            return 0, {}, b""

    def aws_env(self, creds=None):
        akid, secret = creds or self.admin_creds
        return dict(os.environ, AWS_ACCESS_KEY_ID=akid, AWS_SECRET_ACCESS_KEY=secret, AWS_DEFAULT_REGION=REGION,
                    AWS_MAX_ATTEMPTS="1", AWS_ENDPOINT_URL_CODEARTIFACT=self.endpoint, AWS_CONFIG_FILE="/dev/null",
                    AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true", HOME=self.home,
                    XDG_CONFIG_HOME=os.path.join(self.home, ".config"), AWS_PAGER="")

    def run(self, args, env, check=True, stdin=None):
        p = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, input=stdin)
        if check and p.returncode != 0:
            raise CommandError(args, p.returncode, p.stdout, p.stderr)
        return p

    def aws(self, *args, creds=None, check=True):
        """Runs `aws codeartifact ARGS` and returns the parsed JSON output (or None when empty)."""
        p = self.run(["aws", "codeartifact", *args], self.aws_env(creds), check=check)
        if not check:
            return p
        return json.loads(p.stdout) if p.stdout.strip() else None

    def aws_error(self, *args, creds=None):
        """Runs a command that must fail; returns (error code, stderr)."""
        p = self.run(["aws", "codeartifact", *args], self.aws_env(creds), check=False)
        if p.returncode == 0:
            raise AssertionError(f"aws codeartifact {' '.join(args)} succeeded: {p.stdout}")
        m = re.search(r"An error occurred \((\w+)\)", p.stderr)
        return (m.group(1) if m else None), p.stderr

    def arca(self, *args, creds=None, check=True):
        """Runs the `arca` CLI against this server with the given credentials."""
        return self.run([ARCA_BIN, *args], self.aws_env(creds), check=check)

    def client(self, creds=None):
        import boto3
        from botocore.config import Config
        akid, secret = creds or self.admin_creds
        return boto3.client("codeartifact", endpoint_url=self.endpoint, region_name=REGION, aws_access_key_id=akid,
                            aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}))

    def admin_json(self, *args):
        p = self.run([ARCA_BIN, "admin", "--data", self.data, *args], dict(os.environ))
        return json.loads(p.stdout) if p.stdout.strip() else None

    def sql(self, statement, params=()):
        """Runs one SQL statement on the server's SQLite database and returns its rows. For fixtures
        no API can create yet (e.g. package rows before the formats exist); WAL lets the server run on."""
        import sqlite3
        db = sqlite3.connect(os.path.join(self.data, "arca.db"), timeout=30)
        try:
            with db:
                db.execute("PRAGMA foreign_keys=ON")
                return db.execute(statement, params).fetchall()
        finally:
            db.close()

    def new_user(self, name, policy=None, account=None):
        """Creates a user (in the admin's account unless given) with an optional identity policy; returns keys."""
        account = account or self.account
        self.admin_json("create-user", "--account-id", account, "--user-name", name)
        if policy is not None:
            self.admin_json("put-user-policy", "--account-id", account, "--user-name", name, "--policy-name", "p",
                            "--policy-document", json.dumps(policy))
        key = self.admin_json("create-access-key", "--account-id", account, "--user-name", name)["AccessKey"]
        return key["AccessKeyId"], key["SecretAccessKey"]


class ArcaTestCase(unittest.TestCase):
    """A test case with a fresh server per class (self.arca)."""

    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.arca = Arca(cls.server_args)
        # Also when a subclass's setUpClass fails after this (tearDownClass does not run then).
        cls.addClassCleanup(cls.arca.cleanup)

    @classmethod
    def tearDownClass(cls):
        cls.arca.cleanup()

    def run_failed(self, result):
        return result is not None and (result.failures or result.errors)


def main():
    unittest.main(verbosity=2)
