// What validate.js and dockercheck.js share: reading rendered manifests and finding the
// pods in them.
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');

// Every object of the multi-document YAML files, as { file, obj }. A document that does
// not parse is returned as { file, error } so the caller reports it with the rest.
function load(files) {
  const out = [];
  for (const file of files) {
    const name = path.basename(file);
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      if (doc.errors.length) out.push({ file: name, error: `YAML: ${doc.errors[0].message.split('\n')[0]}` });
      else if (doc.contents !== null) out.push({ file: name, obj: doc.toJSON() });
    }
  }
  return out;
}

const WORKLOADS = ['Deployment', 'StatefulSet'];
const POD_OWNERS = [...WORKLOADS, 'Job'];

// The pod template of a workload or Job, or null.
const podTemplate = (obj) => (POD_OWNERS.includes(obj.kind) && obj.spec && obj.spec.template) || null;

// Init and regular containers, each with a printable path for messages.
function containers(template) {
  const spec = (template && template.spec) || {};
  const list = (field) => (spec[field] || []).map((c, i) => ({ c, at: `spec.template.spec.${field}[${c.name || i}]` }));
  return [...list('initContainers'), ...list('containers')];
}

const describe = (obj) => `${obj.kind}/${(obj.metadata && obj.metadata.name) || '?'}`;

// True when every label of the selector is on the labels (an empty selector selects nothing here).
const selects = (selector, labels) =>
  !!selector && Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels && labels[k] === v);

// Tag and digest of an image reference; a ':' before the last '/' is a registry port.
function imageRef(image) {
  const [name, digest] = image.split('@');
  const colon = name.lastIndexOf(':');
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : '';
  return { tag, digest: digest || '' };
}

module.exports = { load, WORKLOADS, POD_OWNERS, podTemplate, containers, describe, selects, imageRef };
