"""bench/pypi/bench.py - PyPI throughput of arca against nginx serving the same bytes as static files.

Runs three measurements, each bounded in time (wrk -d, plus a hard timeout) and in request count (a
wrk Lua script stops each thread after its share of BENCH_MAX_REQUESTS); arca and nginx runs
alternate BENCH_ROUNDS times and the median of each side is compared:
  1. the simple page of a project with 500 versions x 2 files, HTML and JSON, keep-alive;
  2. a 20 MiB wheel download;
  3. twine uploading 200 small wheels to a fresh server: wall time and the server's peak RSS (VmHWM).
Writes a Markdown table to stdout and the raw numbers to RESULTS (JSON).
"""
import hashlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
os.environ.setdefault("ARCA_BIN", os.path.join(ROOT, "build", "arca"))

from harness import Arca  # noqa: E402
from pypi_helpers import PIP_ACCEPT, basic, db_rows, make_wheel, multipart, repo_setup, request  # noqa: E402

DURATION = int(os.environ.get("BENCH_DURATION", "10"))  # seconds per wrk run
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "5000000"))  # per wrk run, all threads
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
N_VERSIONS = 500
N_UPLOADS = 200
BIG_MB = 20

# The count bound: each thread stops sending after its share. A request() hook costs far less than a
# response() hook, which would make wrk copy every body into Lua and measure wrk instead of the server.
STOP_LUA = """
local limit = tonumber(os.getenv("WRK_LIMIT"))
local n = 0
function request()
  n = n + 1
  if n > limit then wrk.thread:stop() end
  return wrk.request()
end
"""
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))  # arca and nginx runs alternate; medians are reported


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def sdist_bytes(name, version):
    """A small valid sdist (PKG-INFO at {name}-{version}/)."""
    buf = io.BytesIO()
    base = f"{name}-{version}"
    pkg_info = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: bench\n".encode()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        for path, data in ((f"{base}/PKG-INFO", pkg_info), (f"{base}/setup.py", b"")):
            info = tarfile.TarInfo(path)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def raw_upload(endpoint, token, filename, data, name, version):
    fields = [(":action", "file_upload"), ("protocol_version", "1"), ("name", name), ("version", version),
              ("sha256_digest", hashlib.sha256(data).hexdigest())]
    ctype, body = multipart(fields, ("content", filename, data))
    status, _, text = request(endpoint, "POST", token, {"Content-Type": ctype}, body)
    if status != 200:
        raise RuntimeError(f"upload {filename}: {status} {text[:200]!r}")


class Nginx:
    """nginx on 127.0.0.1 with its own prefix, config, pid and temp dirs; stopped by its PID."""

    def __init__(self, work, files):
        self.prefix = os.path.join(work, "nginx")
        self.www = os.path.join(self.prefix, "www")
        os.makedirs(self.www)
        for rel, data in files.items():
            path = os.path.join(self.www, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        # workers may run as another user: everything they read must be readable by others
        for d, _, fs in os.walk(work):
            os.chmod(d, 0o755)
            for f in fs:
                os.chmod(os.path.join(d, f), 0o644)
        self.port = free_port()
        temps = "".join(f"  {k}_temp_path {self.prefix}/tmp/{k};\n"
                        for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        conf = os.path.join(self.prefix, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""worker_processes auto;
pid {self.prefix}/nginx.pid;
error_log {self.prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000000;
{temps}  types {{ text/html html; application/json json; application/octet-stream whl; }}
  default_type application/octet-stream;
  server {{ listen 127.0.0.1:{self.port}; root {self.www}; }}
}}
""")
        os.makedirs(os.path.join(self.prefix, "tmp"))
        self.proc = subprocess.Popen(["nginx", "-e", f"{self.prefix}/error.log", "-p", self.prefix, "-c", conf,
                                      "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("nginx did not start: " + open(f"{self.prefix}/error.log").read())
                time.sleep(0.05)
        self.base = f"http://127.0.0.1:{self.port}/"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful; the master stops its workers
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def wrk(url, headers, work, connections=CONNECTIONS):
    script = os.path.join(work, "stop.lua")
    with open(script, "w") as f:
        f.write(STOP_LUA)
    args = ["wrk", "-t", str(THREADS), "-c", str(connections), "-d", f"{DURATION}s", "--latency", "-s", script]
    for k, v in headers.items():
        args += ["-H", f"{k}: {v}"]
    env = dict(os.environ, WRK_LIMIT=str(max(1, MAX_REQUESTS // THREADS)))
    p = subprocess.run(args + [url], capture_output=True, text=True, timeout=DURATION + 30, env=env)
    if p.returncode != 0:
        raise RuntimeError(p.stdout + p.stderr)
    out = p.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    p50 = re.search(r"(?m)^\s+50%\s+(\S+)$", out).group(1)
    p99 = re.search(r"(?m)^\s+99%\s+(\S+)$", out).group(1)
    if bad:
        raise RuntimeError(f"{url}: {bad.group(1)} non-2xx responses\n{out}")
    # a run cut short by the count bound still divides by the full duration: say so rather than report it
    if total >= MAX_REQUESTS:
        raise RuntimeError(f"{url}: hit BENCH_MAX_REQUESTS={MAX_REQUESTS}; raise it or lower BENCH_DURATION")
    return {"rps": rps, "requests": total, "p50": p50, "p99": p99, "socket_errors": errors.group(1) if errors else ""}


def median_run(runs):
    """The run with the median req/s of several."""
    return sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]


def vm_hwm_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1))


def bench_uploads(work):
    """twine uploading 200 small wheels to a fresh server."""
    arca = Arca()
    try:
        token, endpoint = repo_setup(arca, "bench", "uploads")
        d = os.path.join(work, "up")
        wheels = [make_wheel(d, f"bench-up-{i % 20}", f"1.{i // 20}") for i in range(N_UPLOADS)]
        env = dict(os.environ, TWINE_USERNAME="aws", TWINE_PASSWORD=token, TWINE_REPOSITORY_URL=endpoint)
        rss_before = vm_hwm_kib(arca.proc.pid)
        t0 = time.monotonic()
        p = subprocess.run(["twine", "upload", "--non-interactive", "--disable-progress-bar", *wheels], env=env,
                           capture_output=True, text=True, timeout=600)
        wall = time.monotonic() - t0
        if p.returncode != 0:
            raise RuntimeError(p.stdout + p.stderr)
        stored = db_rows(arca, "SELECT COUNT(*) FROM assets")[0][0]
        if stored != N_UPLOADS:
            raise RuntimeError(f"twine reported success but the server holds {stored} files")
        return {"files": N_UPLOADS, "wall_s": round(wall, 2), "per_file_ms": round(wall * 1000 / N_UPLOADS, 1),
                "vmhwm_kib_before": rss_before, "vmhwm_kib": vm_hwm_kib(arca.proc.pid)}
    finally:
        arca.cleanup()


def main():
    results_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "results.json")
    work = tempfile.mkdtemp(prefix="arca-bench-pypi-")
    results = {"duration_s": DURATION, "connections": CONNECTIONS, "threads": THREADS, "rounds": ROUNDS,
               "max_requests": MAX_REQUESTS, "cpus": os.cpu_count(), "loadavg_start": os.getloadavg()[0]}
    nginx = None
    try:
        results["upload"] = bench_uploads(work)
        arca = Arca()
        try:
            token, endpoint = repo_setup(arca, "bench", "py")
            d = os.path.join(work, "dists")
            t0 = time.monotonic()
            for i in range(N_VERSIONS):
                version = f"1.{i}.0"
                whl = make_wheel(d, "big-project", version, requires_python=">=3.8")
                with open(whl, "rb") as f:
                    raw_upload(endpoint, token, os.path.basename(whl), f.read(), "big-project", version)
                os.unlink(whl)
                raw_upload(endpoint, token, f"big_project-{version}.tar.gz", sdist_bytes("big_project", version),
                           "big-project", version)
            results["populate_s"] = round(time.monotonic() - t0, 1)
            big = make_wheel(d, "big-wheel", "1.0", payload_bytes=BIG_MB << 20)
            with open(big, "rb") as f:
                big_bytes = f.read()
            raw_upload(endpoint, token, os.path.basename(big), big_bytes, "big-wheel", "1.0")
            page = endpoint + "simple/big-project/"
            auth = {"Authorization": basic(token)}
            pages = {}
            for kind, accept in (("html", "text/html"), ("json", PIP_ACCEPT)):
                status, _, body = request(page, token=token, headers={"Accept": accept})
                assert status == 200, status
                pages[kind] = body
            results["page_bytes"] = {k: len(v) for k, v in pages.items()}
            results["big_wheel_bytes"] = len(big_bytes)
            nginx = Nginx(work, {"simple.html": pages["html"], "simple.json": pages["json"],
                                 "big.whl": big_bytes})
            runs = {
                "page_html": ((page, dict(auth, Accept="text/html")), (nginx.base + "simple.html", {})),
                "page_json": ((page, dict(auth, Accept=PIP_ACCEPT)), (nginx.base + "simple.json", {})),
                "big_wheel": ((f"{endpoint}files/big-wheel/1.0/{os.path.basename(big)}", auth),
                              (nginx.base + "big.whl", {})),
            }
            for name, ((a_url, a_headers), (n_url, n_headers)) in runs.items():
                conns = 4 if name == "big_wheel" else CONNECTIONS
                a_runs, n_runs = [], []
                for _ in range(ROUNDS):  # interleaved, so background load hits both sides alike
                    a_runs.append(wrk(a_url, a_headers, work, conns))
                    n_runs.append(wrk(n_url, n_headers, work, conns))
                r_arca, r_nginx = median_run(a_runs), median_run(n_runs)
                entry = {"arca": r_arca, "nginx": r_nginx, "ratio": round(r_arca["rps"] / r_nginx["rps"], 3),
                         "arca_all_rps": [r["rps"] for r in a_runs], "nginx_all_rps": [r["rps"] for r in n_runs]}
                if name == "big_wheel":
                    for side in ("arca", "nginx"):
                        entry[side]["MiB_s"] = round(entry[side]["rps"] * len(big_bytes) / (1 << 20), 1)
                results[name] = entry
            results["arca_vmhwm_kib"] = vm_hwm_kib(arca.proc.pid)
            results["loadavg_end"] = os.getloadavg()[0]
        finally:
            arca.cleanup()
    finally:
        if nginx:
            nginx.stop()
        shutil.rmtree(work, ignore_errors=True)
    with open(results_path, "w") as f:
        json.dump(results, f, indent=2)
    print(report(results))


def report(r):
    rows = ["| measurement | arca | nginx (static) | ratio | target |", "|---|---|---|---|---|"]
    for name, label, target in (("page_html", "simple page, HTML (req/s)", 0.5),
                                ("page_json", "simple page, JSON (req/s)", 0.5),
                                ("big_wheel", f"{BIG_MB} MiB wheel (MiB/s)", 0.8)):
        e = r[name]
        if name == "big_wheel":
            a, n = f"{e['arca']['MiB_s']}", f"{e['nginx']['MiB_s']}"
        else:
            a, n = f"{e['arca']['rps']:.0f}", f"{e['nginx']['rps']:.0f}"
        verdict = "met" if e["ratio"] >= target else "**missed**"
        rows.append(f"| {label} | {a} (p99 {e['arca']['p99']}) | {n} (p99 {e['nginx']['p99']}) | "
                    f"{e['ratio']:.2f}x | >= {target}x: {verdict} |")
    u = r["upload"]
    rows.append("")
    rows.append(f"twine upload of {u['files']} small wheels: {u['wall_s']} s wall ({u['per_file_ms']} ms/file); "
                f"server VmHWM {u['vmhwm_kib'] / 1024:.1f} MiB (idle before: {u['vmhwm_kib_before'] / 1024:.1f} MiB)")
    rows.append(f"page sizes: HTML {r['page_bytes']['html']} B, JSON {r['page_bytes']['json']} B; "
                f"populating 1000 files took {r['populate_s']} s; arca VmHWM after all runs "
                f"{r['arca_vmhwm_kib'] / 1024:.1f} MiB; load average {r['loadavg_start']:.1f} -> "
                f"{r['loadavg_end']:.1f} on {r['cpus']} CPUs")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
