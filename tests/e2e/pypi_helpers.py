"""tests/e2e/pypi_helpers.py - what the PyPI end-to-end tests share: building real distributions,
fresh virtualenvs, raw uploads, expired tokens, and looking into a server's data directory.

Distributions are built offline: setuptools + wheel + build from Debian's /usr/bin/python3 for real
sdists and wheels, and a small writer for many synthetic wheels (spec-conformant: METADATA, WHEEL,
RECORD with hashes), which pip installs like any other.
"""
import base64
import csv
import hashlib
import hmac
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import html
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BUILD_PYTHON = "/usr/bin/python3"  # Debian's, with setuptools, wheel and build (scripts/test-deps.sh)
PIP_ACCEPT = ("application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, "
              "text/html; q=0.01")
UV_ACCEPT = ("application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
             "text/html;q=0.01")


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def build_project(workdir, name, version, deps=(), requires_python=">=3.8", description="",
                  urls=None, license_text="MIT", sdist=True, wheel=True):
    """Builds a setuptools project with `python -m build --no-isolation`; returns the dist paths."""
    proj = os.path.join(workdir, f"src-{normalize(name)}-{version}")
    pkg = re.sub(r"[-.]", "_", name).lower()
    os.makedirs(os.path.join(proj, pkg), exist_ok=True)
    with open(os.path.join(proj, pkg, "__init__.py"), "w") as f:
        f.write(f"VERSION = {version!r}\n")
    with open(os.path.join(proj, "README.md"), "w") as f:
        f.write(description or f"# {name}\n\nThe {name} project.\n")
    url_lines = "".join(f'{k} = "{v}"\n' for k, v in (urls or {}).items())
    with open(os.path.join(proj, "pyproject.toml"), "w") as f:
        f.write(textwrap.dedent(f"""\
            [build-system]
            requires = ["setuptools>=61", "wheel"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "{name}"
            version = "{version}"
            description = "Summary of {name}"
            readme = "README.md"
            requires-python = "{requires_python}"
            license = {{text = "{license_text}"}}
            dependencies = {json.dumps(list(deps))}

            [project.urls]
            """) + url_lines + textwrap.dedent(f"""
            [tool.setuptools]
            packages = ["{pkg}"]
            """))
    out = os.path.join(workdir, f"dist-{normalize(name)}-{version}")
    args = [BUILD_PYTHON, "-m", "build", "--no-isolation", "--outdir", out]
    if sdist and not wheel:
        args.append("--sdist")
    elif wheel and not sdist:
        args.append("--wheel")
    else:
        args += ["--sdist", "--wheel"]
    p = subprocess.run(args + [proj], capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise AssertionError(f"build of {name} {version} failed:\n{p.stdout}\n{p.stderr}")
    return sorted(os.path.join(out, f) for f in os.listdir(out))


def make_wheel(out_dir, name, version, requires=(), requires_python=None, summary=None, payload_bytes=0):
    """Writes a minimal, valid pure-Python wheel and returns its path (fast: for many versions)."""
    dist = re.sub(r"[-_.]+", "_", name)
    fname = f"{dist}-{version}-py3-none-any.whl"
    info = f"{dist}-{version}.dist-info"
    meta = [f"Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}",
            f"Summary: {summary or 'Synthetic ' + name}"]
    if requires_python:
        meta.append(f"Requires-Python: {requires_python}")
    meta += [f"Requires-Dist: {r}" for r in requires]
    files = {
        f"{dist.lower()}/__init__.py": f"VERSION = {version!r}\n".encode(),
        f"{info}/METADATA": ("\n".join(meta) + "\n\n").encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: arca-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    if payload_bytes:
        # incompressible, so the file really is that big
        files[f"{dist.lower()}/blob.bin"] = os.urandom(payload_bytes)
    record = io.StringIO()
    w = csv.writer(record, lineterminator="\n")
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        w.writerow([path, f"sha256={digest}", len(data)])
    w.writerow([f"{info}/RECORD", "", ""])
    files[f"{info}/RECORD"] = record.getvalue().encode()
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, fname)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for p, data in files.items():
            z.writestr(p, data)
    return path


def wheel_metadata(path):
    """The METADATA bytes inside a wheel."""
    with zipfile.ZipFile(path) as z:
        (name,) = [n for n in z.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1]
        return z.read(name)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def make_venv(path):
    """A fresh virtualenv with the test interpreter's bundled pip; returns its python."""
    subprocess.run([sys.executable, "-m", "venv", path], check=True, capture_output=True, timeout=300)
    return os.path.join(path, "bin", "python")


def pip_env(base_env):
    """The environment for pip: no cache, no version check against any index, no inherited index."""
    env = dict(base_env)
    for k in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_CONFIG_FILE", "PIP_FIND_LINKS", "PIP_REQUIRE_VIRTUALENV"):
        env.pop(k, None)
    env.update(PIP_NO_CACHE_DIR="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1", PIP_TIMEOUT="30",
               PIP_RETRIES="0")
    return env


def repo_setup(arca, domain, repo):
    """Creates a domain (if new) and a repository; returns (token, endpoint)."""
    if not any(d["name"] == domain for d in arca.aws("list-domains")["domains"]):
        arca.aws("create-domain", "--domain", domain)
    arca.aws("create-repository", "--domain", domain, "--repository", repo)
    token = arca.aws("get-authorization-token", "--domain", domain)["authorizationToken"]
    endpoint = arca.aws("get-repository-endpoint", "--domain", domain, "--repository", repo,
                        "--format", "pypi")["repositoryEndpoint"]
    return token, endpoint


def with_auth(url, token, user="aws"):
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{user}:{token}@{rest}"


def basic(token, user="aws"):
    return "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()


def request(url, method="GET", token=None, headers=None, body=None):
    """One request without redirects; returns (status, headers, body)."""
    h = dict(headers or {})
    if token is not None:
        h["Authorization"] = basic(token)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    req = urllib.request.Request(url, data=body, method=method, headers=h)
    try:
        with opener.open(req, timeout=60) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def multipart(fields, file_field=None):
    """A multipart/form-data body from [(name, value)] and (field, filename, bytes); (content type, body)."""
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields:
        out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n".encode())
        out.write(value.encode() if isinstance(value, str) else value)
        out.write(b"\r\n")
    if file_field:
        field, filename, data = file_field
        out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
                  "Content-Type: application/octet-stream\r\n\r\n".encode())
        out.write(data)
        out.write(b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", out.getvalue()


def upload(endpoint, token, path=None, data=None, filename=None, name=None, version=None, extra=(), drop=(),
           url_suffix=""):
    """Uploads like twine does (the fields of the legacy API); returns (status, body text)."""
    if data is None:
        with open(path, "rb") as f:
            data = f.read()
    filename = filename or os.path.basename(path)
    if name is None or version is None:
        m = re.match(r"^(.+?)-(\d[^-]*?)(?:-[^-]+-[^-]+-[^-]+)?\.(?:whl|tar\.gz|zip)$", filename)
        name = name or m.group(1)
        version = version or m.group(2)
    fields = [(":action", "file_upload"), ("protocol_version", "1"), ("name", name), ("version", version),
              ("filetype", "bdist_wheel" if filename.endswith(".whl") else "sdist"),
              ("pyversion", "py3" if filename.endswith(".whl") else "source"), ("metadata_version", "2.1"),
              ("md5_digest", hashlib.md5(data).hexdigest()), ("sha256_digest", hashlib.sha256(data).hexdigest())]
    fields = [(k, v) for k, v in fields if k not in drop] + list(extra)
    ctype, body = multipart(fields, ("content", filename, data))
    status, _, text = request(endpoint + url_suffix, "POST", token, {"Content-Type": ctype}, body)
    return status, text.decode(errors="replace")


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def _varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def _read_varint(raw, p):
    v = shift = 0
    while True:
        b = raw[p]
        p += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return v, p


def resign_token(data_dir, token, issued_s, lifetime_s=900):
    """The claims of a real token with another issue time, signed with the server's token key (derived
    from DATA/master.key as auth/keys.c does). A token issued an hour ago for 900 s is expired."""
    with open(os.path.join(data_dir, "master.key")) as f:
        master = bytes.fromhex(f.read().strip())
    key = hmac.new(master, b"arca token key v1", hashlib.sha256).digest()
    payload_b64 = token[len("arca1."):].split(".")[0]
    raw = b64url_decode(payload_b64)
    _, p = _read_varint(raw, 11)
    _, p = _read_varint(raw, p)
    payload = raw[:11] + _varint(issued_s) + _varint(lifetime_s) + raw[p:]
    body = "arca1." + b64url(payload)
    return body + "." + b64url(hmac.new(key, body.encode(), hashlib.sha256).digest())


def db_rows(arca, sql, args=()):
    """Reads the server's SQLite database (WAL mode: a reader sees committed data)."""
    con = sqlite3.connect(f"file:{os.path.join(arca.data, 'arca.db')}?mode=ro", uri=True, timeout=10)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def db_exec(arca, sql, args=()):
    """A direct write to the server's database (what the lifecycle API will do; the tests use it to set
    version statuses while that API is being built)."""
    con = sqlite3.connect(os.path.join(arca.data, "arca.db"), timeout=10)
    try:
        with con:
            return con.execute(sql, args).rowcount
    finally:
        con.close()


def set_status(arca, package, version, status):
    """Sets a pypi version's status and marks its package changed, as ar_version_set_status does."""
    now = int(time.time() * 1000)
    n = db_exec(arca, "UPDATE package_versions SET status = ?, updated_ms = ? WHERE version = ? AND package_id IN"
                " (SELECT id FROM packages WHERE format = 'pypi' AND name = ?)", (status, now, version, package))
    assert n == 1, f"{package} {version}: {n} rows"
    db_exec(arca, "UPDATE packages SET updated_ms = MAX(updated_ms + 1, ?) WHERE format = 'pypi' AND name = ?",
            (now, package))


def blob_count(arca):
    n = 0
    for _, _, files in os.walk(os.path.join(arca.data, "blobs")):
        n += len(files)
    return n


def spool_files(arca):
    tmp = os.path.join(arca.data, "tmp")
    return os.listdir(tmp) if os.path.isdir(tmp) else []


def access_log(arca):
    """(method, path, status) of each request in the server log (needs ARCA_ACCESS_LOG=true)."""
    out = []
    for m in re.finditer(r" access \S+ (\S+) (\S+) (\d+) ", arca.read_log()):
        out.append((m.group(1), m.group(2), int(m.group(3))))
    return out


class FakeIndex:
    """A small index standing in for public:pypi, in the test's own process: simple/{name}/ as PEP 691 JSON
    (or PEP 503 HTML for projects added with html=True, whatever the Accept), files/{filename} and
    files/{filename}.metadata. A path passed to hold() waits for `release` (an event the test sets when
    done, so held handlers end at once; HOLD_CAP_S bounds them should it never be set)."""

    HOLD_CAP_S = 60
    JSON_V1 = "application/vnd.pypi.simple.v1+json"

    def __init__(self):
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.projects = {}  # name -> {"html": bool, "files": [dict]}
        self.held = set()
        self.hits = {}  # path -> count
        self.accepts = {}  # path -> last Accept
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path = urllib.parse.urlsplit(self.path).path
                with fake.lock:
                    fake.hits[path] = fake.hits.get(path, 0) + 1
                    fake.accepts[path] = self.headers.get("Accept", "")
                    hold = path in fake.held
                if hold:
                    fake.release.wait(fake.HOLD_CAP_S)
                status, ctype, body = fake.answer(path)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up on a held request long ago

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def add(self, project, path, html=False, requires_python=None, yanked=None, href=None):
        """Lists the distribution at path on project's page; href overrides its URL (relative to the page)."""
        with open(path, "rb") as f:
            data = f.read()
        fn = os.path.basename(path)
        metadata = wheel_metadata(path) if fn.endswith(".whl") else None
        with self.lock:
            p = self.projects.setdefault(project, {"html": html, "files": []})
            p["files"].append({"filename": fn, "data": data, "requires_python": requires_python, "yanked": yanked,
                               "metadata": metadata, "href": href or f"../../files/{fn}"})

    def hold(self, path):
        with self.lock:
            self.held.add(path)

    def count(self, path):
        with self.lock:
            return self.hits.get(path, 0)

    def accept(self, path):
        with self.lock:
            return self.accepts.get(path)

    def answer(self, path):
        with self.lock:
            projects = {k: {"html": v["html"], "files": list(v["files"])} for k, v in self.projects.items()}
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "simple" and parts[1] in projects:
            p = projects[parts[1]]
            return (200, "text/html; charset=utf-8", self.html_page(parts[1], p["files"])) if p["html"] else \
                (200, self.JSON_V1, self.json_page(parts[1], p["files"]))
        if len(parts) == 2 and parts[0] == "files":
            for p in projects.values():
                for f in p["files"]:
                    if parts[1] == f["filename"]:
                        return 200, "application/octet-stream", f["data"]
                    if f["metadata"] is not None and parts[1] == f["filename"] + ".metadata":
                        return 200, "application/octet-stream", f["metadata"]
        return 404, "text/plain", b"not found"

    @staticmethod
    def json_page(name, files):
        out = []
        for f in files:
            e = {"filename": f["filename"], "url": f["href"], "hashes": {"sha256": hashlib.sha256(f["data"]).hexdigest()},
                 "size": len(f["data"]), "upload-time": "2020-01-02T03:04:05.000000Z"}
            if f["requires_python"]:
                e["requires-python"] = f["requires_python"]
            if f["yanked"] is not None:
                e["yanked"] = f["yanked"]
            if f["metadata"] is not None:
                e["core-metadata"] = {"sha256": hashlib.sha256(f["metadata"]).hexdigest()}
            out.append(e)
        return json.dumps({"meta": {"api-version": "1.1"}, "name": name, "versions": [], "files": out}).encode()

    @staticmethod
    def html_page(name, files):
        lines = ["<!DOCTYPE html>", "<html><head><meta name=\"pypi:repository-version\" content=\"1.0\">",
                 f"<title>Links for {name}</title></head><body><h1>Links for {name}</h1>"]
        for f in files:
            attrs = f' href="{html.escape(f["href"])}#sha256={hashlib.sha256(f["data"]).hexdigest()}"'
            if f["requires_python"]:
                attrs += f' data-requires-python="{html.escape(f["requires_python"])}"'
            if f["yanked"] is not None:
                attrs += f' data-yanked="{html.escape(f["yanked"])}"'
            if f["metadata"] is not None:
                attrs += f' data-dist-info-metadata="sha256={hashlib.sha256(f["metadata"]).hexdigest()}"'
            lines.append(f"<a{attrs}>{html.escape(f['filename'])}</a><br/>")
        lines.append("</body></html>")
        return "\n".join(lines).encode()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
