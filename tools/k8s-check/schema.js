// Schema check of one object against the Kubernetes OpenAPI, strict about unknown fields.
//
// kubernetes-models ships no schema data to walk, only ajv-compiled validators (JS code in
// _schemas/), and the Kubernetes OpenAPI does not forbid extra properties, so a misspelt
// `replica:` passes them. But a compiled validator reads every property its schema
// declares (`void 0===data.replicas||...`) and enumerates only maps (labels, data,
// resources). So we validate a proxy that records reads: an own key of an object that was
// never read, in an object that was never enumerated, is not in the schema. This is
// kubeconform's -strict, without schema files.

// Wraps value (recursively, lazily) and records in `seen` what the validator touched.
function track(value, at, seen) {
  if (value === null || typeof value !== 'object') return value;
  const rec = { at, value, read: new Set(), enumerated: Array.isArray(value) };
  seen.push(rec);
  const children = new Map();
  return new Proxy(value, {
    get(target, key) {
      rec.read.add(key);
      const v = Reflect.get(target, key);
      if (typeof key !== 'string' || !Object.prototype.hasOwnProperty.call(target, key)) return v;
      if (!children.has(key)) {
        children.set(key, track(v, Array.isArray(target) ? `${at}[${key}]` : join(at, key), seen));
      }
      return children.get(key);
    },
    has(target, key) { rec.read.add(key); return Reflect.has(target, key); },
    ownKeys(target) { rec.enumerated = true; return Reflect.ownKeys(target); },
  });
}

const join = (at, key) => (at ? `${at}.${key}` : key);

// ajv's instancePath (/spec/template/spec/containers/0/name) as a field path.
const field = (instancePath) =>
  instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((at, p) => (/^\d+$/.test(p) ? `${at}[${p}]` : join(at, p)), '') || '(object)';

// Problems of obj against Model's schema, as [field, message] pairs.
function check(Model, obj) {
  const seen = [];
  try {
    // The generated validate() runs the compiled validator on `this`; give it the proxy.
    Model.prototype.validate.call(track(obj, '', seen));
  } catch (e) {
    // Unknown fields are only meaningful when the validator walked the whole object.
    const errors = e.errors || [{ instancePath: '', message: e.message }];
    return errors.map((err) => [field(err.instancePath), err.message]);
  }
  const unknown = [];
  for (const rec of seen) {
    if (rec.enumerated) continue;
    for (const key of Object.keys(rec.value)) {
      if (!rec.read.has(key)) unknown.push([join(rec.at, key), 'unknown field']);
    }
  }
  return unknown;
}

module.exports = { check };
