// The compartment the firmware runs in: a global object of its own (the language's built-ins and
// what the platform installs, nothing of xsnap's), and modules found the way XS finds them on the
// board. The host resolves each specifier and sends each module's source (loader/
// firmware-imports.js, shared with the Node engine); the platform's modules (embedded:io/…,
// timer, …) are the engine's own, shared with the platform compartment.
import { call } from "./channel.js";

/** The specifier the host's instrumentation gives sdk/runtime/preload.js. */
export const PRELOAD_RUNTIME_SPECIFIER = "@platform/preload";

/**
 * @param {Record<string, string>} engineModules specifier -> platform module path
 * @param {string} preloadRuntime the path of sdk/runtime/preload.js
 */
export function createFirmwareCompartment(engineModules, preloadRuntime) {
  const load = (name) => {
    if (name.startsWith("platform:")) return { namespace: importPlatformModule(name.slice(9)) };
    const text = call("load", name).value;
    try {
      return { source: new ModuleSource(text) };
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      // XS says what is wrong but not where: name the module.
      throw new SyntaxError(`${error.message} in module "${name}"`, { cause: error });
    }
  };
  return new Compartment({
    resolveHook(specifier, referrer) {
      if (specifier === PRELOAD_RUNTIME_SPECIFIER) return `platform:${preloadRuntime}`;
      const { kind, name } = call("resolve", specifier, referrer).value;
      return kind === "engine" ? `platform:${engineModules[name]}` : name;
    },
    loadNowHook: load,
    // import(): a module may await at its top level (the host answers at once all the same).
    loadHook: async (name) => load(name),
  });
}
