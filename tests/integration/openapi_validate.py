"""Checks an OpenAPI 3.0 document (a JSON file) for gateway_openapi_validation_test.

1. Valid against the official OpenAPI 3.0 JSON schema (Debian's openapi-specification,
   a draft-04 schema, so jsonschema's Draft4Validator).
2. Every internal $ref resolves.
3. Every path template variable is declared as a required path parameter of each
   operation of that path, and no path parameter is declared that the path lacks.

Usage: /usr/bin/python3 openapi_validate.py DOCUMENT.json (gateway_openapi_validation_test)
Prints one line per problem and exits 1 when there is any; prints "ok" and exits 0
otherwise. Run with Debian's python3 (python3-jsonschema), not a pyenv shim.
"""

import json
import re
import sys

import jsonschema

SCHEMA = "/usr/share/openapi-specification/schemas/v3.0/schema.json"
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def walk_refs(node, where, out):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                out.append((where, value))
            walk_refs(value, where + "/" + key, out)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            walk_refs(value, "%s/%d" % (where, i), out)


def resolve(doc, ref):
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def problems(doc):
    with open(SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft4Validator(schema)
    for error in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in error.absolute_path)
        yield "schema: at /%s: %s" % (where, error.message[:300])

    refs = []
    walk_refs(doc, "", refs)
    if not refs:
        yield "refs: the document has no $ref at all"
    for where, ref in refs:
        if not ref.startswith("#/"):
            yield "refs: %s: %s is not internal" % (where, ref)
        elif not resolve(doc, ref):
            yield "refs: %s: %s does not resolve" % (where, ref)

    for path, item in doc.get("paths", {}).items():
        variables = re.findall(r"\{([^}]*)\}", path)
        for method, op in item.items():
            if method not in METHODS:
                continue
            params = op.get("parameters", []) + item.get("parameters", [])
            declared = []
            for p in params:
                if "$ref" in p or p.get("in") != "path":
                    continue
                declared.append(p["name"])
                if p.get("required") is not True:
                    yield "params: %s %s: path parameter %s is not required" % (
                        method, path, p["name"])
            for v in variables:
                if v not in declared:
                    yield "params: %s %s: {%s} is not declared" % (method, path, v)
            for d in declared:
                if d not in variables:
                    yield "params: %s %s: path parameter %s is not in the path" % (
                        method, path, d)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    found = list(problems(doc))
    for line in found:
        print(line)
    if found:
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
