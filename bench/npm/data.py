#!/usr/bin/env python3
"""bench/npm/data.py - the benchmark's packages, published the way npm publishes (PUT /{pkg} with the
tarball attached) to any npm registry, and exported as static files for nginx.

  data.py publish REGISTRY_URL TOKEN        publish every package (Arca or Verdaccio)
  data.py export REGISTRY_URL TOKEN DIR     save Arca's documents and tarballs as files under DIR
  data.py touch REGISTRY_URL TOKEN          change bench-big (a dist-tag) so its packument is uncached
"""
import base64
import gzip
import hashlib
import http.client
import io
import json
import os
import random
import sys
import tarfile
import time
import urllib.parse

BIG_VERSIONS = 2000
INSTALL_SET = [f"bench-i-{i:02d}" for i in range(1, 21)]
CORGI = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"


def tarball(name, version, manifest, payload=b""):
    files = {"package/package.json": json.dumps(manifest, indent=2).encode(),
             "package/index.js": f"module.exports = {json.dumps(name + '@' + version)};\n".encode(),
             "package/README.md": f"# {name}\n\nBenchmark package.\n".encode()}
    if payload:
        files["package/data.bin"] = payload
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size, info.mode, info.mtime = len(data), 0o644, 499162500
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), compresslevel=6, mtime=0)


def package(name, version, deps=None, payload=b"", extra=None):
    """(name, version, manifest, tarball) of one package version; bench/proxy builds its set with it."""
    m = {"name": name, "version": version, "description": f"{name} benchmark package", "license": "MIT",
         "main": "index.js", "keywords": ["bench", "arca"], "repository": {"type": "git", "url": "git+ssh://x"}}
    if deps:
        m["dependencies"] = deps
    m.update(extra or {})
    return name, version, m, tarball(name, version, m, payload)


def packages():
    """(name, version, manifest, tarball) for every publish, in order; deterministic."""
    rnd = random.Random(20240601)
    out = []

    def add(name, version, deps=None, payload=b"", extra=None):
        out.append(package(name, version, deps, payload, extra))

    add("bench-small", "1.0.0")
    for i in range(BIG_VERSIONS):
        add("bench-big", f"{1 + i // 1000}.{i // 100 % 10}.{i % 100}",
            deps={"bench-i-01": "^1.0.0", "bench-i-02": "^1.0.0"}, extra={"engines": {"node": ">=18"}})
    add("bench-t10k", "1.0.0", payload=rnd.randbytes(10 * 1024 - 700))
    add("bench-t5m", "1.0.0", payload=rnd.randbytes(5 * 1024 * 1024))
    for i, name in enumerate(INSTALL_SET):
        deps = {INSTALL_SET[j]: "^1.0.0" for j in (i + 1, i + 7) if j < len(INSTALL_SET)}
        add(name, "1.0.0", deps=deps, payload=rnd.randbytes(2048))
    return out


def connect(registry):
    u = urllib.parse.urlsplit(registry)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=300), u.path


def publish_all(registry, token, skip=None, pkgs=None):
    """Publishes every package version of pkgs (default: packages()) in order; skip(name, version) leaves
    some out."""
    conn, base = connect(registry)
    start = time.monotonic()
    n = 0
    for name, version, manifest, tgz in pkgs if pkgs is not None else packages():
        if skip and skip(name, version):
            continue
        n += 1
        vm = dict(manifest, _id=f"{name}@{version}", dist={
            "integrity": "sha512-" + base64.b64encode(hashlib.sha512(tgz).digest()).decode(),
            "shasum": hashlib.sha1(tgz).hexdigest(), "tarball": f"{registry}{name}/-/{name}-{version}.tgz"})
        body = {"_id": name, "name": name, "description": manifest["description"], "dist-tags": {"latest": version},
                "versions": {version: vm}, "readme": f"# {name}\n",
                "_attachments": {f"{name}-{version}.tgz": {"content_type": "application/octet-stream",
                                                           "data": base64.b64encode(tgz).decode(),
                                                           "length": len(tgz)}}}
        conn.request("PUT", base + name, json.dumps(body),
                     {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        if r.status not in (200, 201):
            sys.exit(f"publish {name}@{version}: {r.status} {data[:300]!r}")
    print(f"published {n} versions in {time.monotonic() - start:.1f} s", file=sys.stderr)


def verdaccio_seed_big(registry, token, storage):
    """Verdaccio rewrites its whole package.json on every publish, so 2,000 publishes take minutes
    (measured: 515 s). The first version goes through its publish API; the others are then written
    into its storage in the very format that publish produced (entries cloned from the first)."""
    big = [p for p in packages() if p[0] == "bench-big"]
    publish_all(registry, token, skip=lambda name, version: name != "bench-big" or version != big[0][1])
    path = os.path.join(storage, "bench-big", "package.json")
    with open(path) as f:
        doc = json.load(f)
    first = doc["versions"][big[0][1]]
    for name, version, manifest, tgz in big[1:]:
        fname = f"{name}-{version}.tgz"
        entry = dict(manifest, _id=f"{name}@{version}", contributors=first.get("contributors", []), dist={
            "integrity": "sha512-" + base64.b64encode(hashlib.sha512(tgz).digest()).decode(),
            "shasum": hashlib.sha1(tgz).hexdigest(), "tarball": first["dist"]["tarball"].replace(
                f"{name}-{big[0][1]}.tgz", fname)})
        doc["versions"][version] = entry
        doc["time"][version] = doc["time"][big[0][1]]
        doc["_attachments"][fname] = {"shasum": entry["dist"]["shasum"], "version": version}
        with open(os.path.join(storage, "bench-big", fname), "wb") as f:
            f.write(tgz)
    doc["dist-tags"]["latest"] = big[-1][1]
    with open(path + ".tmp", "w") as f:
        json.dump(doc, f)
    os.rename(path + ".tmp", path)
    conn, base = connect(registry)
    if len(json.loads(get(conn, base + "bench-big", token))["versions"]) != len(big):
        sys.exit("verdaccio does not see the seeded versions")
    get(conn, f"{base}bench-big/-/bench-big-{big[-1][1]}.tgz", token)


def get(conn, path, token, accept="application/json"):
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}", "Accept": accept})
    r = conn.getresponse()
    data = r.read()
    if r.status != 200:
        sys.exit(f"GET {path}: {r.status} {data[:200]!r}")
    return data


def export(registry, token, out):
    """The bytes Arca serves, as plain files for nginx: same documents, same tarballs."""
    conn, base = connect(registry)
    os.makedirs(out, exist_ok=True)
    files = {"small.json": ("bench-small", "application/json"), "big.json": ("bench-big", "application/json"),
             "big-corgi.json": ("bench-big", CORGI)}
    for fname, (pkg, accept) in files.items():
        with open(os.path.join(out, fname), "wb") as f:
            f.write(get(conn, base + pkg, token, accept))
    for pkg in ("bench-t10k", "bench-t5m"):
        with open(os.path.join(out, pkg + ".tgz"), "wb") as f:
            f.write(get(conn, f"{base}{pkg}/-/{pkg}-1.0.0.tgz", token))


def touch(registry, token):
    conn, base = connect(registry)
    tag = f"t{time.monotonic_ns()}"
    conn.request("PUT", f"{base}-/package/bench-big/dist-tags/{tag}", json.dumps("1.0.0"),
                 {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    r = conn.getresponse()
    r.read()
    if r.status not in (200, 201):
        sys.exit(f"dist-tag: {r.status}")


def main():
    cmd, registry, token = sys.argv[1], sys.argv[2], sys.argv[3]
    if cmd == "publish":
        publish_all(registry, token)
    elif cmd == "export":
        export(registry, token, sys.argv[4])
    elif cmd == "touch":
        touch(registry, token)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
