#!/usr/bin/env bash
# Offline checks of the Kubernetes deployment (issue 8); no cluster and no Docker daemon:
#  1. renders every overlay in k8s/overlays/ with `kubectl kustomize` and checks it with
#     tools/k8s-check/validate.js (schema, unknown fields, API allow-list, project rules;
#     --pinned for prod);
#  2. the fixtures in tests/k8s/fixtures/: base passes; every other folder (a patch of
#     base) and dockerfiles/*.Dockerfile is rejected with the problem its "# expect:"
#     line names ("# flags:" adds validate.js options);
#  3. the Dockerfile: `dockerfile-utils lint` is silent, and tools/k8s-check/dockercheck.js
#     (COPY sources, .dockerignore, pinned FROMs, numeric non-root USER, every
#     command[0] of ours installed, runtime packages of the linked libraries).
# Overlays render from a copy of k8s/ in a temporary folder; an overlay without a
# secrets.env (gitignored) gets its secrets.env.example, whose values are placeholders.
# Runs from anywhere. Environment:
#   FX_K8S_DIR    manifests to check instead of k8s/ (e.g. a trial copy)
#   FX_BUILD_DIR  build tree whose binaries' libraries are checked (default build/;
#                 skipped with a note when a binary is missing)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
k8s=${FX_K8S_DIR:-$repo/k8s}
build=${FX_BUILD_DIR:-$repo/build}
checker=$repo/tools/k8s-check
fixtures=$repo/tests/k8s/fixtures
passed=0 failed=0

die() { echo "render_test: $*" >&2; exit 1; }
pass() { passed=$((passed + 1)); }
fail() { echo "FAIL: $*" >&2; failed=$((failed + 1)); }

need_kubectl="The overlays need kubectl with Kustomize v4 or v5 (kubectl 1.21 or later) for
  labels, components and patches with targets. Debian 12's kubernetes-client is v1.20 with
  kustomize v2, too old: do not install it (it would also replace the machine image's kubectl)."
command -v kubectl >/dev/null || die "kubectl not found. $need_kubectl"
version=$(kubectl version --client 2>&1 || true)
grep -Eq '^Kustomize Version: v[45]\.' <<<"$version" ||
  die "kubectl's kustomize is too old (${version%%$'\n'*}). $need_kubectl"
command -v node >/dev/null && command -v npm >/dev/null ||
  die "node and npm not found (scripts/deps installs Debian's nodejs and npm)"

# npm ci only when the installed packages are missing or older than the lock file.
stamp=$checker/node_modules/.package-lock.json
if [[ ! -f $stamp || $checker/package-lock.json -nt $stamp ]]; then
  log=$(npm ci --prefix "$checker" --no-audit --no-fund --loglevel=error 2>&1) ||
    die "npm ci in tools/k8s-check failed:"$'\n'"$log"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/fx-k8s.XXXXXX")
trap 'rm -rf "$work"' EXIT

# render DIR OUT: kubectl kustomize DIR into OUT, a failure when it does not render.
render() {
  kubectl kustomize "$1" >"$2" 2>"$work/err" && return 0
  fail "kubectl kustomize ${1#"$work/"}: $(cat "$work/err")"
  return 1
}

# The value of a "# KEY: value" header line of a fixture.
header() { sed -n "s/^# $1: //p" "$2"; }

# check_dockerfile DOCKERFILE [dockercheck.js arguments...]: lint, then dockercheck.js.
check_dockerfile() {
  local lint
  lint=$("$checker/node_modules/.bin/dockerfile-utils" lint "$1" 2>&1) || true
  if [[ -n $lint ]]; then
    printf 'dockerfile-utils lint %s:\n%s\n' "$1" "$lint"
    return 1
  fi
  node "$checker/dockercheck.js" --context "$repo" "$@"
}

# 1. The overlays.
[[ -d $k8s/overlays ]] || die "no overlays: $k8s/overlays does not exist"
cp -r "$k8s" "$work/k8s"
renders=()
for overlay in "$work"/k8s/overlays/*/; do
  name=$(basename "$overlay")
  if [[ ! -f $overlay/secrets.env && -f $overlay/secrets.env.example ]]; then
    cp "$overlay/secrets.env.example" "$overlay/secrets.env"
  fi
  render "$overlay" "$work/$name.yaml" || continue
  renders+=("$work/$name.yaml")
  pinned=()
  [[ $name == prod ]] && pinned=(--pinned)
  if node "$checker/validate.js" "${pinned[@]}" "$work/$name.yaml"; then pass; else fail "overlay $name"; fi
done
((${#renders[@]} > 0)) || fail "no overlay rendered from $k8s/overlays"

# 2. The fixtures: the base passes, every case is rejected with its one expected problem.
render "$fixtures/base" "$work/fixture-base.yaml" || die "the fixture base does not render"
if node "$checker/validate.js" --pinned "$work/fixture-base.yaml" >"$work/out"; then pass; else
  fail "fixture base is rejected: $(cat "$work/out")"
fi
for kustomization in "$fixtures"/*/kustomization.yaml; do
  case=$(basename "$(dirname "$kustomization")")
  [[ $case == base ]] && continue
  expect=$(header expect "$kustomization")
  read -ra flags <<<"$(header flags "$kustomization")"
  render "$(dirname "$kustomization")" "$work/fixture.yaml" || continue
  if node "$checker/validate.js" "${flags[@]}" "$work/fixture.yaml" >"$work/out"; then
    fail "fixture $case accepted; expected: $expect"
  elif grep -qF -- "$expect" "$work/out" && grep -q ', 1 problems$' "$work/out"; then
    pass
  else
    fail "fixture $case: expected only \"$expect\", got:"$'\n'"$(cat "$work/out")"
  fi
done
for dockerfile in "$fixtures"/dockerfiles/*.Dockerfile; do
  expect=$(header expect "$dockerfile")
  if check_dockerfile "$dockerfile" "$work/fixture-base.yaml" >"$work/out"; then
    fail "$(basename "$dockerfile") accepted; expected: $expect"
  elif grep -qF -- "$expect" "$work/out"; then
    pass
  else
    fail "$(basename "$dockerfile"): expected \"$expect\", got:"$'\n'"$(cat "$work/out")"
  fi
done

# 3. The Dockerfile, against the rendered overlays.
if check_dockerfile "$repo/Dockerfile" --build-dir "$build" "${renders[@]}"; then pass; else fail "Dockerfile"; fi

echo "render_test: $passed passed, $failed failed"
((failed == 0))
