#!/usr/bin/env python3
"""bench/proxy/bench.py - Arca and Verdaccio 6.8 as pull-through proxies of the same fake upstream, one run.

The fake upstream is a second `arca serve` (its own data dir) holding 30 inter-dependent packages in an npm
repository that anyone may read (a repository policy: Principal "*", codeartifact:ReadFromRepository).
nginx stands in front of it as the counting layer: one port per server under test, `proxy_pass` to the fake
upstream, an access log line per request; the fake upstream's own access log must count the same requests
(checked for every run window). Arca under test has a repository with the external connection public:npmjs
pointed at its nginx port; Verdaccio an uplink to the same path on the other port, `proxy` for all packages.

hyperfine measures `npm install` of a project that depends on three of the packages (the other 27 come in
as dependencies of dependencies, so npm discovers them level by level):
  cold: empty npm cache, and the proxy restarted on a fresh data dir / storage dir before every run;
  warm: the proxy keeps what the last cold run cached, npm cache and node_modules cleared, --prefer-online.
npm runs with --no-audit, --no-fund and --update-notifier=false (with an empty cache npm would otherwise ask
the registry about a package named npm on every run). Each round runs cold then warm, the servers taking
turns to go first; medians over all rounds. The hyperfine --prepare step asks this script (a control
endpoint on 127.0.0.1) to reset; this script starts every server itself and stops each by its PID.
Prints a Markdown report.

Environment: BUILD (build dir, default build), BENCH_ROUNDS (4), BENCH_COLD_RUNS (3 per round and
server), BENCH_WARM_RUNS (5), BENCH_TTL (600: seconds both proxies serve cached metadata before asking
upstream again), BENCH_OUT (report file, default bench/proxy/results.md), BENCH_ARCA_PREFIX (a command,
e.g. `eatmydata`: adds a third contender, a second Arca run under that command with its own nginx port,
for A/B diagnosis in the same run).
"""
import collections
import importlib.util
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
NPM_BENCH = os.path.join(ROOT, "bench", "npm")
sys.path.insert(0, NPM_BENCH)
sys.dont_write_bytecode = True  # no __pycache__ left in bench/npm
import data  # noqa: E402  bench/npm/data.py: tarballs, manifests, the npm publish protocol

_spec = importlib.util.spec_from_file_location("npm_bench", os.path.join(NPM_BENCH, "bench.py"))
npm_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(npm_bench)  # Verdaccio's install step and the small helpers (ports, waits)

BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
ARCA = os.path.join(BUILD, "arca")
WORK = os.path.join(BUILD, "bench-proxy")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "4"))
COLD_RUNS = int(os.environ.get("BENCH_COLD_RUNS", "3"))
WARM_RUNS = int(os.environ.get("BENCH_WARM_RUNS", "5"))
PREFIX = os.environ.get("BENCH_ARCA_PREFIX", "").split()
TTL = int(os.environ.get("BENCH_TTL", "600"))
INSTALL_TIMEOUT = 300  # one npm install; hyperfine fails the benchmark when it is exceeded

N_PACKAGES = 30
NAMES = [f"proxy-p-{i:02d}" for i in range(1, N_PACKAGES + 1)]
DIRECT = NAMES[:3]
SERVERS = ("arca", "verdaccio") + ((f"arca-{os.path.basename(PREFIX[0])}",) if PREFIX else ())

started = []  # (name, Popen) of every process this script started and has not stopped


def log(msg):
    print(f"bench-proxy: {msg}", file=sys.stderr, flush=True)


def packages():
    """The 30 packages: proxy-p-NN depends on NN+1, NN+4 and NN+9 (when they exist), so all 30 are reached
    from the first three; incompressible payloads of 1-48 KiB, real gzip'd tarballs (bench/npm/data.py)."""
    rnd = random.Random(20241122)
    out = []
    for i, name in enumerate(NAMES):
        deps = {NAMES[j]: "^1.0.0" for j in (i + 1, i + 4, i + 9) if j < N_PACKAGES}
        out.append(data.package(name, "1.0.0", deps=deps, payload=rnd.randbytes((1, 4, 16, 48)[i % 4] * 1024)))
    return out


# ---- processes ---------------------------------------------------------------------------------

def clean_env(extra=None):
    """Our environment without ARCA_* and npm_config_* settings, which would change what is measured."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCA_") and not k.lower().startswith("npm_config_")}
    env.update(extra or {})
    return env


def start(name, args, env=None, cwd=None):
    out = open(os.path.join(WORK, f"{name}.log"), "ab")
    p = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    out.close()
    started.append((name, p))
    return p


def stop(p):
    """SIGTERM to this one process (by PID), SIGKILL after 30 s."""
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=30)
    started[:] = [(n, q) for n, q in started if q is not p]


def stop_all():
    for _, p in reversed(list(started)):
        stop(p)


def run(args, env=None, timeout=120, **kw):
    return subprocess.run(args, env=env, check=True, capture_output=True, text=True, timeout=timeout, **kw)


def aws_env(data_dir, base):
    return clean_env({"AWS_SHARED_CREDENTIALS_FILE": os.path.join(data_dir, "admin-credentials"),
                      "AWS_CONFIG_FILE": "/dev/null", "AWS_DEFAULT_REGION": "us-east-1",
                      "AWS_ENDPOINT_URL_CODEARTIFACT": base, "AWS_PAGER": ""})


def start_arca_server(name, data_dir, env, args=(), prefix=()):
    port = npm_bench.free_port()
    p = start(name, [*prefix, ARCA, "serve", "--listen", f"127.0.0.1:{port}", "--data", data_dir, *args], env=env)
    base = f"http://127.0.0.1:{port}"
    npm_bench.wait_http(base + "/healthz", ok=(200,))
    return p, base


def arca_repo(aws, domain, repo, external=None):
    """Creates domain/repo (with the external connection), returns (endpoint, token)."""
    run([ARCA, "create-domain", "--domain", domain], aws)
    run([ARCA, "create-repository", "--domain", domain, "--repository", repo], aws)
    if external:
        run([ARCA, "associate-external-connection", "--domain", domain, "--repository", repo,
             "--external-connection", external], aws)
    token = json.loads(run([ARCA, "get-authorization-token", "--domain", domain], aws).stdout)["authorizationToken"]
    endpoint = json.loads(run([ARCA, "get-repository-endpoint", "--domain", domain, "--repository", repo,
                               "--format", "npm"], aws).stdout)["repositoryEndpoint"]
    return endpoint, token


READ_ANYONE = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "codeartifact:ReadFromRepository", "Resource": "*"}]}


def start_upstream():
    """The fake public registry: an Arca with the 30 packages, readable without credentials, access log on."""
    d = os.path.join(WORK, "upstream")
    p, base = start_arca_server("upstream", d, clean_env({"ARCA_ACCESS_LOG": "true", "ARCA_LOG_LEVEL": "info"}))
    aws = aws_env(d, base)
    endpoint, token = arca_repo(aws, "world", "registry")
    run([ARCA, "put-repository-permissions-policy", "--domain", "world", "--repository", "registry",
         "--policy-document", json.dumps(READ_ANYONE)], aws)
    data.publish_all(endpoint, token, pkgs=packages())
    path = urllib.parse.urlsplit(endpoint).path
    with urllib.request.urlopen(endpoint + NAMES[0], timeout=30) as r:  # anonymous
        if json.load(r)["name"] != NAMES[0]:
            raise SystemExit("the fake upstream does not serve its packages anonymously")
    return p, int(urllib.parse.urlsplit(base).port), path


NGINX_CONF = """worker_processes 1;
pid {w}/nginx.pid;
error_log {w}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
  log_format count '$server_port $request_method $request_uri $status "$upstream_status" $body_bytes_sent $request_time';
  access_log {w}/access.log count;
  client_body_temp_path {w}/tmp/body;
  proxy_temp_path {w}/tmp/proxy;
  fastcgi_temp_path {w}/tmp/fastcgi;
  uwsgi_temp_path {w}/tmp/uwsgi;
  scgi_temp_path {w}/tmp/scgi;
  upstream fake {{ server 127.0.0.1:{up}; keepalive 16; keepalive_timeout 30s; }}
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Host $http_host;
  proxy_buffers 16 16k;
  proxy_max_temp_file_size 0;
  proxy_read_timeout 60s;
{servers}
}}
"""


def start_counter(up_port):
    """nginx in front of the fake upstream, one port per server under test. Host is passed on, so the
    tarball URLs the fake upstream writes into packuments name the port the request came through."""
    w = os.path.join(WORK, "nginx")
    os.makedirs(os.path.join(w, "tmp"))
    ports = {s: npm_bench.free_port() for s in SERVERS}
    with open(os.path.join(w, "nginx.conf"), "w") as f:
        f.write(NGINX_CONF.format(w=w, up=up_port, servers="\n".join(
            f"  server {{ listen 127.0.0.1:{p}; location / {{ proxy_pass http://fake; }} }}" for p in ports.values())))
    p = start("nginx", ["nginx", "-c", os.path.join(w, "nginx.conf"), "-p", w])
    npm_bench.wait_http(f"http://127.0.0.1:{ports['arca']}/healthz", ok=(200,))
    return p, ports


class Arca:
    """The Arca under test: one repository, npm-store, with public:npmjs pointing at its nginx port."""

    def __init__(self, name, upstream_url, prefix=()):
        self.name, self.upstream_url, self.prefix, self.proc = name, upstream_url, prefix, None

    def reset(self):
        if self.proc:
            stop(self.proc)
        d = os.path.join(WORK, f"{self.name}-data")
        shutil.rmtree(d, ignore_errors=True)
        env = clean_env({"ARCA_ACCESS_LOG": "false", "ARCA_LOG_LEVEL": "warn", "ARCA_UPSTREAM_METADATA_TTL": str(TTL)})
        self.proc, base = start_arca_server(self.name, d, env, ("--external", f"public:npmjs={self.upstream_url}"),
                                            self.prefix)
        return arca_repo(aws_env(d, base), "bench", "npm-store", external="public:npmjs")


VERDACCIO_CONFIG = """storage: {storage}
auth:
  htpasswd:
    file: {storage}/htpasswd
    max_users: 10
uplinks:
  upstream:
    url: {upstream}
    maxage: {ttl}s
    timeout: 30s
packages:
  '**':
    access: $authenticated
    publish: $authenticated
    proxy: upstream
security:
  api:
    jwt:
      sign:
        expiresIn: 7d
server:
  keepAliveTimeout: 60
web:
  enable: false
log: {{type: stdout, format: pretty, level: warn}}
"""


class Verdaccio:
    """Verdaccio 6.8 (bench/npm's copy): an uplink to the same path on the other nginx port."""

    def __init__(self, upstream_url):
        self.bin = npm_bench.install_verdaccio()
        self.upstream_url, self.proc = upstream_url, None

    def reset(self):
        if self.proc:
            stop(self.proc)
        d = os.path.join(WORK, "verdaccio")
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(os.path.join(d, "storage"))
        conf = os.path.join(d, "config.yaml")
        with open(conf, "w") as f:
            f.write(VERDACCIO_CONFIG.format(storage=os.path.join(d, "storage"), upstream=self.upstream_url, ttl=TTL))
        port = npm_bench.free_port()
        self.proc = start("verdaccio", ["node", self.bin, "--config", conf, "--listen", f"127.0.0.1:{port}"],
                          env=clean_env())
        base = f"http://127.0.0.1:{port}/"
        npm_bench.wait_http(base + "-/ping")
        req = urllib.request.Request(base + "-/user/org.couchdb.user:bench", method="PUT",
                                     data=json.dumps({"name": "bench", "password": "bench-pass-1"}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return base, json.load(r)["token"]


# ---- counting ----------------------------------------------------------------------------------

class Counter:
    """Reads what nginx and the fake upstream logged since the last call."""

    def __init__(self, ports, repo_path):
        self.port_of = {str(p): s for s, p in ports.items()}
        self.repo_path = repo_path
        self.nginx_log = os.path.join(WORK, "nginx", "access.log")
        self.up_log = os.path.join(WORK, "upstream.log")
        self.offsets = {self.nginx_log: 0, self.up_log: 0}
        # What came before (setup, and the probe start_counter sent through nginx, which nginx logs once it
        # has answered) is nobody's.
        deadline = time.monotonic() + 10
        while not self.take()[0] and time.monotonic() < deadline:
            time.sleep(0.05)

    def _new_lines(self, path):
        with open(path, "rb") as f:
            f.seek(self.offsets[path])
            chunk = f.read()
        end = chunk.rfind(b"\n") + 1  # a line still being written waits for the next call
        self.offsets[path] += end
        return chunk[:end].decode(errors="replace").splitlines()

    def take(self):
        """{server: [(method, path, status, upstream_status)]}, and how many requests for the repository
        the fake upstream itself logged in the same window (must equal the sum: nothing retried or lost)."""
        per = collections.defaultdict(list)
        for line in self._new_lines(self.nginx_log):
            port, method, uri, status, up_status, _ = line.split(" ", 5)
            per[self.port_of.get(port, port)].append((method, uri, int(status), up_status.strip('"')))
        needle = f" {self.repo_path}"
        seen = sum(1 for line in self._new_lines(self.up_log) if " access " in line and needle in line)
        return per, seen


def cpu_seconds(pid):
    """User + system CPU time the process (all its threads) has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Control:
    """The hyperfine --prepare endpoint: closes the previous run (its upstream requests, its install checked),
    then readies the next: cold restarts the server on fresh data, warm only clears the client."""

    def __init__(self, counter, servers):
        self.counter, self.servers = counter, servers
        self.lock = threading.Lock()
        self.open = None  # (server, phase) of the run in progress
        self.cpu_start = 0.0  # CPU seconds the open run's server had used when the run began
        self.runs = collections.defaultdict(list)  # (server, phase) -> [[(method, path, status, up)], ...]
        self.cpu = collections.defaultdict(list)  # (server, phase) -> [server CPU seconds of each run]
        self.errors = []
        self.clients = {}
        for s in SERVERS:
            proj = os.path.join(WORK, f"client-{s}")
            os.makedirs(proj)
            with open(os.path.join(proj, "package.json"), "w") as f:
                json.dump({"name": f"bench-proxy-{s}", "version": "1.0.0", "private": True,
                           "dependencies": {n: "^1.0.0" for n in DIRECT}}, f)
            self.clients[s] = proj

    def npm_command(self, server):
        proj = self.clients[server]
        return (f"timeout {INSTALL_TIMEOUT} npm install --prefix {proj} --userconfig {proj}.npmrc "
                f"--cache {proj}-cache --no-audit --no-fund --update-notifier=false --prefer-online --loglevel=error")

    def close(self):
        per, seen = self.counter.take()
        # Each server logs a request when it has finished it, so a line may still be on its way: the two
        # counts must agree within 5 s (polled), or the window is reported as miscounted.
        deadline = time.monotonic() + 5
        while sum(len(v) for v in per.values()) != seen and time.monotonic() < deadline:
            time.sleep(0.05)
            more, more_seen = self.counter.take()
            for k, v in more.items():
                per[k] += v
            seen += more_seen
        if sum(len(v) for v in per.values()) != seen:
            self.errors.append(f"{self.open}: nginx logged {sum(len(v) for v in per.values())} requests, the fake "
                               f"upstream {seen}")
        if self.open is None:
            if any(per.values()):
                self.errors.append(f"upstream requests outside any run: {dict(per)}")
            return
        server, _ = self.open
        other = [s for s in per if s != server and per[s]]
        if other:
            self.errors.append(f"{self.open}: upstream requests from {other} during the run")
        self.runs[self.open].append(per.get(server, []))
        self.cpu[self.open].append(cpu_seconds(self.servers[server].proc.pid) - self.cpu_start)
        for name in NAMES:
            try:
                with open(os.path.join(self.clients[server], "node_modules", name, "package.json")) as f:
                    if json.load(f)["version"] != "1.0.0":
                        raise ValueError("wrong version")
            except (OSError, ValueError) as e:
                self.errors.append(f"{self.open}: {name} not installed: {e}")
        self.open = None

    def prepare(self, phase, server):
        with self.lock:
            self.close()
            proj = self.clients[server]
            for p in (os.path.join(proj, "node_modules"), os.path.join(proj, "package-lock.json"), proj + "-cache"):
                if os.path.isdir(p):
                    shutil.rmtree(p)
                elif os.path.exists(p):
                    os.remove(p)
            if phase == "cold":
                endpoint, token = self.servers[server].reset()
                with open(proj + ".npmrc", "w") as f:
                    f.write(f"registry={endpoint}\n{endpoint.split(':', 1)[1]}:_authToken={token}\n")
            self.open = (server, phase)
            self.cpu_start = cpu_seconds(self.servers[server].proc.pid)

    def serve(self):
        control = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                try:
                    _, phase, server = self.path.split("/")
                    if phase not in ("cold", "warm") or server not in SERVERS:
                        raise ValueError(self.path)
                    control.prepare(phase, server)
                    self.send_response(200)
                    body = b"ok\n"
                except Exception as e:  # reported to hyperfine (curl -f fails) and in the report
                    control.errors.append(f"prepare {self.path}: {e!r}")
                    self.send_response(500)
                    body = f"{e!r}\n".encode()
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        return httpd


# ---- measurement -------------------------------------------------------------------------------

def hyperfine(control, phase, runs, port, out, order):
    args = ["hyperfine", "--runs", str(runs), "--warmup", "0", "--export-json", out]
    for s in order:
        args += ["-n", s, "--prepare", f"curl -sf --max-time 300 http://127.0.0.1:{port}/{phase}/{s}",
                 control.npm_command(s)]
    home = tempfile.mkdtemp(dir=WORK)
    p = subprocess.run(args, env=clean_env({"HOME": home}), capture_output=True, text=True,
                       timeout=runs * len(SERVERS) * (INSTALL_TIMEOUT + 300))
    if p.returncode != 0:
        raise SystemExit(f"hyperfine failed ({p.returncode}):\n{p.stderr[-3000:]}\n" + "\n".join(control.errors))
    with control.lock:
        control.close()
    with open(out) as f:
        # times: wall seconds of each run; user + system: npm's mean CPU seconds per run (with its children)
        return {r["command"]: (r["times"], r["user"] + r["system"]) for r in json.load(f)["results"]}


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def measure():
    load_start = loadavg()
    up, up_port, repo_path = start_upstream()
    nginx, ports = start_counter(up_port)
    counter = Counter(ports, repo_path)
    url = {s: f"http://127.0.0.1:{ports[s]}{repo_path}" for s in SERVERS}
    servers = {"arca": Arca("arca", url["arca"]), "verdaccio": Verdaccio(url["verdaccio"])}
    if PREFIX:
        servers[SERVERS[2]] = Arca(SERVERS[2], url[SERVERS[2]], PREFIX)
    control = Control(counter, servers)
    httpd = control.serve()
    port = httpd.server_address[1]
    times = collections.defaultdict(list)
    npm_cpu = collections.defaultdict(list)  # (server, phase) -> npm's mean CPU seconds, one per hyperfine
    rounds = []  # (load average at the start, {(server, phase): median})
    try:
        for r in range(ROUNDS):
            order = SERVERS if r % 2 == 0 else SERVERS[::-1]
            rounds.append((loadavg(), {}))
            for phase, runs in (("cold", COLD_RUNS), ("warm", WARM_RUNS)):
                log(f"round {r + 1}/{ROUNDS}: {phase}, {runs} runs per server, {' then '.join(order)}")
                got = hyperfine(control, phase, runs, port, os.path.join(WORK, f"hyperfine-{phase}-{r + 1}.json"),
                                order)
                for s in SERVERS:
                    times[(s, phase)] += got[s][0]
                    npm_cpu[(s, phase)].append(got[s][1])
                    rounds[-1][1][(s, phase)] = statistics.median(got[s][0])
                if control.errors:
                    raise SystemExit("benchmark invalid:\n" + "\n".join(control.errors))
        rss = {s: npm_bench.peak_rss_mib(servers[s].proc.pid) for s in SERVERS}
    finally:
        httpd.shutdown()
    with open(os.path.join(WORK, "upstream-requests.json"), "w") as f:
        json.dump({f"{s} {ph}": runs for (s, ph), runs in control.runs.items()}, f, indent=1)
    cpu = {k: (statistics.median(v), statistics.mean(npm_cpu[k])) for k, v in control.cpu.items()}
    return render(times, control.runs, cpu, rss, (load_start, loadavg()), rounds)


def ms(t):
    return f"{t * 1000:,.0f} ms"


def render(times, runs, cpu, rss, load, rounds):
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        m = re.search(r"model name\s*:\s*(.+)", f.read())
        model = m.group(1).strip() if m else model
    node_v = run(["node", "--version"]).stdout.strip()
    npm_v = run(["npm", "--version"]).stdout.strip()
    distinct = 2 * N_PACKAGES  # one packument and one tarball per package
    med = {k: statistics.median(v) for k, v in times.items()}
    variant = SERVERS[2:]
    lines = [
        f"Machine: {os.cpu_count()} CPUs ({model}), shared by npm, the proxies, nginx and the fake upstream (and "
        f"whatever else ran on it); load average {load[0]} at the start, {load[1]} at the end. Arca "
        f"{npm_bench.ARCA_VERSION()} (access log off), Verdaccio 6.8.0 on Node {node_v}, npm {npm_v}. {ROUNDS} "
        f"rounds; per round and server {COLD_RUNS} cold and {WARM_RUNS} warm runs. Both proxies keep upstream "
        f"metadata for {TTL} s." + (f" `{SERVERS[2]}`: a second Arca run under `{' '.join(PREFIX)}`." if variant else ""),
        "",
        f"`npm install` of {N_PACKAGES} packages (3 direct dependencies, 27 transitive), wall time, median "
        "(min-max) over all runs:",
        "",
        "| | Arca | Verdaccio | Arca / Verdaccio |" + "".join(f" {v} | {v} / Verdaccio |" for v in variant),
        "|---|---:|---:|---:|" + "---:|---:|" * len(variant),
    ]
    for phase, what in (("cold", "cold (empty proxy, empty npm cache)"),
                        ("warm", "warm (proxy cached, empty npm cache, --prefer-online)")):
        cells = {s: f"{ms(med[(s, phase)])} ({ms(min(times[(s, phase)]))[:-3]}-{ms(max(times[(s, phase)]))})"
                 for s in SERVERS}
        row = f"| {what} | {cells['arca']} | {cells['verdaccio']} | {med[('arca', phase)] / med[('verdaccio', phase)]:.2f}x |"
        for v in variant:
            row += f" {cells[v]} | {med[(v, phase)] / med[('verdaccio', phase)]:.2f}x |"
        lines.append(row)
    lines += [
        "",
        "Per round (medians; the servers take turns to go first):",
        "",
        "| round | load avg at start | cold, " + " / ".join(SERVERS) + " | warm, " + " / ".join(SERVERS) + " |",
        "|---|---:|---:|---:|",
    ]
    for i, (la, m) in enumerate(rounds):
        lines.append(f"| {i + 1} | {la} | " + " / ".join(ms(m[(s, 'cold')]) for s in SERVERS) + " | "
                     + " / ".join(ms(m[(s, 'warm')]) for s in SERVERS) + " |")
    lines += [
        "",
        "CPU time per run (all threads, user + system): the server's median from /proc between the end of the "
        "reset and the next one (a cold run's server start-up is not in it), npm's mean from hyperfine:",
        "",
        "| | " + " | ".join(SERVERS) + " | npm, through " + " / ".join(SERVERS) + " |",
        "|---|" + "---:|" * (len(SERVERS) + 1),
    ]
    for phase in ("cold", "warm"):
        lines.append(f"| {phase} | " + " | ".join(ms(cpu[(s, phase)][0]) for s in SERVERS) + " | "
                     + " / ".join(ms(cpu[(s, phase)][1]) for s in SERVERS) + " |")
    lines += [
        "",
        f"Upstream requests per run, counted by the nginx in front of the fake upstream (which logged the same "
        f"number in every window between two runs). Distinct files needed: {distinct} ({N_PACKAGES} packuments "
        f"+ {N_PACKAGES} tarballs).",
        "",
        "| | requests per run (min-max) | distinct paths per run | requested more than once in a run | statuses, all runs |",
        "|---|---:|---:|---|---|",
    ]
    summary = {}
    for s in SERVERS:
        for phase in ("cold", "warm"):
            rs = runs[(s, phase)]
            counts = [len(r) for r in rs]
            paths = [collections.Counter(uri for _, uri, _, _ in r) for r in rs]
            statuses = collections.Counter(st for r in rs for _, _, st, _ in r)
            dup = sorted({p.rsplit("/", 1)[-1] for c in paths for p, n in c.items() if n > 1})
            summary[(s, phase)] = (counts, paths)
            lines.append(f"| {s}, {phase} | {min(counts)}-{max(counts)} | "
                         f"{min(len(c) for c in paths)}-{max(len(c) for c in paths)} | "
                         f"{', '.join(dup[:4]) + (' ...' if len(dup) > 4 else '') if dup else 'none'} | "
                         f"{', '.join(f'{k}: {v}' for k, v in sorted(statuses.items())) or '-'} |")
    a_counts, a_paths = summary[("arca", "cold")]
    exact = all(n == distinct for n in a_counts) and all(len(c) == distinct for c in a_paths)
    warm_ok = med[("arca", "warm")] <= med[("verdaccio", "warm")]
    lines += [
        "",
        f"Targets: warm Arca <= Verdaccio: {'met' if warm_ok else '**missed**'} "
        f"({med[('arca', 'warm')] / med[('verdaccio', 'warm')]:.2f}x); Arca's cold upstream requests = distinct "
        f"files ({distinct}, each once, in every run): {'met' if exact else '**missed**'}.",
        "",
        "Peak RSS (VmHWM) of the last instances (one cold run and the warm runs of the last round): "
        + ", ".join(f"{s} {rss[s]:.1f} MiB" for s in SERVERS) + ".",
    ]
    return "\n".join(lines) + "\n"


def main():
    if not os.path.exists(ARCA):
        raise SystemExit(f"{ARCA} is missing: make build")
    for tool in ("nginx", "hyperfine", "node", "npm", "curl"):
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


if __name__ == "__main__":
    main()
