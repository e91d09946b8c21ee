#!/usr/bin/env node
// usage: validate.js [--pinned] FILE...
// Checks rendered manifests (the output of `kubectl kustomize`) offline: the Kubernetes
// schema (strict about unknown fields), an allow-list of API versions, the Pod Security
// Standards' restricted level for every pod template, and the project's rules for pods,
// ports, selectors, namespaces and images. Prints one line per problem, then
// "N objects checked, M problems"; exits 1 when there is any problem.
//   --pinned   images of our own (name containing "fangxian") need a release tag or a
//              digest: not latest, dev or main. For production overlays.
const { load, WORKLOADS, POD_OWNERS, podTemplate, containers, describe, selects, imageRef } = require('./manifests');
const schema = require('./schema');

// Everything else is rejected, in particular removed and beta APIs (policy/v1beta1,
// extensions/v1beta1, autoscaling/v2beta2, ...) that a newer cluster would refuse.
const ALLOWED = {
  v1: ['Namespace', 'ConfigMap', 'Secret', 'Service', 'ServiceAccount', 'PersistentVolumeClaim'],
  'apps/v1': ['Deployment', 'StatefulSet'],
  'networking.k8s.io/v1': ['NetworkPolicy', 'Ingress'],
  'policy/v1': ['PodDisruptionBudget'],
  'autoscaling/v2': ['HorizontalPodAutoscaler'],
  'batch/v1': ['Job'],
};
const CLUSTER_SCOPED = ['Namespace'];
// Third-party images that must write to their root filesystem (redis, postgres) say why
// in this pod template annotation; it is honoured on StatefulSets of such images only.
const WRITABLE_ROOT = 'fangxian.io/writable-root';
const UNPINNED_TAGS = ['latest', 'dev', 'main'];
const PROBES = ['readinessProbe', 'livenessProbe', 'startupProbe'];

// The Pod Security Standards, restricted level (which includes baseline), as of Kubernetes
// 1.34: https://kubernetes.io/docs/concepts/security/pod-security-standards/
const PSS = {
  volumes: ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'],
  capabilities: ['NET_BIND_SERVICE'],
  seLinuxTypes: ['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'],
  sysctls: ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
    'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports',
    'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl',
    'net.ipv4.tcp_keepalive_probes'],
  appArmorAnnotation: 'container.apparmor.security.beta.kubernetes.io/',
};

const args = process.argv.slice(2);
const pinned = args.includes('--pinned');
const files = args.filter((a) => a !== '--pinned');
if (files.length === 0) {
  console.error('usage: validate.js [--pinned] FILE...');
  process.exit(2);
}

const problems = [];
const entries = load(files);
const objects = [];
for (const e of entries) {
  if (e.error) problems.push(`${e.file}: ${e.error}`);
  else objects.push(e);
}

for (const { file, obj } of objects) {
  const report = reporter(file, obj);
  if (!(ALLOWED[obj.apiVersion] || []).includes(obj.kind)) {
    report('apiVersion', `${obj.apiVersion} ${obj.kind} is not on the allow-list`);
    continue;
  }
  const Model = require(`kubernetes-models/${obj.apiVersion}`)[obj.kind];
  for (const [at, message] of schema.check(Model, unwrapSecret(obj))) report(at, message);
  const namespaced = !CLUSTER_SCOPED.includes(obj.kind);
  if (namespaced && !(obj.metadata && obj.metadata.namespace)) report('metadata.namespace', 'not set');
  if (!namespaced && obj.metadata && obj.metadata.namespace) report('metadata.namespace', 'set on a cluster-scoped kind');
  const template = podTemplate(obj);
  if (template) {
    checkImages(template, report);
    checkPodSecurity(template, report);
    checkProbePorts(template, report);
  }
  if (WORKLOADS.includes(obj.kind)) checkWorkload(obj, report);
}
checkReferences();

for (const p of problems) console.log(p);
console.log(`${objects.length} objects checked, ${problems.length} problems`);
process.exit(problems.length ? 1 : 0);

// kustomize wraps long base64 Secret values over lines. The API server's decoder skips
// newlines; the schema's "byte" format does not, so join them before the schema check.
function unwrapSecret(obj) {
  if (obj.kind !== 'Secret' || !obj.data || typeof obj.data !== 'object') return obj;
  const data = {};
  for (const [k, v] of Object.entries(obj.data)) data[k] = typeof v === 'string' ? v.replace(/[\r\n]/g, '') : v;
  return { ...obj, data };
}

function reporter(file, obj) {
  return (at, message) => problems.push(`${file}: ${describe(obj)}: ${at}: ${message}`);
}

function checkImages(template, report) {
  for (const { c, at } of containers(template)) {
    if (!c.image) continue; // the schema check reports it
    const { tag, digest } = imageRef(c.image);
    if (digest) continue;
    if (!tag || tag === 'latest') report(`${at}.image`, `${c.image}: use an explicit tag, not latest or none`);
    else if (pinned && c.image.includes('fangxian') && UNPINNED_TAGS.includes(tag)) {
      report(`${at}.image`, `${c.image}: --pinned needs a release tag or digest, not ${tag}`);
    }
  }
}

// The Pod Security Standards' restricted level, and a RuntimeDefault seccomp profile.
function checkPodSecurity(template, report) {
  const pod = template.spec || {};
  const podSec = pod.securityContext || {};
  const at = 'spec.template.spec';
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (pod[field]) report(`${at}.${field}`, "must not be true: the pod would share the node's namespace; remove it");
  }
  (pod.volumes || []).forEach((v, i) => {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (!PSS.volumes.includes(type)) {
      report(`${at}.volumes[${v.name || i}].${type}`, `volume type not allowed: use ${PSS.volumes.join(', ')}`);
    }
  });
  for (const { name } of podSec.sysctls || []) {
    if (!PSS.sysctls.includes(name)) {
      report(`${at}.securityContext.sysctls[${name}]`, `not a safe sysctl: only ${PSS.sysctls.join(', ')}`);
    }
  }
  for (const [key, value] of Object.entries((template.metadata || {}).annotations || {})) {
    const allowed = value === 'runtime/default' || String(value).startsWith('localhost/');
    if (key.startsWith(PSS.appArmorAnnotation) && !allowed) {
      report(`spec.template.metadata.annotations.${key}`, `${value}: must be runtime/default or localhost/<profile>`);
    }
  }
  // Invisible to the checks below, and refused by the API server in a template anyway.
  if (pod.ephemeralContainers) report(`${at}.ephemeralContainers`, 'not allowed in a pod template; remove it');
  checkSecurityContext(podSec, `${at}.securityContext`, report);
  for (const { c, at: cAt } of containers(template)) {
    const sec = c.securityContext || {};
    const secAt = `${cAt}.securityContext`;
    checkSecurityContext(sec, secAt, report);
    // A container's own setting overrides the pod's.
    if ((sec.runAsNonRoot ?? podSec.runAsNonRoot) !== true) {
      report(`${secAt}.runAsNonRoot`, 'must be true (here or in the pod securityContext)');
    }
    if (!(sec.seccompProfile || podSec.seccompProfile)) {
      report(`${secAt}.seccompProfile.type`, 'not set: set RuntimeDefault here or in the pod securityContext');
    }
    if (sec.privileged) report(`${secAt}.privileged`, 'must not be true; remove it');
    if (sec.allowPrivilegeEscalation !== false) report(`${secAt}.allowPrivilegeEscalation`, 'must be false');
    const caps = sec.capabilities || {};
    if (!(caps.drop || []).includes('ALL')) report(`${secAt}.capabilities.drop`, 'must include ALL');
    for (const cap of caps.add || []) {
      if (!PSS.capabilities.includes(cap)) {
        report(`${secAt}.capabilities.add`, `${cap}: only NET_BIND_SERVICE may be added back`);
      }
    }
    if (sec.procMount !== undefined && sec.procMount !== 'Default') {
      report(`${secAt}.procMount`, `${sec.procMount}: must be Default (or unset)`);
    }
    for (const p of c.ports || []) {
      if (p.hostPort) {
        report(`${cAt}.ports[${p.name || p.containerPort}].hostPort`, 'not allowed: remove it, use a Service');
      }
    }
    for (const [hookAt, handler] of handlers(c)) {
      for (const action of ['httpGet', 'tcpSocket']) {
        if (handler[action] && handler[action].host) {
          report(`${cAt}.${hookAt}.${action}.host`, 'must not be set: probes and hooks connect to the pod itself');
        }
      }
    }
  }
}

// What the pod's and the containers' security contexts share, checked where it is set.
function checkSecurityContext(sec, at, report) {
  if (sec.runAsUser === 0) report(`${at}.runAsUser`, "must not be 0 (root): use the image's non-root uid");
  const seccomp = sec.seccompProfile && sec.seccompProfile.type;
  if (sec.seccompProfile && seccomp !== 'RuntimeDefault') {
    report(`${at}.seccompProfile.type`, `${seccomp}: must be RuntimeDefault`);
  }
  if (sec.appArmorProfile && sec.appArmorProfile.type === 'Unconfined') {
    report(`${at}.appArmorProfile.type`, 'must not be Unconfined: RuntimeDefault, Localhost or unset');
  }
  const seLinux = sec.seLinuxOptions || {};
  if (seLinux.type && !PSS.seLinuxTypes.includes(seLinux.type)) {
    report(`${at}.seLinuxOptions.type`, `${seLinux.type}: must be unset or one of ${PSS.seLinuxTypes.join(', ')}`);
  }
  for (const field of ['user', 'role']) {
    if (seLinux[field]) report(`${at}.seLinuxOptions.${field}`, 'must not be set; remove it');
  }
  if (sec.windowsOptions && sec.windowsOptions.hostProcess) {
    report(`${at}.windowsOptions.hostProcess`, 'must not be true; remove it');
  }
}

// A container's probes and lifecycle hooks, as [field path, handler] pairs.
function handlers(c) {
  const hooks = Object.entries(c.lifecycle || {}).map(([name, h]) => [`lifecycle.${name}`, h]);
  return [...PROBES.map((p) => [p, c[p]]), ...hooks].filter(([, h]) => h && typeof h === 'object');
}

// True when one of the container ports has the name (a string) or the containerPort (a number).
function hasPort(ports, port) {
  return ports.some((p) => (typeof port === 'string' ? p.name === port : p.containerPort === port));
}

function listPorts(ports) {
  return ports.map((p) => (p.name ? `${p.name}=${p.containerPort}` : p.containerPort)).join(', ') || 'none';
}

// Every probe must connect to a port its container declares.
function checkProbePorts(template, report) {
  for (const { c, at } of containers(template)) {
    for (const probe of PROBES) {
      for (const action of ['httpGet', 'tcpSocket', 'grpc']) {
        const port = c[probe] && c[probe][action] && c[probe][action].port;
        if (port !== undefined && !hasPort(c.ports || [], port)) {
          report(`${at}.${probe}.${action}.port`,
            `${port} is no port of this container: use one of its ports (${listPorts(c.ports || [])}) or declare it`);
        }
      }
    }
  }
}

// Resources, a read-only root filesystem and probes of a Deployment's or StatefulSet's pods.
function checkWorkload(obj, report) {
  const spec = obj.spec || {};
  const template = spec.template || {};
  const pod = template.spec || {};
  const annotations = (template.metadata && template.metadata.annotations) || {};
  const writableRoot = annotations[WRITABLE_ROOT];
  if (writableRoot !== undefined) {
    const ours = containers(template).some(({ c }) => (c.image || '').includes('fangxian'));
    if (obj.kind !== 'StatefulSet' || ours || !String(writableRoot).trim()) {
      report(`spec.template.metadata.annotations.${WRITABLE_ROOT}`,
        'allowed only on StatefulSets of third-party images, with a reason as its value');
    }
  }
  for (const { c, at } of containers(template)) {
    for (const kind of ['requests', 'limits']) {
      for (const res of ['cpu', 'memory']) {
        if (!(c.resources && c.resources[kind] && c.resources[kind][res] !== undefined)) {
          report(`${at}.resources.${kind}.${res}`, 'not set');
        }
      }
    }
    const readOnlyRoot = (c.securityContext || {}).readOnlyRootFilesystem === true;
    if (!readOnlyRoot && !(obj.kind === 'StatefulSet' && writableRoot)) {
      report(`${at}.securityContext.readOnlyRootFilesystem`,
        `must be true (StatefulSets of third-party images: annotation ${WRITABLE_ROOT})`);
    }
    if (obj.kind === 'Deployment' && !at.includes('initContainers')) {
      for (const probe of PROBES) {
        if (!c[probe]) report(`${at}.${probe}`, 'not set');
      }
    }
  }
  if (obj.kind === 'Deployment' && pod.terminationGracePeriodSeconds === undefined) {
    report('spec.template.spec.terminationGracePeriodSeconds', 'not set');
  }
  const matchLabels = (spec.selector && spec.selector.matchLabels) || {};
  if (!selects(matchLabels, template.metadata && template.metadata.labels)) {
    report('spec.selector.matchLabels', 'must be a non-empty subset of spec.template.metadata.labels');
  }
}

// Services, PodDisruptionBudgets and HPAs must point at a workload of their namespace; a
// Service's target ports must be ports of every pod it selects; a Deployment an HPA scales
// must leave spec.replicas to it.
function checkReferences() {
  const namespaceOf = (obj) => (obj.metadata && obj.metadata.namespace) || '';
  const podLabels = (obj) => (podTemplate(obj).metadata || {}).labels;
  // The objects of those kinds (with pod templates) in obj's namespace, as { file, obj }.
  const sameNamespace = (obj, kinds) => objects.filter((e) =>
    kinds.includes(e.obj.kind) && podTemplate(e.obj) && namespaceOf(e.obj) === namespaceOf(obj));
  const selected = (obj, selector, kinds = WORKLOADS) =>
    sameNamespace(obj, kinds).filter((e) => selects(selector, podLabels(e.obj)));
  for (const { file, obj } of objects) {
    const report = reporter(file, obj);
    const spec = obj.spec || {};
    if (obj.kind === 'Service' && spec.type !== 'ExternalName') {
      if (!selected(obj, spec.selector).length) {
        report('spec.selector', 'matches no Deployment or StatefulSet pod template in its namespace');
      }
      for (const w of selected(obj, spec.selector, POD_OWNERS)) checkTargetPorts(spec.ports || [], w.obj, report);
    } else if (obj.kind === 'PodDisruptionBudget' && !selected(obj, (spec.selector || {}).matchLabels).length) {
      report('spec.selector.matchLabels', 'matches no Deployment or StatefulSet pod template in its namespace');
    } else if (obj.kind === 'HorizontalPodAutoscaler') {
      const ref = spec.scaleTargetRef || {};
      const target = sameNamespace(obj, ['Deployment']).find((e) => e.obj.metadata.name === ref.name);
      if (ref.kind !== 'Deployment' || !target) {
        report('spec.scaleTargetRef', `names no Deployment of its namespace (${ref.kind}/${ref.name})`);
      } else if ((target.obj.spec || {}).replicas !== undefined) {
        reporter(target.file, target.obj)('spec.replicas',
          `must not be set: ${describe(obj)} scales this Deployment, and each kubectl apply would reset its count`);
      }
    }
  }
}

// Each Service port's targetPort (its port when unset) must be a port of the workload's
// pods: a name of a container port, or a containerPort. Sidecars (init containers that
// keep running) count; other init containers do not.
function checkTargetPorts(servicePorts, workload, report) {
  const podPorts = containers(podTemplate(workload))
    .filter(({ c, at }) => !at.includes('initContainers') || c.restartPolicy === 'Always')
    .flatMap(({ c }) => c.ports || []);
  servicePorts.forEach((sp, i) => {
    const target = sp.targetPort ?? sp.port;
    const protocol = sp.protocol || 'TCP';
    const ports = podPorts.filter((p) => (p.protocol || 'TCP') === protocol);
    if (!hasPort(ports, target)) {
      report(`spec.ports[${sp.name || i}].targetPort`, `${target} is no ${protocol} container port of ` +
        `${describe(workload)}: use one of its ports (${listPorts(ports)}) or declare it there`);
    }
  });
}
