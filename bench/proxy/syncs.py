#!/usr/bin/env python3
"""bench/proxy/syncs.py - counts the fsync/fdatasync calls of the Arca under test during one cold npm install.

The same setup as bench.py (fake upstream, counting nginx, an Arca with public:npmjs on a fresh data dir),
but the Arca runs under `strace -f -y -e trace=fsync,fdatasync` and one `npm install` of the 30 packages
is made. The calls made while the install runs (not those of start-up and repository setup) are counted
by what they sync: the SQLite WAL, a blob (its temp file), a blob store directory, the data directory.
With --old-store every shard directory (blobs/ab/cd) exists before the install, as in a store that holds a
few hundred thousand blobs, where a put rarely makes a directory. Needs strace. Output: a Markdown table on
stdout; files under build/bench-syncs/ (BUILD to change).
"""
import collections
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
_spec = importlib.util.spec_from_file_location("proxy_bench", os.path.join(HERE, "bench.py"))
pb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pb)  # the setup helpers; its WORK is replaced below so a bench run is not touched
pb.WORK = os.path.join(pb.BUILD, "bench-syncs")


def kind(path, data):
    rel = path[len(data):] if path.startswith(data + "/") or path == data else None
    if rel is None:
        return f"other: {path}"
    if rel.endswith("-wal"):
        return "SQLite WAL (commits)"
    if rel.startswith("/tmp/"):
        return "blob file (before its rename)"
    if re.fullmatch(r"/blobs/[0-9a-f]{2}", rel):
        return "blob store directory `ab` (a new `ab/cd` made in it)"
    if re.fullmatch(r"/blobs/[0-9a-f]{2}/[0-9a-f]{2}", rel):
        return "blob store directory `ab/cd` (a blob renamed into it)"
    if rel == "/blobs":
        return "blob store root (a new `ab` made in it)"
    if rel == "":
        return "data directory (SQLite, once per connection)"
    return f"other: {rel}"


def main():
    for tool in ("strace", "nginx", "node", "npm"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing")
    shutil.rmtree(pb.WORK, ignore_errors=True)
    os.makedirs(pb.WORK)
    trace = os.path.join(pb.WORK, "strace.txt")
    try:
        _, up_port, repo_path = pb.start_upstream()
        _, ports = pb.start_counter(up_port)
        arca = pb.Arca("arca", f"http://127.0.0.1:{ports['arca']}{repo_path}",
                       ("strace", "-f", "-y", "-o", trace, "-e", "trace=fsync,fdatasync"))
        endpoint, token = arca.reset()
        if "--old-store" in sys.argv[1:]:
            blobs = os.path.join(pb.WORK, "arca-data", "blobs")
            for a in range(256):
                for b in range(256):
                    os.makedirs(os.path.join(blobs, f"{a:02x}", f"{b:02x}"), mode=0o700, exist_ok=True)
        proj = os.path.join(pb.WORK, "client")
        os.makedirs(proj)
        with open(os.path.join(proj, "package.json"), "w") as f:
            json.dump({"name": "bench-syncs", "version": "1.0.0", "private": True,
                       "dependencies": {n: "^1.0.0" for n in pb.DIRECT}}, f)
        with open(proj + ".npmrc", "w") as f:
            f.write(f"registry={endpoint}\n{endpoint.split(':', 1)[1]}:_authToken={token}\n")
        with open(trace) as f:
            before = sum(1 for _ in f)
        subprocess.run(["npm", "install", "--prefix", proj, "--userconfig", proj + ".npmrc", "--cache", proj + "-cache",
                        "--no-audit", "--no-fund", "--update-notifier=false", "--prefer-online", "--loglevel=error"],
                       env=pb.clean_env(), check=True, capture_output=True, timeout=pb.INSTALL_TIMEOUT)
        for name in pb.NAMES:
            if not os.path.exists(os.path.join(proj, "node_modules", name, "package.json")):
                raise SystemExit(f"{name} was not installed")
        with open(trace) as f:
            lines = f.read().splitlines()[before:]
    finally:
        pb.stop_all()
    data = os.path.join(pb.WORK, "arca-data")
    counts = collections.Counter()
    for line in lines:
        m = re.search(r"\b(fsync|fdatasync)\(\d+<([^>]*)>", line)  # "resumed" lines repeat a call: skipped
        if m:
            counts[(m.group(1), kind(m.group(2), data))] += 1
    store = "every shard directory made beforehand" if "--old-store" in sys.argv[1:] else "a fresh data directory"
    print(f"fsync/fdatasync calls of Arca ({pb.npm_bench.ARCA_VERSION()}, {pb.ARCA}) during one cold `npm install` "
          f"of {pb.N_PACKAGES} packages, {store}: **{sum(counts.values())}**\n")
    print("| call | what it syncs | count |\n|---|---|---:|")
    for (call, what), n in counts.most_common():
        print(f"| `{call}` | {what} | {n} |")


if __name__ == "__main__":
    main()
