#!/usr/bin/env python3
"""The NetworkPolicies allow every call the suite makes, and nothing else.

The calls are derived from the manifests, not listed by hand: each workload's upstream
addresses (every *_ADDR it is configured with, and the host of FX_PG_DSN) resolved
through the Services to the pods and ports they reach; DNS for every workload that calls
a name; the ingress controller to the Ingress's backend; Prometheus to every port named
"metrics". Then every pair of endpoints (the suite's pods, and the other namespaces the
policies or addresses name) and every port is checked against the policies with
Kubernetes' semantics: a connection needs an egress allowance at its source and an
ingress allowance at its destination, wherever a policy isolates that pod.
"""

import copy
import itertools
import re
import sys

import manifests
from manifests import Problem, labels_match

INGRESS_CONTROLLER_NS = "ingress-nginx"
MONITORING_NS = "monitoring"
DNS = ("kube-system", (("k8s-app", "kube-dns"),))


class Endpoint:
    """A pod of ours (a workload), or any pod of another namespace with some labels."""

    def __init__(self, namespace, labels, workload=None):
        self.namespace = namespace
        self.labels = dict(labels)
        self.workload = workload

    def key(self):
        return (self.namespace, tuple(sorted(self.labels.items())))

    def __str__(self):
        if self.workload is not None:
            return manifests.Manifests.name(self.workload)
        labels = ",".join(f"{k}={v}" for k, v in sorted(self.labels.items()))
        return f"{self.namespace}/{labels or '*'}"


def namespace_labels(ns):
    return {"kubernetes.io/metadata.name": ns}


def is_ip(host):
    return re.fullmatch(r"[0-9.]+|[0-9a-fA-F:]+", host) is not None


def required_calls(m, endpoints):
    """{(src, dst, port, protocol)} the suite needs, each with the reason, from the manifests."""
    ns = m.namespace()
    mine = {manifests.Manifests.name(e.workload): e for e in endpoints if e.workload}
    calls = {}

    def need(src, dst, port, protocol, why):
        calls[(src.key(), dst.key(), port, protocol)] = why

    dns = external(endpoints, *DNS)
    for w in m.workloads():
        src = mine[m.name(w)]
        for var, host, port in m.upstreams(w):
            target = m.resolve(host, port)
            if target is not None:
                dst = mine[m.name(target[0])]
                need(src, dst, target[1], "TCP", f"{var}={host}:{port}")
            else:
                parts = host.split(".")
                if len(parts) < 2 or parts[1] == ns or is_ip(host):
                    raise Problem(f"{m.name(w)}: {var} names {host}, which is neither a "
                                  "Service of the manifests nor name.namespace")
                need(src, external(endpoints, parts[1], ()), port, "TCP", f"{var}={host}:{port}")
            if not is_ip(host):
                need(src, dns, 53, "UDP", f"resolving {host}")
                need(src, dns, 53, "TCP", f"resolving {host}")

    controller = external(endpoints, INGRESS_CONTROLLER_NS, ())
    for ing in m.of_kind("Ingress"):
        for rule in ing["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                service = m.get("Service", backend["name"])
                if service is None:
                    raise Problem(f"Ingress {m.name(ing)} routes to Service {backend['name']}, "
                                  "which is not in the manifests")
                wanted = backend["port"].get("number", backend["port"].get("name"))
                port = next(p for p in service["spec"]["ports"]
                            if wanted in (p["port"], p.get("name")))
                w, number = m.resolve(backend["name"], port["port"])
                need(controller, mine[m.name(w)], number, "TCP", f"Ingress {m.name(ing)}")

    monitoring = external(endpoints, MONITORING_NS, ())
    for w in m.workloads():
        number = m.container_port(w, "metrics")
        if number is not None:
            need(monitoring, mine[m.name(w)], number, "TCP", "metrics scrape")
    return calls


def external(endpoints, namespace, labels):
    for e in endpoints:
        if e.workload is None and e.key() == (namespace, tuple(sorted(labels))):
            return e
    e = Endpoint(namespace, labels)
    endpoints.append(e)
    return e


def peer_matches(peer, policy_ns, endpoint):
    if "ipBlock" in peer:
        raise Problem("ipBlock peers are not modelled by this test; extend it with them")
    if "namespaceSelector" in peer:
        if not labels_match(peer["namespaceSelector"], namespace_labels(endpoint.namespace)):
            return False
    elif endpoint.namespace != policy_ns:
        return False
    return "podSelector" not in peer or labels_match(peer["podSelector"], endpoint.labels)


def port_matches(rule_ports, port, protocol, m, dst):
    if not rule_ports:
        return True
    for p in rule_ports:
        if p.get("protocol", "TCP") != protocol:
            continue
        if "port" not in p:
            return True
        want = p["port"]
        if isinstance(want, str):
            # A named port is the destination pod's.
            if dst.workload is None or m.container_port(dst.workload, want) != port:
                continue
            return True
        if want <= port <= p.get("endPort", want):
            return True
    return False


def side_allows(m, policies, direction, pod, peer, port, protocol, dst):
    """Whether POD's policies let the connection through on its side (DIRECTION)."""
    if pod.workload is None:
        return True  # another namespace: not ours to police
    selecting = [p for p in policies
                 if direction in p["spec"].get("policyTypes", ["Ingress"])
                 and labels_match(p["spec"]["podSelector"] or {"matchLabels": {}}, pod.labels)]
    if not selecting:
        return True
    field, peers = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    for p in selecting:
        for rule in p["spec"].get(field) or []:
            if rule.get(peers) and not any(peer_matches(x, m.namespace(), peer)
                                           for x in rule[peers]):
                continue
            if port_matches(rule.get("ports"), port, protocol, m, dst):
                return True
    return False


def policy_namespaces(policies):
    found = set()
    for p in policies:
        for rule in (p["spec"].get("ingress") or []) + (p["spec"].get("egress") or []):
            for peer in rule.get("from", []) + rule.get("to", []):
                name = ((peer.get("namespaceSelector") or {}).get("matchLabels") or {}).get(
                    "kubernetes.io/metadata.name")
                if name:
                    found.add(name)
    return found


def policy_ports(policies):
    ports = set()
    for p in policies:
        for rule in (p["spec"].get("ingress") or []) + (p["spec"].get("egress") or []):
            for port in rule.get("ports") or []:
                if isinstance(port.get("port"), int):
                    ports.add((port["port"], port.get("protocol", "TCP")))
    return ports


def analyse(m):
    ns = m.namespace()
    policies = m.of_kind("NetworkPolicy")
    endpoints = [Endpoint(ns, m.pod_labels(w), w) for w in m.workloads()]
    required = required_calls(m, endpoints)
    for other in policy_namespaces(policies) - {ns}:
        external(endpoints, other, ())

    problems = []
    named = {e.key(): e for e in endpoints}
    for key, why in sorted(required.items()):
        src, dst, port, protocol = named[key[0]], named[key[1]], key[2], key[3]
        if not (side_allows(m, policies, "Egress", src, dst, port, protocol, dst) and
                side_allows(m, policies, "Ingress", dst, src, port, protocol, dst)):
            problems.append(f"{src} -> {dst} {protocol}/{port} is needed ({why}) but denied")

    # Everything else must be denied: every pair, on every port a pod declares or a
    # policy names.
    extra_ports = policy_ports(policies) | {(k[2], k[3]) for k in required}
    for src, dst in itertools.product(endpoints, endpoints):
        if src.workload is None and dst.workload is None:
            continue
        ports = set(extra_ports)
        if dst.workload is not None:
            ports |= {(p["containerPort"], p.get("protocol", "TCP"))
                      for p in m.container(dst.workload).get("ports") or []}
        for port, protocol in sorted(ports):
            if (src.key(), dst.key(), port, protocol) in required:
                continue
            if (side_allows(m, policies, "Egress", src, dst, port, protocol, dst) and
                    side_allows(m, policies, "Ingress", dst, src, port, protocol, dst)):
                problems.append(f"{src} -> {dst} {protocol}/{port} is allowed but no "
                                "configured address or route needs it")
    return problems


def self_test(m):
    """The analysis must catch a missing allowance and a needless one (else it proves nothing)."""
    problems = []
    broken = manifests.Manifests(copy.deepcopy(m.objects))
    egress = broken.get("NetworkPolicy", "publicity-egress")["spec"]["egress"]
    egress[:] = [r for r in egress if "checkpoint" not in str(r)]
    broken.objects.append({
        "kind": "NetworkPolicy", "metadata": {"name": "gateway-anywhere"},
        "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "gateway"}},
                 "policyTypes": ["Egress"], "egress": [{}]}})
    found = "\n".join(analyse(broken))
    for expected in (r"publicity -> checkpoint TCP/50052 is needed \(FX_CHECKPOINT_ADDR",
                     r"gateway -> kube-system/\* TCP/5432 is allowed but"):
        if not re.search(expected, found):
            problems.append(f"self-test: a broken policy set was not caught ({expected}); "
                            f"the analysis said:\n{found}")
    return problems


def check(overlay, workdir):
    m = manifests.render(overlay, workdir)
    problems = analyse(m)
    print(f"{overlay}: {len(m.of_kind('NetworkPolicy'))} policies checked against "
          f"{len(m.workloads())} workloads' configured calls")
    if overlay == "dev":
        problems += self_test(m)
    return problems


if __name__ == "__main__":
    sys.exit(manifests.main(check))
