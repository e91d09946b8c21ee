"""The rendered Kubernetes manifests, read the way the cluster would read them.

Shared by the consistency and network-policy tests: renders an overlay with the
image's kubectl (kustomize), then answers what a pod's environment is, which workload a
Service name and port lead to, and which upstream addresses a workload calls.
"""

import base64
import os
import re
import shutil
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OVERLAYS = ("dev", "prod")
WORKLOAD_KINDS = ("Deployment", "StatefulSet")
# The variables a binary listens on; every other *_ADDR names a server it calls.
LISTEN_VARS = ("FX_GRPC_ADDR", "FX_HTTP_ADDR")


class Problem(Exception):
    """A mismatch between the manifests and the binaries, said so a reader can fix it."""


def require_kustomize():
    """kubectl with a built-in kustomize new enough for components, labels and patches."""
    if shutil.which("kubectl") is None:
        raise Problem("kubectl is not installed; the machine image's kubectl (Kustomize v4 or "
                      "v5) renders the overlays (Debian's kubernetes-client 1.20 is too old)")
    out = subprocess.run(["kubectl", "version", "--client"], capture_output=True, text=True)
    if not re.search(r"Kustomize Version: v[45]\.", out.stdout):
        raise Problem("kubectl's Kustomize is older than v4 (`kubectl version --client`: "
                      f"{out.stdout.strip()!r}); the overlays need v4 or v5")


def render(overlay, workdir, secrets="example"):
    """Renders k8s/overlays/OVERLAY from a copy under WORKDIR and returns its objects.

    secrets: "example" copies secrets.env.example (placeholders), "generate" runs
    k8s/make-secrets for real random values (the consistency test starts binaries).
    """
    require_kustomize()
    tree = os.path.join(workdir, "k8s")
    if not os.path.isdir(tree):
        shutil.copytree(os.path.join(ROOT, "k8s"), tree,
                        ignore=shutil.ignore_patterns("secrets.env"))
    secrets_env = os.path.join(tree, "overlays", overlay, "secrets.env")
    if not os.path.exists(secrets_env):
        if secrets == "generate":
            subprocess.run([os.path.join(tree, "make-secrets"), overlay], check=True,
                           capture_output=True)
        else:
            shutil.copy(secrets_env + ".example", secrets_env)
    out = subprocess.run(["kubectl", "kustomize", os.path.join(tree, "overlays", overlay)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise Problem(f"kubectl kustomize {overlay} failed: {out.stderr.strip()}")
    return Manifests([d for d in yaml.safe_load_all(out.stdout) if d])


def split_address(value):
    """("host", port) of "host:port", "dns:///host:port" or "dns:host:port"."""
    v = re.sub(r"^dns:(///)?", "", value)
    host, _, port = v.rpartition(":")
    if not host or not port.isdigit():
        raise Problem(f"{value!r} is not host:port")
    return host, int(port)


def parse_dsn(dsn):
    """libpq's key=value connection string as a dict (values without spaces)."""
    return dict(part.split("=", 1) for part in dsn.split())


def labels_match(selector, labels):
    """Kubernetes label-selector semantics (matchLabels and matchExpressions)."""
    if selector is None:
        return False
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions") or []:
        key, op, values = e["key"], e["operator"], e.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


class Manifests:
    def __init__(self, objects):
        self.objects = objects

    def of_kind(self, kind):
        return [o for o in self.objects if o["kind"] == kind]

    def get(self, kind, name):
        for o in self.of_kind(kind):
            if o["metadata"]["name"] == name:
                return o
        return None

    def namespace(self):
        return self.of_kind("Namespace")[0]["metadata"]["name"]

    def workloads(self):
        return [o for o in self.objects if o["kind"] in WORKLOAD_KINDS]

    @staticmethod
    def name(obj):
        return obj["metadata"]["name"]

    @staticmethod
    def pod_labels(workload):
        return workload["spec"]["template"]["metadata"].get("labels") or {}

    @staticmethod
    def container(workload):
        return workload["spec"]["template"]["spec"]["containers"][0]

    def container_port(self, workload, port):
        """A container port number from a number or a port name; None when not declared."""
        for p in self.container(workload).get("ports") or []:
            if port in (p["containerPort"], p.get("name")):
                return p["containerPort"]
        return None

    def data(self, kind, name):
        """A ConfigMap's or Secret's data (a Secret's decoded)."""
        obj = self.get(kind, name)
        if obj is None:
            raise Problem(f"{kind} {name} is referenced but not in the manifests")
        data = obj.get("data") or {}
        if kind == "Secret":
            return {k: base64.b64decode(v).decode() for k, v in data.items()}
        return dict(data)

    def env(self, workload):
        """The container's environment as the kubelet builds it, secrets decoded."""
        c = self.container(workload)
        env = {}
        for source in c.get("envFrom") or []:
            if "configMapRef" in source:
                env.update(self.data("ConfigMap", source["configMapRef"]["name"]))
            if "secretRef" in source:
                env.update(self.data("Secret", source["secretRef"]["name"]))
        for e in c.get("env") or []:
            if "value" in e:
                # $(NAME) refers to a variable defined before it.
                env[e["name"]] = re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                                        lambda m: env.get(m.group(1), m.group(0)), e["value"])
                continue
            ref = e["valueFrom"]
            kind, sel = (("ConfigMap", ref["configMapKeyRef"]) if "configMapKeyRef" in ref
                         else ("Secret", ref["secretKeyRef"]))
            data = self.data(kind, sel["name"])
            if sel["key"] not in data:
                raise Problem(f"{self.name(workload)}: {e['name']} takes key {sel['key']!r} "
                              f"of {kind} {sel['name']}, which has no such key")
            env[e["name"]] = data[sel["key"]]
        return env

    def resolve(self, host, port):
        """The (workload, container port) a Service name and port lead to.

        Accepts "name", "name.namespace", "name.namespace.svc[.cluster.local]". Returns
        None for a Service in another namespace or not in the manifests (an external
        endpoint); raises when a Service is ours but its port leads nowhere.
        """
        parts = host.split(".")
        if len(parts) > 1 and parts[1] != self.namespace():
            return None
        service = self.get("Service", parts[0])
        if service is None:
            return None
        for p in service["spec"]["ports"]:
            if p["port"] != port:
                continue
            target = p.get("targetPort", port)
            for w in self.workloads():
                if labels_match({"matchLabels": service["spec"]["selector"]}, self.pod_labels(w)):
                    number = self.container_port(w, target)
                    if number is None:
                        raise Problem(f"Service {parts[0]} port {port} targets {target!r}, "
                                      f"which {self.name(w)} does not declare")
                    return w, number
            raise Problem(f"Service {parts[0]} selects no workload")
        raise Problem(f"Service {parts[0]} has no port {port}")

    def upstreams(self, workload):
        """Every server WORKLOAD's configuration makes it call: (variable, host, port)."""
        env = self.env(workload)
        calls = []
        for var, value in sorted(env.items()):
            if var.endswith("_ADDR") and var not in LISTEN_VARS:
                calls.append((var,) + split_address(value))
        if "FX_PG_DSN" in env:
            dsn = parse_dsn(env["FX_PG_DSN"])
            calls.append(("FX_PG_DSN", dsn["host"], int(dsn.get("port", 5432))))
        return calls


def main(check):
    """Runs CHECK(overlay, workdir) for each overlay; prints problems, exits non-zero."""
    import tempfile
    failed = False
    for overlay in OVERLAYS:
        with tempfile.TemporaryDirectory(prefix=f"fx-k8s-{overlay}.") as workdir:
            try:
                problems = check(overlay, workdir)
            except Problem as e:
                problems = [str(e)]
        for p in problems:
            print(f"FAIL [{overlay}] {p}")
        print(f"{overlay}: {'ok' if not problems else f'{len(problems)} problem(s)'}")
        failed = failed or bool(problems)
    sys.exit(1 if failed else 0)
