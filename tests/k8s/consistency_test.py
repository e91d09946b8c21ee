#!/usr/bin/env python3
"""Each Deployment's binary, started the way its container would be, serves its probes.

For each overlay: render it with freshly generated secrets (k8s/make-secrets), start a
PostgreSQL (with TLS, as prod requires) and a Redis (with the Secret's password), then
start every Deployment of ours in dependency order with exactly the container's command,
args and environment - nothing inherited - where only addresses are rewritten to
loopback:
  - the listen address 0.0.0.0:P becomes 127.0.0.1:<free port>, and P must be the
    container port the probes name;
  - an upstream address (dns:///identity-headless:50051) must lead, through a Service of
    the manifests, to the workload listening on that port, and becomes its local port;
  - PostgreSQL and Redis addresses become the test servers'.
Then every probe (gRPC health service or HTTP path) must answer SERVING / 200, the
gateway's /readyz must find every upstream, a token made with the Secret's signing key
must be accepted by every service through the gateway, /metrics must answer on the
metrics port, the binary must not warn of a variable it does not know,
and on SIGTERM it must exit cleanly within its drain, which the grace period must cover.
A binary missing a required variable exits at start and names it.
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import manifests
from manifests import Problem

BUILD = os.environ.get("FX_BUILD_DIR", os.path.join(manifests.ROOT, "build"))
READY_WITHIN_S = 30


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shell(script, env=None):
    """Runs bash with scripts/lib.sh sourced; returns its stdout."""
    out = subprocess.run(["bash", "-c", f"source {manifests.ROOT}/scripts/lib.sh; {script}"],
                         capture_output=True, text=True, env={**os.environ, **(env or {})})
    if out.returncode != 0:
        raise Problem(f"{script}: {out.stderr.strip()}")
    return out.stdout.strip()


def until(deadline_s, probe, process=None):
    """Calls PROBE until it returns None (success), the deadline passes or PROCESS exits;
    returns the last failure."""
    deadline = time.monotonic() + deadline_s
    while True:
        failure = probe()
        if failure is None or time.monotonic() > deadline:
            return failure
        if process is not None and process.poll() is not None:
            return f"{failure} (the process exited with status {process.returncode})"
        time.sleep(0.1)


class Servers:
    """A throwaway PostgreSQL (TLS on) and Redis (password) for one overlay's binaries."""

    def __init__(self, workdir):
        self.dir = workdir
        os.chmod(workdir, 0o755)  # PostgreSQL runs as the postgres user
        ssl = os.path.join(workdir, "ssl")
        os.makedirs(ssl)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-keyout", f"{ssl}/server.key",
                        "-out", f"{ssl}/server.crt"], check=True, capture_output=True)
        os.chmod(f"{ssl}/server.key", 0o600)
        if os.getuid() == 0:
            shutil.chown(ssl, "postgres")
            for f in ("server.key", "server.crt"):
                shutil.chown(f"{ssl}/{f}", "postgres")
        self.pg_port = free_port()
        self.pg_password = shell("fx_random_hex 16")
        shell(f"fx_start_postgres {workdir}/pg {self.pg_port} {self.pg_password} >/dev/null",
              {"FX_PG_FSYNC": "off",
               "FX_PG_OPTS": f"-c ssl=on -c ssl_cert_file={ssl}/server.crt "
                             f"-c ssl_key_file={ssl}/server.key"})
        self.redis_port = None

    def start_redis(self, password):
        self.redis_port = free_port()
        shell(f"fx_start_redis {self.dir}/redis {self.redis_port} {password} >/dev/null")

    def create_database(self, user, database, password):
        psql = os.path.join(shell("fx_pg_bin"), "psql")
        dsn = f"host=127.0.0.1 port={self.pg_port} user=postgres dbname=postgres"
        for sql in (f"CREATE ROLE {user} LOGIN PASSWORD '{password}'",
                    f"CREATE DATABASE {database} OWNER {user}"):
            subprocess.run([psql, dsn, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True,
                           capture_output=True, env={**os.environ, "PGPASSWORD": self.pg_password})

    def stop(self):
        shell(f"fx_stop_postgres {self.dir}/pg")
        if self.redis_port:
            shell(f"fx_stop_pid $(cat {self.dir}/redis/redis.pid)")


def binary_for(command):
    """The build's binary for a container command such as /usr/local/bin/identity_server."""
    name = os.path.basename(command)
    found = (glob.glob(f"{BUILD}/services/*/{name}") + glob.glob(f"{BUILD}/gateway/{name}") +
             glob.glob(f"{BUILD}/tools/{name}"))
    if not found:
        raise Problem(f"command {command}: no binary {name} in {BUILD} (is it built?)")
    return found[0]


class Started:
    def __init__(self, workload, process, log, listen_port, local_port, metrics_port, env):
        self.workload, self.process, self.log = workload, process, log
        self.listen_port, self.local_port, self.metrics_port = listen_port, local_port, metrics_port
        self.env = env


def ours(m):
    return [w for w in m.of_kind("Deployment") if "fangxian" in m.container(w)["image"]]


def start_order(m):
    """Deployments, each after the Deployments it calls (upstreams first)."""
    deployments = {m.name(w): w for w in ours(m)}
    order, placing = [], set()

    def place(name):
        if any(m.name(w) == name for w in order):
            return
        if name in placing:
            raise Problem(f"{name} calls itself through a cycle of upstream addresses")
        placing.add(name)
        for _, host, port in m.upstreams(deployments[name]):
            target = m.resolve(host, port)
            if target and m.name(target[0]) in deployments:
                place(m.name(target[0]))
        order.append(deployments[name])

    for name in sorted(deployments):
        place(name)
    return order


def local_env(m, w, servers, started, problems):
    """The container's environment with addresses rewritten to loopback, and its ports."""
    name = m.name(w)
    env = m.env(w)
    listen_var = next((v for v in manifests.LISTEN_VARS if v in env), None)
    if listen_var is None:
        raise Problem(f"{name}: sets neither of {manifests.LISTEN_VARS}")
    host, listen_port = manifests.split_address(env[listen_var])
    if host != "0.0.0.0":
        problems.append(f"{name}: {listen_var}={env[listen_var]} is not reachable from "
                        "outside the pod; listen on 0.0.0.0")
    if m.container_port(w, listen_port) is None:
        problems.append(f"{name}: listens on {listen_port}, which the container does not declare")
    local_port = free_port()
    env[listen_var] = f"127.0.0.1:{local_port}"
    metrics_port = None
    if "FX_METRICS_PORT" in env:
        if m.container_port(w, "metrics") != int(env["FX_METRICS_PORT"]):
            problems.append(f"{name}: FX_METRICS_PORT={env['FX_METRICS_PORT']} is not the "
                            "container port named metrics")
        metrics_port = free_port()
        env["FX_METRICS_PORT"] = str(metrics_port)

    for var, host, port in m.upstreams(w):
        target = m.resolve(host, port)
        if var == "FX_PG_DSN":
            dsn = manifests.parse_dsn(env[var])
            dsn.update(host="127.0.0.1", port=str(servers.pg_port))
            env[var] = " ".join(f"{k}={v}" for k, v in dsn.items())
        elif var == "FX_REDIS_ADDR":
            env[var] = f"127.0.0.1:{servers.redis_port}"
        elif target is None or m.name(target[0]) not in started:
            raise Problem(f"{name}: {var}={env[var]} leads to no Deployment of the manifests")
        else:
            upstream = started[m.name(target[0])]
            if target[1] != upstream.listen_port:
                problems.append(f"{name}: {var} reaches {m.name(target[0])} on port {target[1]}, "
                                f"but it listens on {upstream.listen_port}")
            env[var] = f"127.0.0.1:{upstream.local_port}"
    return env, listen_port, local_port, metrics_port


def check_probe(m, s, kind, probe):
    """None when the probe answers healthy at the process's local port, else why not."""
    name = m.name(s.workload)
    if "grpc" in probe:
        if probe["grpc"]["port"] != s.listen_port:
            return f"{kind} checks port {probe['grpc']['port']}, the server listens on {s.listen_port}"
        service = probe["grpc"].get("service", "")
        timeout_ms = str(probe.get("timeoutSeconds", 1) * 1000)

        def ask():
            out = subprocess.run([f"{BUILD}/tools/fx_health", f"127.0.0.1:{s.local_port}",
                                  service, "--timeout-ms", timeout_ms],
                                 capture_output=True, text=True)
            return None if out.returncode == 0 else out.stdout.strip() or out.stderr.strip()
        failure = until(READY_WITHIN_S, ask, s.process)
        return failure and f"{kind} (grpc.health.v1 {service!r}) answered {failure}"
    if "httpGet" in probe:
        port = m.container_port(s.workload, probe["httpGet"]["port"])
        if port != s.listen_port:
            return f"{kind} checks port {probe['httpGet']['port']}, the server listens on {s.listen_port}"
        return http_ok(f"http://127.0.0.1:{s.local_port}{probe['httpGet']['path']}", kind,
                       s.process)
    return f"{kind} of {name} is neither grpc nor httpGet; this test cannot check it"


def http_ok(url, what, process):
    def get():
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return None if r.status == 200 else f"HTTP {r.status}"
        except Exception as e:  # refused while starting, or an HTTP error status
            return str(e)
    failure = until(READY_WITHIN_S, get, process)
    return failure and f"{what} {url} answered {failure}"


# One read per service through the gateway: each service must accept a token identity's
# signing key made, with the public keys the Secret gives it.
TOKEN_CHECKS = ("/v1/residents?areaCode={area}", "/v1/checkpoints?areaCode={area}",
                "/v1/persons-of-interest", "/v1/contents")


def check_tokens(m, started, problems):
    identity = next((s for s in started.values() if "FX_TOKEN_SIGNING_KEY" in s.env), None)
    gateway = next((s for s in started.values() if "FX_HTTP_ADDR" in s.env), None)
    if identity is None or gateway is None:
        problems.append("no identity (FX_TOKEN_SIGNING_KEY) or gateway (FX_HTTP_ADDR) started")
        return
    area = identity.env.get("FX_BOOTSTRAP_ADMIN_AREA", "gongyi")
    minted = subprocess.run(
        [f"{BUILD}/tools/fx_token", "mint", "--sub", "k8s-test", "--roles", "subdistrict_admin",
         "--scopes", area,
         "--kid", identity.env.get("FX_TOKEN_SIGNING_KID", "k1")],
        capture_output=True, text=True,
        env={"FX_TOKEN_SIGNING_KEY": identity.env["FX_TOKEN_SIGNING_KEY"]})
    if minted.returncode != 0:
        problems.append(f"fx_token mint failed: {minted.stderr.strip()}")
        return
    for path in (p.format(area=area) for p in TOKEN_CHECKS):
        request = urllib.request.Request(f"http://127.0.0.1:{gateway.local_port}{path}",
                                         headers={"Authorization": f"Bearer {minted.stdout.strip()}"})
        try:
            with urllib.request.urlopen(request, timeout=5) as r:
                status = r.status
        except urllib.error.HTTPError as e:
            status = e.code
        if status != 200:
            problems.append(f"GET {path} through the gateway with a token of the Secret's "
                            f"signing key answered {status}, not 200")


def prestop_seconds(container):
    command = (((container.get("lifecycle") or {}).get("preStop") or {}).get("exec") or {}).get(
        "command") or []
    if len(command) == 2 and os.path.basename(command[0]) == "sleep":
        return int(command[1])
    raise Problem(f"preStop {command} is not a pause (sleep N) this test understands")


def check_drain(m, s, problems):
    name = m.name(s.workload)
    pod = s.workload["spec"]["template"]["spec"]
    drain = int(s.env.get("FX_DRAIN_SECONDS", "10"))
    pause = prestop_seconds(m.container(s.workload))
    grace = pod.get("terminationGracePeriodSeconds", 30)
    if grace < pause + drain + 1:
        problems.append(f"{name}: terminationGracePeriodSeconds {grace} does not cover the "
                        f"preStop pause ({pause} s) and FX_DRAIN_SECONDS ({drain} s)")
    s.process.send_signal(signal.SIGTERM)
    try:
        code = s.process.wait(timeout=drain + 5)
    except subprocess.TimeoutExpired:
        s.process.kill()
        problems.append(f"{name}: still running {drain + 5} s after SIGTERM")
        return
    if code != 0:
        problems.append(f"{name}: exited with status {code} after SIGTERM")


def check(overlay, workdir):
    m = manifests.render(overlay, workdir, secrets="generate")
    secret = m.data("Secret", next(m.name(s) for s in m.of_kind("Secret")))
    problems = []
    servers = Servers(workdir)
    started = {}
    try:
        servers.start_redis(secret["redis-password"])
        order = start_order(m)
        dsn = manifests.parse_dsn(m.env(order[0]).get("FX_PG_DSN", ""))
        servers.create_database(dsn["user"], dsn["dbname"], secret["postgres-password"])
        for w in order:
            name = m.name(w)
            container = m.container(w)
            env, listen_port, local_port, metrics_port = local_env(m, w, servers, started, problems)
            log = open(os.path.join(workdir, f"{name}.log"), "w+")
            argv = [binary_for(container["command"][0])] + container["command"][1:] + \
                container.get("args", [])
            process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
            started[name] = Started(w, process, log, listen_port, local_port, metrics_port, env)
            before = len(problems)
            for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
                if kind not in container:
                    problems.append(f"{name}: no {kind}")
                    continue
                failure = check_probe(m, started[name], kind, container[kind])
                if failure:
                    log.seek(0)
                    tail = "".join(log.readlines()[-5:])
                    problems.append(f"{name}: {failure}; its log ends:\n{tail}")
            if "FX_HTTP_ADDR" in env:
                # The gateway's readiness is process-local; /readyz says whether it
                # reaches every upstream through the addresses it was given.
                failure = http_ok(f"http://127.0.0.1:{local_port}/readyz", "upstreams",
                                  process)
                if failure:
                    problems.append(f"{name}: {failure}")
            if metrics_port is not None:
                failure = http_ok(f"http://127.0.0.1:{metrics_port}/metrics", "metrics", process)
                if failure:
                    problems.append(f"{name}: {failure}")
            if len(problems) == before:
                print(f"{overlay}: {name} serves its probes as {argv[0]}")
        check_tokens(m, started, problems)
        for s in reversed(list(started.values())):
            check_drain(m, s, problems)
            s.log.seek(0)
            for line in s.log:
                if "unknown configuration variable" in line:
                    problems.append(f"{m.name(s.workload)}: the manifests set a variable the "
                                    f"binary does not read: {line.strip()}")
    finally:
        for s in started.values():
            if s.process.poll() is None:
                s.process.kill()
                s.process.wait()
            s.log.close()
        servers.stop()
    return problems


if __name__ == "__main__":
    if not os.path.exists(f"{BUILD}/tools/fx_health"):
        sys.exit(f"{BUILD}/tools/fx_health is not built")
    manifests.main(check)
