#!/usr/bin/env node
// usage: dockercheck.js [--context DIR] [--build-dir DIR] DOCKERFILE [RENDERED.yaml...]
// Static checks of the Dockerfile, since no Docker daemon runs here or in CI:
//  - FROM images are pinned: a tag other than latest, or a digest;
//  - every COPY source from the build context exists and survives .dockerignore (of a
//    directory: every build input under it, by git's list of files);
//  - the runtime (last) stage runs as a numeric, non-root USER uid:gid;
//  - each container of ours (image containing "fangxian") in the rendered manifests has
//    a command whose first word is a path the runtime stage installs (COPY --from=...);
//  - with --build-dir: each binary the runtime stage installs needs, for every shared
//    library it links (objdump NEEDED, found by ldd, owned per dpkg -S), a package the
//    runtime stage installs with apt-get (libc6 is in every Debian image).
// Prints one line per problem, then "dockerfile: M problems"; exits 1 on any problem.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { DockerfileParser } = require('dockerfile-ast');
const { load, podTemplate, containers, describe } = require('./manifests');

// Files the C++ build reads; .dockerignore must keep them all.
const BUILD_INPUT = /(^|\/)CMakeLists\.txt$|\.(cmake|cc|h|proto|sql)$/;

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? null : args.splice(i, 2)[1];
};
const buildDir = option('--build-dir');
const contextOption = option('--context');
const [dockerfile, ...rendered] = args;
if (!dockerfile) {
  console.error('usage: dockercheck.js [--context DIR] [--build-dir DIR] DOCKERFILE [RENDERED.yaml...]');
  process.exit(2);
}
// Like `docker build -f DOCKERFILE CONTEXT`; the context defaults to the Dockerfile's folder.
const context = contextOption || path.dirname(path.resolve(dockerfile));
const problems = [];
const report = (where, message) => problems.push(`${path.basename(dockerfile)}: ${where}: ${message}`);

// Instructions grouped by stage: [{ from, instructions }].
const stages = [];
for (const ins of DockerfileParser.parse(fs.readFileSync(dockerfile, 'utf8')).getInstructions()) {
  if (ins.getKeyword() === 'FROM') stages.push({ from: ins, instructions: [] });
  else if (stages.length) stages[stages.length - 1].instructions.push(ins);
}
const line = (ins) => `line ${ins.getRange().start.line + 1}`;
const words = (ins) => ins.getArguments().map((a) => a.getValue());
const fromFlag = (ins) => (ins.getFlags ? ins.getFlags() : []).find((f) => f.getName() === 'from');

checkFroms();
checkCopySources();
const runtime = stages[stages.length - 1];
if (!runtime) report('FROM', 'no stage');
else {
  checkUser(runtime);
  const installed = installedPaths(runtime);
  checkCommands(installed);
  if (buildDir && fs.existsSync(buildDir)) checkLibraries(runtime, installed);
  else if (buildDir) console.log(`note: no ${buildDir}, the runtime libraries not checked`);
}

for (const p of problems) console.log(p);
console.log(`dockerfile: ${problems.length} problems`);
process.exit(problems.length ? 1 : 0);

function checkFroms() {
  const stageNames = [];
  for (const { from } of stages) {
    const image = from.getImage() || '';
    if (!stageNames.includes(image) && image !== 'scratch' && !from.getImageDigest()) {
      const tag = from.getImageTag();
      if (!tag || tag === 'latest') report(line(from), `FROM ${image}: pin a tag other than latest, or a digest`);
    }
    if (from.getBuildStage()) stageNames.push(from.getBuildStage());
  }
}

function checkCopySources() {
  const excluded = dockerignore(path.join(context, '.dockerignore'));
  let contextFiles = null; // git's list, read once and only when a directory is copied
  for (const { instructions } of stages) {
    for (const ins of instructions) {
      if (!['COPY', 'ADD'].includes(ins.getKeyword()) || fromFlag(ins)) continue;
      for (const src of words(ins).slice(0, -1)) {
        const rel = path.posix.normalize(src).replace(/^\/+|\/+$/g, '') || '.';
        const where = `${line(ins)} ${ins.getKeyword()} ${src}`;
        if (!fs.existsSync(path.join(context, rel))) { report(where, 'not in the build context'); continue; }
        if (rel !== '.' && excluded(rel)) { report(where, 'excluded by .dockerignore'); continue; }
        if (!fs.statSync(path.join(context, rel)).isDirectory()) continue;
        contextFiles = contextFiles || gitFiles();
        const under = rel === '.' ? '' : `${rel}/`;
        const lost = contextFiles.filter((f) => f.startsWith(under) && BUILD_INPUT.test(f) && excluded(f));
        if (lost.length) {
          const some = lost.slice(0, 3).join(', ') + (lost.length > 3 ? ', ...' : '');
          report(where, `.dockerignore excludes ${lost.length} build inputs: ${some}`);
        }
      }
    }
  }
}

// Tracked and untracked, not ignored, files of the context (none outside a git tree).
function gitFiles() {
  const git = run('git', ['-C', context, 'ls-files', '--cached', '--others', '--exclude-standard', '-z']);
  if (git.status !== 0) console.log(`note: ${context} is no git work tree; .dockerignore not checked against its files`);
  return (git.stdout || '').split('\0').filter(Boolean);
}

// A predicate: is this context-relative path excluded? Docker's rules: the last matching
// pattern wins, `!` re-includes, a pattern matching a directory excludes what is under
// it, `*` and `?` stay within one path segment, `**` spans any number of them.
function dockerignore(file) {
  if (!fs.existsSync(file)) return () => false;
  const rules = fs.readFileSync(file, 'utf8').split('\n').map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = path.posix.normalize(negate ? l.slice(1) : l).replace(/^\/+|\/+$/g, '');
      return { negate, re: globToRegExp(pattern) };
    });
  return (rel) => {
    const parts = rel.split('/');
    let out = false;
    for (const { negate, re } of rules) {
      if (parts.some((_, i) => re.test(parts.slice(0, i + 1).join('/')))) out = !negate;
    }
    return out;
  };
}

function globToRegExp(glob) {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (glob.startsWith('**/', i)) { re += '(.*/)?'; i += 2; }
    else if (glob.startsWith('**', i)) { re += '.*'; i += 1; }
    else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function checkUser(stage) {
  const users = stage.instructions.filter((i) => i.getKeyword() === 'USER');
  const user = users.length ? words(users[users.length - 1]).join(' ') : '';
  const m = /^(\d+):(\d+)$/.exec(user);
  if (!m) report('USER', `runtime stage needs USER uid:gid, both numeric (Kubernetes runAsNonRoot), not "${user}"`);
  else if (m[1] === '0' || m[2] === '0') report('USER', `${user} is root; use a non-root uid:gid`);
}

// Absolute paths that COPY --from=... puts into the stage, mapped to their source.
function installedPaths(stage) {
  const paths = new Map();
  for (const ins of stage.instructions) {
    if (ins.getKeyword() !== 'COPY' || !fromFlag(ins)) continue;
    const w = words(ins);
    const dest = w[w.length - 1];
    for (const src of w.slice(0, -1)) {
      paths.set(dest.endsWith('/') ? path.posix.join(dest, path.posix.basename(src)) : dest, src);
    }
  }
  return paths;
}

function checkCommands(installed) {
  for (const { file, obj } of load(rendered)) {
    if (!obj) continue; // validate.js reports YAML errors
    for (const { c, at } of containers(podTemplate(obj))) {
      if (!(c.image || '').includes('fangxian')) continue;
      const command = (c.command || [])[0];
      const where = `${file}: ${describe(obj)}: ${at}.command`;
      if (!command) problems.push(`${where}: not set (the image has no ENTRYPOINT or CMD)`);
      else if (!installed.has(command)) {
        const has = [...installed.keys()].join(', ');
        problems.push(`${where}: ${command} is not installed by the Dockerfile (it has: ${has})`);
      }
    }
  }
}

function checkLibraries(stage, installed) {
  const apt = new Set(['libc6']);
  for (const ins of stage.instructions) {
    const w = words(ins);
    const at = w.indexOf('install');
    if (ins.getKeyword() !== 'RUN' || at < 1 || w[at - 1] !== 'apt-get') continue;
    for (const word of w.slice(at + 1)) {
      if (word === '&&') break;
      if (!word.startsWith('-')) apt.add(word);
    }
  }
  const links = []; // { binary, lib, candidates: paths dpkg may know the library by }
  for (const src of installed.values()) {
    const binary = path.join(buildDir, src.split('/build/').pop());
    const libs = linkedLibraries(binary);
    if (libs) links.push(...libs);
    else console.log(`note: cannot read ${binary} (not built?), its libraries not checked`);
  }
  // One dpkg -S for all: it takes a while per call.
  const owners = dpkgOwners([...new Set(links.flatMap((l) => l.candidates))]);
  for (const { binary, lib, candidates } of links) {
    const pkg = candidates.map((f) => owners.get(f)).find(Boolean);
    const where = 'runtime apt-get install';
    if (!pkg) report(where, `${binary} links ${lib}, which no Debian package owns (dpkg -S)`);
    else if (!apt.has(pkg)) report(where, `${binary} links ${lib} of package ${pkg}, not installed`);
  }
}

function run(cmd, cmdArgs) {
  return spawnSync(cmd, cmdArgs, { encoding: 'utf8', maxBuffer: 1 << 26 });
}

// The libraries a binary links directly (objdump's NEEDED), or null when it cannot be
// read (not built, or being relinked right now). Each comes with the paths dpkg may
// know it by: with merged /usr, ldd's /lib/... is /usr/lib/... to dpkg, or only the file a
// versioned symlink points to is.
function linkedLibraries(binary) {
  const objdump = run('objdump', ['-p', binary]);
  const ldd = run('ldd', [binary]);
  if (objdump.status !== 0 || ldd.status !== 0) return null;
  const where = new Map([...ldd.stdout.matchAll(/^\s*(\S+) => (\/\S+)/gm)].map((m) => [m[1], m[2]]));
  return [...objdump.stdout.matchAll(/^\s*NEEDED\s+(\S+)/gm)].map(([, lib]) => {
    const file = where.get(lib);
    const candidates = file ? [file, `/usr${file}`, fs.realpathSync(file)] : [];
    return { binary: path.basename(binary), lib, candidates };
  });
}

// Path -> Debian package, for the paths dpkg knows ("pkg[:arch]: path" lines).
function dpkgOwners(paths) {
  const owners = new Map();
  if (!paths.length) return owners;
  const out = run('dpkg', ['-S', ...paths]).stdout;
  for (const m of out.matchAll(/^([^:\s]+)(?::\S+)?: (\/.*)$/gm)) owners.set(m[2], m[1]);
  return owners;
}
