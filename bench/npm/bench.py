#!/usr/bin/env python3
"""bench/npm/bench.py - Arca against Verdaccio 6.8 and nginx (a static copy of the same bytes), one run,
same data, same load generator (wrk, keep-alive), every load bounded in time. Prints a Markdown report.

Environment: BUILD (build dir, default build), BENCH_DURATION (wrk -d, default 5s), BENCH_CONNS (32),
BENCH_THREADS (2), BENCH_ROUNDS (3: each load runs this many times, servers alternating, medians
reported), BENCH_MAX_REQUESTS (5000000: the count bound of each wrk run), BENCH_INSTALL_RUNS (hyperfine
runs, 5), BENCH_OUT (report file, default bench/npm/results.md).
"""
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import data  # noqa: E402

BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
ARCA = os.path.join(BUILD, "arca")
WORK = os.path.join(BUILD, "bench-npm")
DURATION = os.environ.get("BENCH_DURATION", "5s")
CONNS = int(os.environ.get("BENCH_CONNS", "32"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
INSTALL_RUNS = int(os.environ.get("BENCH_INSTALL_RUNS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "5000000"))
VERDACCIO = os.path.join(HERE, "node_modules", "verdaccio", "bin", "verdaccio")

started = []  # (name, Popen) of every process this script started; stopped by PID at exit


def log(msg):
    print(f"bench-npm: {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(name, args, env=None, cwd=None):
    out = open(os.path.join(WORK, f"{name}.log"), "wb")
    p = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    started.append((name, p))
    return p


def stop_all():
    for name, p in reversed(started):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def wait_http(url, ok=(200, 401), timeout=60):
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status in ok:
                    return
        except urllib.error.HTTPError as e:
            if e.code in ok:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} did not answer within {timeout} s")
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


def run(args, env=None, **kw):
    return subprocess.run(args, env=env, check=True, capture_output=True, text=True, **kw)


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# ---- servers ----------------------------------------------------------------------------------

def start_arca():
    port = free_port()
    d = os.path.join(WORK, "arca")
    env = dict(os.environ, ARCA_ACCESS_LOG="false", ARCA_LOG_LEVEL="warn")
    p = start("arca", [ARCA, "serve", "--listen", f"127.0.0.1:{port}", "--data", d], env=env)
    base = f"http://127.0.0.1:{port}"
    wait_http(base + "/healthz", ok=(200,))
    aws = dict(os.environ, AWS_SHARED_CREDENTIALS_FILE=os.path.join(d, "admin-credentials"), AWS_CONFIG_FILE="/dev/null",
               AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL_CODEARTIFACT=base, AWS_PAGER="")
    run([ARCA, "create-domain", "--domain", "bench"], aws)
    run([ARCA, "create-repository", "--domain", "bench", "--repository", "npm"], aws)
    token = json.loads(run([ARCA, "get-authorization-token", "--domain", "bench"], aws).stdout)["authorizationToken"]
    endpoint = json.loads(run([ARCA, "get-repository-endpoint", "--domain", "bench", "--repository", "npm",
                               "--format", "npm"], aws).stdout)["repositoryEndpoint"]
    return p, endpoint, token


VERDACCIO_CONFIG = """storage: {storage}
auth:
  htpasswd:
    file: {htpasswd}
    max_users: 10
uplinks: {{}}
packages:
  'bench-small':
    access: $all
    publish: $authenticated
  '@*/*':
    access: $authenticated
    publish: $authenticated
  '**':
    access: $authenticated
    publish: $authenticated
security:
  api:
    jwt:
      sign:
        expiresIn: 7d
max_body_size: 100mb
server:
  keepAliveTimeout: 60
web:
  enable: false
log: {{type: stdout, format: pretty, level: warn}}
"""


def install_verdaccio():
    """Installs Verdaccio 6.8 (bench/npm/package.json) into bench/npm/node_modules unless it is there;
    returns its executable. bench/proxy uses this copy too."""
    if not os.path.exists(VERDACCIO):
        log("installing Verdaccio 6.8 into bench/npm/node_modules")
        run(["npm", "install", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE,
            timeout=600)
    return VERDACCIO


def start_verdaccio():
    install_verdaccio()
    port = free_port()
    d = os.path.join(WORK, "verdaccio")
    os.makedirs(d)
    conf = os.path.join(d, "config.yaml")
    with open(conf, "w") as f:
        f.write(VERDACCIO_CONFIG.format(storage=os.path.join(d, "storage"), htpasswd=os.path.join(d, "htpasswd")))
    p = start("verdaccio", ["node", VERDACCIO, "--config", conf, "--listen", f"127.0.0.1:{port}"])
    base = f"http://127.0.0.1:{port}/"
    wait_http(base + "-/ping")
    req = urllib.request.Request(base + "-/user/org.couchdb.user:bench", method="PUT",
                                 data=json.dumps({"name": "bench", "password": "bench-pass-1"}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        token = json.load(r)["token"]
    return p, base, token


NGINX_CONF = """worker_processes 2;
pid {w}/nginx.pid;
error_log {w}/error.log warn;
daemon off;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 65;
  client_body_temp_path {w}/tmp/body;
  proxy_temp_path {w}/tmp/proxy;
  fastcgi_temp_path {w}/tmp/fastcgi;
  uwsgi_temp_path {w}/tmp/uwsgi;
  scgi_temp_path {w}/tmp/scgi;
  types {{ application/json json; application/octet-stream tgz; }}
  server {{
    listen 127.0.0.1:{port};
    root {w}/static;
    etag on;
  }}
}}
"""


def start_nginx(arca_endpoint, arca_token):
    w = os.path.join(WORK, "nginx")
    static = os.path.join(w, "static")
    os.makedirs(os.path.join(w, "tmp"))
    data.export(arca_endpoint, arca_token, static)
    # Workers drop to an unprivileged user when started as root: they must be able to read the files.
    for d in (WORK, w, static):
        os.chmod(d, 0o755)
    for f in os.listdir(static):
        os.chmod(os.path.join(static, f), 0o644)
    port = free_port()
    with open(os.path.join(w, "nginx.conf"), "w") as f:
        f.write(NGINX_CONF.format(w=w, port=port))
    p = start("nginx", ["nginx", "-c", os.path.join(w, "nginx.conf"), "-p", w])
    base = f"http://127.0.0.1:{port}/"
    wait_http(base + "small.json", ok=(200,))
    return p, base


# ---- measurements -----------------------------------------------------------------------------

def settle(url, token):
    """Waits (bounded) until the server answers one request promptly: a slow server may still be working
    through the previous load's queue, which would otherwise be charged to the next measurement."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        t = time.monotonic()
        req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                r.read()
        except OSError:
            pass
        if time.monotonic() - t < 0.5:
            return
    log(f"{url} is still slow after 120 s")


def wrk(url, token=None, accept="application/json"):
    settle(url, token)
    args = ["wrk", f"-t{THREADS}", f"-c{CONNS}", f"-d{DURATION}", "--timeout", "10s", "-H", f"Accept: {accept}"]
    if token:
        args += ["-H", f"Authorization: Bearer {token}"]
    per_thread = MAX_REQUESTS // THREADS
    args += ["-s", os.path.join(HERE, "cap.lua")]
    out = run(args + [url, "--", str(per_thread)], timeout=120).stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))
    if total >= 0.9 * per_thread * THREADS:  # a stopped thread leaves its last requests unanswered
        raise SystemExit(f"wrk {url}: reached the request cap ({MAX_REQUESTS}); raise BENCH_MAX_REQUESTS")
    with open(os.path.join(WORK, "wrk.log"), "a") as f:
        f.write(f"$ {' '.join(a if not a.startswith('Authorization') else 'Authorization: Bearer ...' for a in args)}"
                f" {url}\n{out}\n")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    m = re.search(r"Transfer/sec:\s+([\d.]+)([KMG]?B)", out)
    mbs = float(m.group(1)) * {"B": 1 / 2**20, "KB": 1 / 1024, "MB": 1, "GB": 1024}[m.group(2)]
    if re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        raise SystemExit(f"wrk {url}: non-2xx answers, the rate would mean nothing\n{out}")
    if "Socket errors" in out:
        log(f"wrk {url}: socket errors (timeouts count against the server)\n{out}")
    return rps, mbs


def bursts(endpoint, token, n, mode, repeat=3):
    """Median wall time of n simultaneous GETs of bench-big (curl --parallel: a C client, so the time is
    the server's). mode "changed": the package changes (a dist-tag) before each burst, so the packument
    is rendered again (unchanged versions' fragments stay cached); "cold": each burst names the server
    by another Host, which is part of every cache key (tarball URLs are absolute), so nothing is cached;
    "plain": nothing special (Verdaccio renders every request anyway)."""
    times = []
    url = endpoint + "bench-big"
    port = endpoint.split(":")[2].split("/")[0]
    for r in range(repeat):
        args = ["curl", "-s", "--no-progress-meter", "--parallel", "--parallel-immediate", "--parallel-max", str(n),
                "-H", f"Authorization: Bearer {token}", "-H", "Accept: application/json", "-w", "%{http_code}\\n"]
        if mode == "changed":
            data.touch(endpoint, token)
        elif mode == "cold":
            args += ["-H", f"Host: cold-{n}-{r}-{time.monotonic_ns()}.invalid:{port}"]
        for _ in range(n):
            args += [url, "-o", "/dev/null"]
        start = time.monotonic()
        out = run(args, timeout=600).stdout.split()
        times.append(time.monotonic() - start)
        if out != ["200"] * n:
            raise SystemExit(f"burst of {n}: {out}")
    return statistics.median(times)


def npm_install(registries):
    """hyperfine: npm install of the 20-package set from a clean cache, through each registry."""
    proj = os.path.join(WORK, "install")
    os.makedirs(proj)
    with open(os.path.join(proj, "package.json"), "w") as f:
        json.dump({"name": "bench-install", "version": "1.0.0", "private": True,
                   "dependencies": {n: "^1.0.0" for n in data.INSTALL_SET}}, f)
    cmds = []
    for name, endpoint, token in registries:
        rc = os.path.join(WORK, f"{name}.npmrc")
        with open(rc, "w") as f:
            f.write(f"registry={endpoint}\n{endpoint.split(':', 1)[1]}:_authToken={token}\n")
        cmds += ["-n", name, f"npm install --prefix {proj} --userconfig {rc} --cache {WORK}/npm-cache "
                             "--no-audit --no-fund --prefer-online --loglevel=error"]
    out = os.path.join(WORK, "install.json")
    home = tempfile.mkdtemp(dir=WORK)
    run(["hyperfine", "--runs", str(INSTALL_RUNS), "--warmup", "1", "--export-json", out, "--prepare",
         f"rm -rf {proj}/node_modules {proj}/package-lock.json {WORK}/npm-cache", *cmds],
        env=dict(os.environ, HOME=home), timeout=1200)
    with open(out) as f:
        return {r["command"]: (r["mean"], r["stddev"]) for r in json.load(f)["results"]}


def main():
    if not os.path.exists(ARCA):
        raise SystemExit(f"{ARCA} is missing: make build")
    for tool in ("wrk", "nginx", "hyperfine", "node", "npm"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: scripts/deps.sh bench")
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    try:
        report = measure()
    finally:
        stop_all()
    out = os.environ.get("BENCH_OUT") or os.path.join(HERE, "results.md")
    with open(out, "w") as f:
        f.write(report)
    print(report)
    log(f"report in {out}")


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def measure():
    load_start = loadavg()
    arca, a_ep, a_tok = start_arca()
    verd, v_ep, v_tok = start_verdaccio()
    log("publishing the data set to Arca and Verdaccio")
    data.publish_all(a_ep, a_tok)
    data.publish_all(v_ep, v_tok, skip=lambda name, version: name == "bench-big")
    data.verdaccio_seed_big(v_ep, v_tok, os.path.join(WORK, "verdaccio", "storage"))
    nginx, n_ep = start_nginx(a_ep, a_tok)

    corgi = data.CORGI
    cases = [
        ("small packument (1 version)", "bench-small", "small.json", "application/json", "rps"),
        (f"packument, {data.BIG_VERSIONS} versions, full", "bench-big", "big.json", "application/json", "rps"),
        (f"packument, {data.BIG_VERSIONS} versions, abbreviated", "bench-big", "big-corgi.json", corgi, "rps"),
        ("tarball 10 KiB", "bench-t10k/-/bench-t10k-1.0.0.tgz", "bench-t10k.tgz", "*/*", "rps"),
        ("tarball 5 MiB", "bench-t5m/-/bench-t5m-1.0.0.tgz", "bench-t5m.tgz", "*/*", "mbs"),
    ]
    rows = []
    for title, path, static, accept, unit in cases:
        pick = 0 if unit == "rps" else 1
        got = {"a": [], "v": [], "n": []}
        for r in range(ROUNDS):
            log(f"wrk: {title}, round {r + 1}/{ROUNDS}")
            got["a"].append(wrk(a_ep + path, a_tok, accept)[pick])
            got["v"].append(wrk(v_ep + path, v_tok, accept)[pick])
            got["n"].append(wrk(n_ep + static, None, accept)[pick])
        rows.append((title, unit, *(statistics.median(got[k]) for k in "avn")))
    # For comparison with figures taken without authentication: Verdaccio's anonymous read path.
    anon = statistics.median(wrk(v_ep + "bench-small", None)[0] for _ in range(ROUNDS))

    log("bursts: 1 and 20 simultaneous uncached requests for the big packument")
    burst = {(who, mode, n): bursts(ep, tok, n, mode)
             for who, ep, tok, modes in (("a", a_ep, a_tok, ("changed", "cold")), ("v", v_ep, v_tok, ("plain",)))
             for mode in modes for n in (1, 20)}

    log("npm install of 20 packages from a clean cache (hyperfine)")
    inst = npm_install([("arca", a_ep, a_tok), ("verdaccio", v_ep, v_tok)])
    rss_a, rss_v = peak_rss_mib(arca.pid), peak_rss_mib(verd.pid)
    return render(rows, burst, inst, rss_a, rss_v, (load_start, loadavg()), anon)


def ratio(a, b, digits):
    return f"{a / b:.{digits}f}x" if b else "n/a (0)"


def fmt(x, unit):
    return f"{x:,.0f} req/s" if unit == "rps" else f"{x:,.1f} MB/s"


def render(rows, burst, inst, rss_a, rss_v, load, anon):
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        m = re.search(r"model name\s*:\s*(.+)", f.read())
        cpu = m.group(1).strip() if m else cpu
    nginx_v = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip().split("/")[-1]
    node_v = run(["node", "--version"]).stdout.strip()
    lines = [
        f"Machine: {os.cpu_count()} CPUs ({cpu}); load generator and servers share them; load average "
        f"{load[0]} at the start, {load[1]} at the end. wrk -t{THREADS} -c{CONNS} -d{DURATION}, keep-alive, "
        f"medians of {ROUNDS} rounds with the servers alternating; Arca {ARCA_VERSION()} (access log off), "
        f"Verdaccio 6.8.0 on Node {node_v} (log level warn, JWT API tokens), nginx {nginx_v} (2 workers, sendfile, access log off) "
        "serving Arca's own documents and tarballs as static files. Every request to Arca and Verdaccio carries a "
        "Bearer token both verify.",
        "",
        "| load | Arca | Verdaccio | nginx | Arca / Verdaccio | Arca / nginx | target | met |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for title, unit, a, v, n in rows:
        if unit == "rps" and "packument" in title:
            target, met = ">= 20x Verdaccio, >= 0.3x nginx", a >= 20 * v and a >= 0.3 * n
        elif unit == "rps":
            target, met = ">= 0.5x nginx req/s", a >= 0.5 * n
        else:
            target, met = ">= 0.8x nginx MB/s", a >= 0.8 * n
        lines.append(f"| {title} | {fmt(a, unit)} | {fmt(v, unit)} | {fmt(n, unit)} | {ratio(a, v, 1)} | {ratio(a, n, 2)} "
                     f"| {target} | {'yes' if met else '**no**'} |")
    lines += [
        "",
        f"Verdaccio answering the small packument to anonymous clients (no token to verify; the package is "
        f"`access: $all`): {anon:,.0f} req/s, which puts Arca (with its token check) at {rows[0][2] / anon:.1f}x.",
        "",
        f"| {data.BIG_VERSIONS}-version packument, uncached | 1 request | 20 at once | ratio | target | met |",
        "|---|---:|---:|---:|---|---|",
    ]
    for who, mode, what in (("a", "changed", "Arca, package changed before each burst"),
                            ("a", "cold", "Arca, nothing cached (fresh Host)"),
                            ("v", "plain", "Verdaccio (renders every request)")):
        one, twenty = burst[(who, mode, 1)], burst[(who, mode, 20)]
        met = ("yes" if twenty <= 3 * one else "**no**") if who == "a" else ""
        lines.append(f"| {what} | {one * 1000:.0f} ms | {twenty * 1000:.0f} ms | {twenty / one:.2f}x "
                     f"| {'<= 3x' if who == 'a' else ''} | {met} |")
    lines += [
        "",
        "| npm install, 20 packages, clean cache | mean | stddev |",
        "|---|---:|---:|",
    ]
    for name in ("arca", "verdaccio"):
        mean, sd = inst[name]
        lines.append(f"| through {name} | {mean * 1000:.0f} ms | {sd * 1000:.0f} ms |")
    ia, iv = inst["arca"][0], inst["verdaccio"][0]
    lines += [
        f"\nInstall target (Arca no slower than Verdaccio): {'met' if ia <= iv else '**missed**'} "
        f"({ia / iv:.2f}x of Verdaccio's time).",
        "",
        f"Peak RSS over the whole run: Arca {rss_a:.1f} MiB, Verdaccio {rss_v:.1f} MiB.",
    ]
    return "\n".join(lines) + "\n"


def ARCA_VERSION():
    try:
        return run(["git", "-C", ROOT, "describe", "--always", "--dirty"]).stdout.strip()
    except subprocess.CalledProcessError:
        return "?"


if __name__ == "__main__":
    main()
