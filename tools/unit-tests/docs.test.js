// The docs (README.md, docs/*.md and the READMEs of host-tests/ and tools/platform/) name only
// what exists today: every repo path they show in code, every `npm run` script, every relative
// link and its #anchor; and the README stays a student's first hour (at most 300 lines,
// `npm start`, `mcconfig` and `websocat` near the top).
import { expect } from "chai";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const read = (path) => readFileSync(join(ROOT, path), "utf8");

/** The pages checked, as repo paths. */
const PAGES = [
  "README.md",
  "host-tests/README.md",
  "tools/platform/README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((file) => file.endsWith(".md"))
    .sort()
    .map((file) => `docs/${file}`),
];

/** Folders whose files the tools write (`npm run build`, the tests, `--out`): named, not kept. */
const GENERATED = new Set(["build", "test-results", "bench-results", "node_modules"]);

/**
 * File names the docs show that are not in the repo by design: the Moddable SDK's and xsnap's, and what
 * `npm run bench -- --out DIR` and `npm run compare -- --out DIR` write into DIR.
 */
const ELSEWHERE = new Set([
  "manifest_base.json",
  "manifest_net.json",
  "tcp.c",
  "lin/tcp.c",
  "digitalbank.c",
  "xsnap-worker.c",
  "xsnapPlatform.c",
  "bench.json",
  "bench-report.html",
  "compare.json",
  "compare-report.html",
]);

/** Extensions that make a bare name (no `/`) a file name. */
const FILE_NAME = /^[\w-][\w.-]*\.(md|js|mjs|cjs|ts|json|c|h|html|css|png|sh|ya?ml|txt)$/;

/** Only path characters: segments of letters, digits, `_`, `.`, `-`, `@`, joined by `/`. */
const PATH_LIKE = /^[\w.@-]+(\/[\w.@-]+)*\/?$/;

/** A segment in capitals is a placeholder (`DIR`, `MODDABLE`), not a name. */
const PLACEHOLDER = /^[A-Z][A-Z0-9_]*$/;

const FENCE = /^ *(`{3,}|~{3,})[^\n]*\n[\s\S]*?^ *\1[^\n]*$/gm;

function withoutFences(text) {
  return text.replace(FENCE, "");
}

/** The files of the repo by name (generated folders and .git left out). */
function repoFiles() {
  const paths = [];
  const visit = (folder) => {
    for (const entry of readdirSync(join(ROOT, folder), { withFileTypes: true })) {
      if (entry.name === ".git" || GENERATED.has(entry.name)) continue;
      if (entry.isDirectory()) visit(posix.join(folder, entry.name));
      else paths.push(posix.join(folder, entry.name));
    }
  };
  visit(".");
  return paths;
}

const TOP_LEVEL = new Set(readdirSync(ROOT));
const REPO_FILES = repoFiles();
const FILE_NAMES = new Set(REPO_FILES.map((path) => posix.basename(path)));

/** The words of a page's code: inline spans and fenced blocks, cut at white space. */
function codeWords(text) {
  const words = [];
  for (const match of text.matchAll(FENCE)) words.push(...match[0].split(/\s+/).slice(1));
  for (const match of withoutFences(text).matchAll(/`([^`]+)`/g))
    words.push(...match[1].split(/\s+/));
  return words.filter(Boolean);
}

/** A word as the path it may be: surrounding punctuation and a `:line` suffix taken off. */
function asPath(word) {
  return word
    .replace(/^[("'[{]+/, "")
    .replace(/[)"'\]},;:.!?]+$/, "")
    .replace(/:\d+(:\d+)?$/, "");
}

/**
 * Whether `word` names a repo path: path characters only, not a URL, host, option, package,
 * placeholder or relative path; with a `/`, either under a top-level entry of the repo or ending
 * in a file name; without one, a file name.
 */
function isRepoPath(word) {
  if (!PATH_LIKE.test(word) || word.startsWith("@")) return false;
  const segments = word.replace(/\/$/, "").split("/");
  if (segments[0] === "." || segments[0] === "..") return false;
  if (segments.some((segment) => PLACEHOLDER.test(segment))) return false;
  if (segments.length === 1) return FILE_NAME.test(word);
  if (GENERATED.has(segments[0])) return false;
  return TOP_LEVEL.has(segments[0]) || FILE_NAME.test(segments.at(-1));
}

/**
 * Whether a repo path exists: from the repo's root, else (a firmware module's file, as
 * `http/server.ts`) under modules/, else (a README inside a folder naming its own files, as
 * tools/platform/README.md's `worker/start.js`) at the end of a path under the page's folder; a
 * bare file name anywhere in the repo.
 */
function exists(path, page) {
  const bare = path.replace(/\/$/, "");
  if (ELSEWHERE.has(bare) || existsSync(join(ROOT, bare))) return true;
  if (!bare.includes("/")) return FILE_NAMES.has(bare);
  if (existsSync(join(ROOT, "modules", bare))) return true;
  const folder = posix.dirname(page);
  if (folder === ".") return false;
  return REPO_FILES.some(
    (file) =>
      file.startsWith(`${folder}/`) && (file.endsWith(`/${bare}`) || file.includes(`/${bare}/`)),
  );
}

/** Every `npm run <script>` and `npm run -s <script>` of a page. */
function npmScripts(text) {
  const names = [];
  for (const match of text.matchAll(/\bnpm\s+run\s+(?:(?:-s|--silent)\s+)?([A-Za-z][\w:.-]*)/g))
    names.push(match[1].replace(/[.:]+$/, ""));
  return names;
}

/** The targets of a page's links and images, outside code. */
function linkTargets(text) {
  const prose = withoutFences(text).replace(/`[^`]*`/g, (code) => code.replace(/[[\]()]/g, " "));
  const targets = [];
  for (const match of prose.matchAll(
    /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g,
  ))
    targets.push(match[1]);
  return targets;
}

/** Relative links: no scheme (http:, mailto:, …). */
function isRelative(target) {
  return !/^[a-z][a-z0-9+.-]*:/i.test(target);
}

/** The anchors GitHub makes of a page's headings. */
function anchorsOf(text) {
  const anchors = new Set();
  const seen = new Map();
  for (const match of withoutFences(text).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const slug = match[1]
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/`/g, "")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** `problems` as the lines of an assertion message. */
function listed(what, problems) {
  return `${what} (${problems.length}):\n  ${problems.join("\n  ")}\n`;
}

describe("docs (README.md, docs/*.md, host-tests/README.md, tools/platform/README.md)", () => {
  it("finds the pages", () => {
    expect(PAGES).to.include.members(["README.md", "docs/settings.md", "docs/memory.md"]);
  });

  it("names only repo paths that exist, in code spans and blocks", () => {
    const missing = [];
    for (const page of PAGES) {
      const words = new Set(codeWords(read(page)).map(asPath).filter(isRepoPath));
      for (const path of words) if (!exists(path, page)) missing.push(`${page}: ${path}`);
    }
    expect(missing, listed("paths that do not exist", missing)).to.deep.equal([]);
  });

  it("names only npm scripts of package.json", () => {
    const { scripts } = JSON.parse(read("package.json"));
    const missing = [];
    for (const page of PAGES) {
      for (const name of new Set(npmScripts(read(page))))
        if (!Object.hasOwn(scripts, name)) missing.push(`${page}: npm run ${name}`);
    }
    expect(missing, listed("scripts package.json does not have", missing)).to.deep.equal([]);
  });

  it("keeps README.md a first hour: at most 300 lines, npm start, mcconfig and websocat in its first 60", () => {
    const lines = read("README.md").split("\n");
    if (lines.at(-1) === "") lines.pop();
    expect(lines.length, "README.md's lines").to.be.at.most(300);
    const top = lines.slice(0, 60).join("\n");
    for (const word of ["npm start", "mcconfig", "websocat"])
      expect(top, `README.md's first 60 lines name ${word}`).to.include(word);
  });

  it("links only to files that exist", () => {
    const missing = [];
    for (const page of PAGES) {
      for (const target of linkTargets(read(page))) {
        if (!isRelative(target) || target.startsWith("#")) continue;
        const file = decodeURI(target.split("#")[0]);
        if (!existsSync(join(ROOT, dirname(page), file))) missing.push(`${page}: ${target}`);
      }
    }
    expect(missing, listed("links to files that do not exist", missing)).to.deep.equal([]);
  });

  it("links only to headings that exist (#anchor, in README.md and docs/*.md)", () => {
    const missing = [];
    for (const page of PAGES) {
      for (const target of linkTargets(read(page))) {
        if (!isRelative(target) || !target.includes("#")) continue;
        const [file, anchor] = target.split("#");
        const linked = file === "" ? page : posix.normalize(posix.join(dirname(page), file));
        if (!PAGES.includes(linked) || !existsSync(join(ROOT, linked))) continue;
        if (!anchorsOf(read(linked)).has(decodeURIComponent(anchor)))
          missing.push(`${page}: ${target}`);
      }
    }
    expect(missing, listed("links to headings that do not exist", missing)).to.deep.equal([]);
  });
});
