"""tests/e2e/npm_helpers.py - npm, pnpm and yarn against a real Arca, each client with its own HOME.

The clients come from scripts/test-deps.sh (pnpm, yarn 1, yarn berry in BUILD/e2e-node) and the
machine's npm. Every client run gets an isolated HOME, npm cache and user config, so nothing is
read from or written to the real ~/.npmrc, and nothing is fetched from a public registry.
"""
import base64
import gzip
import hashlib
import http.client
import io
import json
import os
import sqlite3
import subprocess
import tarfile
import urllib.parse

from harness import ARCA_BIN, CommandError

NODE_MODULES = os.path.join(os.path.dirname(os.path.abspath(ARCA_BIN)), "e2e-node", "node_modules")
CLIENTS = {
    "pnpm": os.path.join(NODE_MODULES, "pnpm", "bin", "pnpm.cjs"),
    "yarn1": os.path.join(NODE_MODULES, "yarn", "bin", "yarn.js"),
    "berry": os.path.join(NODE_MODULES, "@yarnpkg", "cli-dist", "bin", "yarn.js"),
}


def client_js(name):
    path = CLIENTS[name]
    if not os.path.exists(path):
        raise AssertionError(f"{path} is missing: run scripts/test-deps.sh (make test does)")
    return path


def make_tarball(name, version, deps=None, extra=None, files=None):
    """A package tarball as npm packs it: package/package.json plus files, gzip'd tar."""
    manifest = {"name": name, "version": version, "description": f"{name} for tests", "license": "MIT"}
    if deps:
        manifest["dependencies"] = deps
    manifest.update(extra or {})
    entries = {"package/package.json": json.dumps(manifest, indent=2).encode()}
    entries["package/index.js"] = f"module.exports = {json.dumps(name + '@' + version)};\n".encode()
    for path, data in (files or {}).items():
        entries["package/" + path] = data if isinstance(data, bytes) else data.encode()
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path, data in entries.items():
            info = tarfile.TarInfo(path)
            info.size, info.mode, info.mtime = len(data), 0o644, 499162500
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0), manifest


def integrity(data):
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def publish_body(name, version, tgz, manifest, tag="latest", integrity_override=None):
    """The body npm sends on PUT /{pkg} for one new version."""
    vm = dict(manifest)
    vm.update({"_id": f"{name}@{version}", "dist": {
        "integrity": integrity_override or integrity(tgz), "shasum": hashlib.sha1(tgz).hexdigest(),
        "tarball": f"http://ignored/{name}/-/{name}-{version}.tgz"}})
    return {"_id": name, "name": name, "description": manifest.get("description", ""),
            "dist-tags": {tag: version}, "versions": {version: vm}, "access": None,
            "_attachments": {f"{name}-{version}.tgz": {
                "content_type": "application/octet-stream", "data": base64.b64encode(tgz).decode(),
                "length": len(tgz)}}}


def expired_token(arca, token, age_s=7200):
    """The same claims as token, issued age_s ago for 900 s and signed with the server's key: a real,
    expired token (tokens cannot be shorter-lived than 900 s, so waiting is not an option)."""
    import hmac
    import time
    with open(os.path.join(arca.data, "master.key")) as f:
        master = bytes.fromhex(f.read().strip())
    key = hmac.new(master, b"arca token key v1", hashlib.sha256).digest()
    payload = token[len("arca1."):].split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))

    def varint(buf, i):
        v = shift = 0
        while True:
            b = buf[i]
            i += 1
            v |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return v, i

    def put(v):
        out = bytearray()
        while True:
            b = v & 0x7F
            v >>= 7
            out.append(b | (0x80 if v else 0))
            if not v:
                return bytes(out)

    head = raw[:11]
    _, i = varint(raw, 11)
    _, i = varint(raw, i)
    claims = head + put(int(time.time()) - age_s) + put(900) + raw[i:]
    signed = "arca1." + base64.urlsafe_b64encode(claims).decode().rstrip("=")
    mac = hmac.new(key, signed.encode(), hashlib.sha256).digest()
    return signed + "." + base64.urlsafe_b64encode(mac).decode().rstrip("=")


def escape(name):
    """npm's escapedName: @scope%2fname."""
    return name.replace("/", "%2f")


class NpmRepo:
    """A domain + npm repository on an Arca server, with a token and the registry URL."""

    def __init__(self, arca, domain="npmdom", repo="npmrepo", creds=None, create=True):
        self.arca, self.domain, self.repo = arca, domain, repo
        if create:
            existing = [d["name"] for d in arca.aws("list-domains")["domains"]]
            if domain not in existing:
                arca.aws("create-domain", "--domain", domain)
            arca.aws("create-repository", "--domain", domain, "--repository", repo)
        self.token = self.new_token(creds)
        self.endpoint = arca.aws("get-repository-endpoint", "--domain", domain, "--repository", repo, "--format",
                                 "npm")["repositoryEndpoint"]
        self.path = urllib.parse.urlsplit(self.endpoint).path  # /{domain}-{owner}/npm/{repo}/

    def new_token(self, creds=None, duration=None):
        args = ["get-authorization-token", "--domain", self.domain]
        if duration:
            args += ["--duration-seconds", str(duration)]
        return self.arca.aws(*args, creds=creds)["authorizationToken"]

    def http(self, method, rel, body=None, headers=None, token="default"):
        """A request under the registry path; token None sends no credentials."""
        h = dict(headers or {})
        tok = self.token if token == "default" else token
        if tok:
            h.setdefault("Authorization", f"Bearer {tok}")
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        return self.arca.http(method, self.path + rel, body, h)

    def json(self, rel, **kw):
        status, headers, body = self.http("GET", rel, **kw)
        if status != 200:
            raise AssertionError(f"GET {rel}: {status} {body[:300]!r}")
        return json.loads(body)

    def publish(self, name, version, deps=None, extra=None, tag="latest", token="default"):
        """Publishes through the wire protocol (what npm publish sends); returns (status, tarball bytes)."""
        tgz, manifest = make_tarball(name, version, deps, extra)
        status, _, body = self.http("PUT", escape(name), publish_body(name, version, tgz, manifest, tag), token=token)
        return status, tgz, body

    def db_path(self):
        return os.path.join(self.arca.data, "arca.db")

    def set_status(self, name, version, status):
        """UpdatePackageVersionsStatus when the server has it, else the same change straight in SQLite
        (with the package marked changed, as the model's writes do)."""
        ns, _, pkg = name[1:].partition("/") if name.startswith("@") else ("", "", name)
        args = ["update-package-versions-status", "--domain", self.domain, "--repository", self.repo, "--format",
                "npm", "--package", pkg, "--versions", version, "--target-status", status]
        if ns:
            args += ["--namespace", ns]
        p = self.arca.aws(*args, check=False)
        if p.returncode == 0 and version in json.loads(p.stdout or "{}").get("successfulVersions", {}):
            return "api"
        db = sqlite3.connect(self.db_path(), timeout=10)
        try:
            with db:
                cur = db.execute(
                    "UPDATE package_versions SET status = ? WHERE version = ? AND package_id = "
                    "(SELECT p.id FROM packages p JOIN repositories r ON r.id = p.repository_id"
                    " WHERE r.name = ? AND p.format = 'npm' AND p.namespace = ? AND p.name = ?)",
                    (status, version, self.repo, ns, pkg))
                assert cur.rowcount == 1, f"no version {name}@{version} to update"
                db.execute("UPDATE packages SET updated_ms = updated_ms + 1 WHERE format = 'npm' AND namespace = ?"
                           " AND name = ?", (ns, pkg))
        finally:
            db.close()
        return "sql"

    def counts(self, name):
        """(package rows, version rows) for name in this repository, straight from the database."""
        ns, _, pkg = name[1:].partition("/") if name.startswith("@") else ("", "", name)
        db = sqlite3.connect(self.db_path(), timeout=10)
        try:
            q = ("SELECT p.id FROM packages p JOIN repositories r ON r.id = p.repository_id"
                 " WHERE r.name = ? AND p.format = 'npm' AND p.namespace = ? AND p.name = ?")
            ids = [r[0] for r in db.execute(q, (self.repo, ns, pkg))]
            versions = sum(db.execute("SELECT COUNT(*) FROM package_versions WHERE package_id = ?", (i,)).fetchone()[0]
                           for i in ids)
            return len(ids), versions
        finally:
            db.close()


class BulkPublisher:
    """Many publishes over one keep-alive connection (for packages with thousands of versions)."""

    def __init__(self, repo):
        u = urllib.parse.urlsplit(repo.arca.endpoint)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        self.repo = repo

    def publish(self, name, version, deps=None, extra=None):
        tgz, manifest = make_tarball(name, version, deps, extra)
        body = json.dumps(publish_body(name, version, tgz, manifest)).encode()
        self.conn.request("PUT", self.repo.path + escape(name), body,
                          {"Authorization": f"Bearer {self.repo.token}", "Content-Type": "application/json"})
        r = self.conn.getresponse()
        data = r.read()
        if r.status != 200:
            raise AssertionError(f"publish {name}@{version}: {r.status} {data[:200]!r}")

    def close(self):
        self.conn.close()


class NodeClient:
    """npm / pnpm / yarn runs with their own HOME, cache and user config under root."""

    def __init__(self, root, name="client"):
        self.root = os.path.join(root, name)
        self.home = os.path.join(self.root, "home")
        self.cache = os.path.join(self.root, "npm-cache")
        self.userconfig = os.path.join(self.home, ".npmrc")
        os.makedirs(self.home, exist_ok=True)

    def env(self, extra=None):
        env = {k: v for k, v in os.environ.items()
               if not k.lower().startswith(("npm_", "yarn_", "pnpm_")) and k not in ("CI",)}
        env.update({
            "HOME": self.home, "XDG_CONFIG_HOME": os.path.join(self.home, ".config"),
            "XDG_CACHE_HOME": os.path.join(self.home, ".cache"), "XDG_DATA_HOME": os.path.join(self.home, ".local"),
            "npm_config_cache": self.cache, "npm_config_userconfig": self.userconfig,
            "npm_config_update_notifier": "false", "npm_config_fund": "false",
            "YARN_ENABLE_TELEMETRY": "0", "YARN_ENABLE_IMMUTABLE_INSTALLS": "false",
            "YARN_ENABLE_GLOBAL_CACHE": "false", "COREPACK_ENABLE_STRICT": "0",
        })
        env.update(extra or {})
        return env

    def run(self, args, cwd=None, check=True, extra_env=None, timeout=180):
        p = subprocess.run(args, cwd=cwd or self.root, env=self.env(extra_env), capture_output=True, text=True,
                           timeout=timeout)
        if check and p.returncode != 0:
            raise CommandError(args, p.returncode, p.stdout, p.stderr + p.stdout)
        return p

    def npm(self, *args, **kw):
        return self.run(["npm", *args], **kw)

    def pnpm(self, *args, **kw):
        return self.run(["node", client_js("pnpm"), *args], **kw)

    def yarn1(self, *args, **kw):
        return self.run(["node", client_js("yarn1"), *args], **kw)

    def berry(self, *args, **kw):
        return self.run(["node", client_js("berry"), *args], **kw)

    def write_npmrc(self, repo, scope=None, token=None):
        nerf = repo.endpoint.split(":", 1)[1]
        key = f"{scope}:registry" if scope else "registry"
        with open(self.userconfig, "w") as f:
            f.write(f"{key}={repo.endpoint}\n{nerf}:_authToken={token or repo.token}\n")
        os.chmod(self.userconfig, 0o600)

    def arca_login(self, arca, *args, check=True):
        """`arca login ARGS` as this client's user: its HOME and npm user config, the admin's keys."""
        env = dict(arca.aws_env(), HOME=self.home, npm_config_userconfig=self.userconfig)
        return arca.run([ARCA_BIN, "login", *args], env, check=check)

    def project(self, name, deps=None, files=None, manifest=None):
        """A directory with a package.json (and files) under this client's root."""
        d = os.path.join(self.root, name)
        os.makedirs(d, exist_ok=True)
        m = {"name": name, "version": "1.0.0", "description": name, "license": "MIT"}
        if deps:
            m["dependencies"] = deps
        m.update(manifest or {})
        with open(os.path.join(d, "package.json"), "w") as f:
            json.dump(m, f, indent=2)
        for path, data in (files or {}).items():
            with open(os.path.join(d, path), "w") as f:
                f.write(data)
        return d
