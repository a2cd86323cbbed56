// What XS's preloading (xsl, at build time) leaves frozen at run time, for modules named in the
// manifest's "preload". Checked on SDK 8.2.3 (simulator build, same xsl as for esp32):
// - functions and classes created while preloading are frozen, and so are the prototypes of
//   constructors: setting a class static or adding a method throws a TypeError;
// - Map, Set, WeakMap and WeakSet created while preloading are read-only ("read-only Map
//   instance"), even when only a closure holds them;
// - RegExp objects are frozen (a /g regexp cannot update lastIndex), and using one at run time
//   can crash XS after a garbage collection: loader/preload-regexps.js refuses them at load;
// - plain objects, arrays and class instances stay writable (XS copies them to RAM on write), and
//   so do module variables holding them.
// The load hook brackets each preloaded module's body with preloadBegin/preloadEnd: collections
// constructed in between are recorded, and preloadEnd freezes the functions and regexps reachable
// from the module's exports. runtimeBegins(), called at the top of every module that is not
// preloaded and after the main module, makes the recorded collections read-only.
import { host } from "../host.js";

const COLLECTIONS = [
  [Map, ["set", "delete", "clear"]],
  [Set, ["add", "delete", "clear"]],
  [WeakMap, ["set", "delete"]],
  [WeakSet, ["add", "delete"]],
];

const readOnly = new WeakSet();
const created = new Set();
const constructors = new Map();
const intrinsics = new WeakSet();
let preloading = false;

/**
 * Patches the mutating methods of the collections so that they honour `readOnly`. Called once,
 * before the intrinsics are frozen.
 */
export function installReadOnlyCollections() {
  for (const [Collection, methods] of COLLECTIONS) {
    const label = Collection.name;
    for (const name of methods) {
      const original = Collection.prototype[name];
      const guarded = {
        [name](...args) {
          if (readOnly.has(this)) throw new TypeError(`this: read-only ${label} instance`);
          return original.apply(this, args);
        },
      }[name];
      Object.defineProperty(guarded, "length", { value: original.length });
      Object.defineProperty(Collection.prototype, name, {
        value: guarded,
        writable: true,
        configurable: true,
      });
    }
    const recording = function (...args) {
      if (!new.target) throw new TypeError(`Constructor ${label} requires 'new'`);
      const instance = Reflect.construct(Collection, args, new.target);
      if (preloading) created.add(instance);
      return instance;
    };
    Object.defineProperty(recording, "name", { value: label });
    recording.prototype = Collection.prototype;
    Object.setPrototypeOf(recording, Collection);
    constructors.set(Collection, recording);
  }
}

/** Objects that belong to the engine, not to the firmware: never walked. */
export function markIntrinsic(object) {
  intrinsics.add(object);
}

function isConstructor(fn) {
  try {
    Reflect.construct(String, [], fn);
    return true;
  } catch {
    return false;
  }
}

function freezeReachable(value, seen) {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return;
  if (seen.has(value) || intrinsics.has(value)) return;
  seen.add(value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return;
  if (
    value instanceof Map ||
    value instanceof Set ||
    value instanceof WeakMap ||
    value instanceof WeakSet
  ) {
    created.add(value);
  }
  if (value instanceof Map || value instanceof Set) {
    for (const item of value) freezeReachable(item, seen);
  }
  const descriptors = Object.getOwnPropertyDescriptors(value);
  for (const descriptor of Object.values(descriptors)) {
    freezeReachable(descriptor.value, seen);
    freezeReachable(descriptor.get, seen);
    freezeReachable(descriptor.set, seen);
  }
  if (typeof value !== "function") freezeReachable(Object.getPrototypeOf(value), seen);
  if (typeof value === "function") {
    if (isConstructor(value) && descriptors.prototype?.value) Object.freeze(value.prototype);
    Object.freeze(value);
  } else if (value instanceof RegExp) {
    Object.freeze(value);
  }
}

/** Start of a preloaded module's body. */
export function preloadBegin() {
  preloading = true;
  const global = host.firmwareGlobal;
  for (const [Collection, recording] of constructors) global[Collection.name] = recording;
}

/** End of a preloaded module's body: freeze what XS would have frozen. */
export function preloadEnd(namespace) {
  const global = host.firmwareGlobal;
  for (const [Collection] of constructors) global[Collection.name] = Collection;
  preloading = false;
  const seen = new WeakSet();
  for (const name of Object.keys(namespace)) freezeReachable(namespace[name], seen);
}

/** Code that is not preloaded is about to run: preloaded collections become read-only. */
export function runtimeBegins() {
  for (const instance of created) readOnly.add(instance);
  created.clear();
}
