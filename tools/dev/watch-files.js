// What `npm run dev` watches: main.ts and manifest.json in the project's folder, and everything
// under its modules/ folder. Each folder has a watch of its own (node:fs, not recursive: Node 20's
// recursive watch on Linux polls files), added and dropped as folders come and go.
import { readdirSync, statSync, watch } from "node:fs";
import { join, relative, sep } from "node:path";

/** The files of the project's folder itself that are watched. */
export const ROOT_FILES = ["main.ts", "manifest.json"];
export const MODULES = "modules";

/** Editors' temporary, swap and backup files: saving them is no save of a source. */
const SCRATCH = /(^\.|~$|\.sw[a-p]$|^4913$|___jb_(tmp|old)___$)/;

const isFolder = (path) => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/**
 * Calls `onChange(path)` (relative to `root`, with "/") for every save of a watched file.
 * @returns {() => void} stops watching
 */
export function watchProject(root, onChange) {
  /** @type {Map<string, import("node:fs").FSWatcher>} the watched folders under modules/ */
  const folders = new Map();
  const report = (path, folder = false) =>
    onChange(relative(root, path).split(sep).join("/") + (folder ? "/" : ""));

  const unwatch = (folder) => {
    for (const [path, watcher] of folders) {
      if (path === folder || path.startsWith(folder + sep)) {
        watcher.close();
        folders.delete(path);
      }
    }
  };

  const watchFolder = (folder) => {
    if (folders.has(folder) || !isFolder(folder)) return;
    let watcher;
    try {
      watcher = watch(folder, (event, name) => {
        if (!isFolder(folder)) {
          // The folder itself is gone (inotify names it as if it were in itself).
          unwatch(folder);
          return report(folder, true);
        }
        if (!name) return report(folder, true);
        if (SCRATCH.test(name)) return;
        const path = join(folder, name);
        const isNowFolder = isFolder(path);
        if (isNowFolder) watchFolder(path);
        else if (folders.has(path)) unwatch(path);
        report(path, isNowFolder);
      });
    } catch {
      return; // gone already
    }
    watcher.on("error", () => unwatch(folder));
    folders.set(folder, watcher);
    let entries = [];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      // gone already: its watch reports it
    }
    for (const entry of entries) {
      if (entry.isDirectory()) watchFolder(join(folder, entry.name));
    }
  };

  const modules = join(root, MODULES);
  const rootWatcher = watch(root, (event, name) => {
    if (name === MODULES) {
      if (event !== "rename") return;
      // modules/ itself made, removed or replaced
      unwatch(modules);
      watchFolder(modules);
      report(modules, true);
    } else if (ROOT_FILES.includes(name)) report(join(root, name));
  });
  watchFolder(modules);
  return () => {
    rootWatcher.close();
    unwatch(modules);
  };
}
