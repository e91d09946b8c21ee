#!/usr/bin/env node
// usage: validate.js [--pinned] FILE...
// Checks rendered manifests (the output of `kubectl kustomize`) offline: the Kubernetes
// schema (strict about unknown fields), an allow-list of API versions, and the project's
// rules for pods, selectors, namespaces and images. Prints one line per problem, then
// "N objects checked, M problems"; exits 1 when there is any problem.
//   --pinned   images of our own (name containing "fangxian") need a release tag or a
//              digest: not latest, dev or main. For production overlays.
const { load, WORKLOADS, podTemplate, containers, describe, selects, imageRef } = require('./manifests');
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
  if (template) checkImages(template, report);
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

// Resources, security context and probes of a Deployment's or StatefulSet's pods.
function checkWorkload(obj, report) {
  const spec = obj.spec || {};
  const template = spec.template || {};
  const pod = template.spec || {};
  const podSec = pod.securityContext || {};
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
    const sec = c.securityContext || {};
    for (const kind of ['requests', 'limits']) {
      for (const res of ['cpu', 'memory']) {
        if (!(c.resources && c.resources[kind] && c.resources[kind][res] !== undefined)) {
          report(`${at}.resources.${kind}.${res}`, 'not set');
        }
      }
    }
    // A container's own setting overrides the pod's.
    const runAsNonRoot = sec.runAsNonRoot !== undefined ? sec.runAsNonRoot : podSec.runAsNonRoot;
    const secAt = `${at}.securityContext`;
    if (runAsNonRoot !== true) report(`${secAt}.runAsNonRoot`, 'must be true (here or in the pod securityContext)');
    const seccomp = (sec.seccompProfile || podSec.seccompProfile || {}).type;
    if (seccomp !== 'RuntimeDefault') {
      report(`${secAt}.seccompProfile.type`, 'must be RuntimeDefault (here or in the pod securityContext)');
    }
    if (sec.allowPrivilegeEscalation !== false) report(`${secAt}.allowPrivilegeEscalation`, 'must be false');
    if (!((sec.capabilities && sec.capabilities.drop) || []).includes('ALL')) {
      report(`${secAt}.capabilities.drop`, 'must include ALL');
    }
    if (sec.readOnlyRootFilesystem !== true && !(obj.kind === 'StatefulSet' && writableRoot)) {
      report(`${secAt}.readOnlyRootFilesystem`,
        `must be true (StatefulSets of third-party images: annotation ${WRITABLE_ROOT})`);
    }
    if (obj.kind === 'Deployment' && !at.includes('initContainers')) {
      for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
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

// Services, PodDisruptionBudgets and HPAs must point at a workload of their namespace.
function checkReferences() {
  const namespaceOf = (obj) => (obj.metadata && obj.metadata.namespace) || '';
  const workloads = objects.map((e) => e.obj).filter((o) => WORKLOADS.includes(o.kind));
  const sameNamespace = (obj) => workloads.filter((w) => namespaceOf(w) === namespaceOf(obj));
  const podLabels = (w) => ((w.spec || {}).template || {}).metadata && w.spec.template.metadata.labels;
  const selectsPods = (obj, selector) => sameNamespace(obj).some((w) => selects(selector, podLabels(w)));
  for (const { file, obj } of objects) {
    const report = reporter(file, obj);
    const spec = obj.spec || {};
    if (obj.kind === 'Service' && spec.type !== 'ExternalName' && !selectsPods(obj, spec.selector)) {
      report('spec.selector', 'matches no Deployment or StatefulSet pod template in its namespace');
    } else if (obj.kind === 'PodDisruptionBudget' && !selectsPods(obj, spec.selector && spec.selector.matchLabels)) {
      report('spec.selector.matchLabels', 'matches no Deployment or StatefulSet pod template in its namespace');
    } else if (obj.kind === 'HorizontalPodAutoscaler') {
      const ref = spec.scaleTargetRef || {};
      const target = sameNamespace(obj).find((w) => w.kind === 'Deployment' && (w.metadata || {}).name === ref.name);
      if (ref.kind !== 'Deployment' || !target) {
        report('spec.scaleTargetRef', `names no Deployment of its namespace (${ref.kind}/${ref.name})`);
      }
    }
  }
}
