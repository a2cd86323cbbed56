// The first code the XS worker runs, as a script in its start compartment (the host sends this
// function's text with the platform's sources): a compartment for the platform's own modules,
// loaded from those sources by path, then the XS engine's bootstrap (bootstrap.js), which answers
// the host's commands. xsnap's own module loader is not used: it keeps "a/../b" in module names,
// so one file reached by two paths would load twice.

/**
 * @param {Record<string, string>} sources module path (below tools/platform) -> source text
 * @param {string} entry the bootstrap's path
 */
export function startWorker(sources, entry) {
  const start = globalThis;
  const join = (referrer, specifier) => {
    const parts = referrer.split("/");
    parts.pop();
    for (const part of specifier.split("/")) {
      if (part === "..") parts.pop();
      else if (part !== ".") parts.push(part);
    }
    return parts.join("/");
  };
  const platform = new Compartment({
    globals: {
      issueCommand: start.issueCommand,
      performance: start.performance,
      setImmediate: start.setImmediate,
      gc: start.gc,
      resetMeter: start.resetMeter,
      TextEncoder: start.TextEncoder,
      TextDecoder: start.TextDecoder,
      importPlatformModule: (path) => platform.importNow(path),
    },
    resolveHook: (specifier, referrer) =>
      specifier.startsWith("./") || specifier.startsWith("../")
        ? join(referrer, specifier)
        : specifier,
    loadNowHook(path) {
      if (!Object.hasOwn(sources, path)) throw new Error(`platform module ${path} not found`);
      return { source: new ModuleSource(sources[path]) };
    },
  });
  const bootstrap = platform.importNow(entry);
  start.handleCommand = (buffer) => bootstrap.handleCommand(buffer);
  // xsnap reports a rejection nobody handled by calling console.error of the start compartment.
  start.console = { error: (_label, reason) => bootstrap.unhandledRejection(reason) };
}
