// Makes the global environment look like XS on the ESP32 for the firmware (both engines; the
// Node engine also removes Node's globals, adapters/node/boot.js):
// - xsl freezes the built-ins when it preloads (fxFreezeBuiltIns in xs/tools/xsl.c): every
//   built-in constructor, prototype and function. So, as on the board, `Error.prototype.name` and
//   `Object.prototype.toString` cannot be shadowed by assignment (`this.name = "X"` in an Error
//   subclass throws a TypeError), and nothing can be added to a built-in prototype.
// - Node's own globals do not exist in XS (process, Buffer, console, setTimeout, TextEncoder, URL,
//   fetch, Intl, WebAssembly…): they are removed, so firmware that uses one fails here too.
import { host } from "../host.js";
import { markIntrinsic } from "./preload.js";

const ECMASCRIPT_GLOBALS = new Set([
  "globalThis",
  "Infinity",
  "NaN",
  "undefined",
  "eval",
  "isFinite",
  "isNaN",
  "parseFloat",
  "parseInt",
  "decodeURI",
  "decodeURIComponent",
  "encodeURI",
  "encodeURIComponent",
  "escape",
  "unescape",
  "AggregateError",
  "Array",
  "ArrayBuffer",
  "Atomics",
  "BigInt",
  "BigInt64Array",
  "BigUint64Array",
  "Boolean",
  "DataView",
  "Date",
  "Error",
  "EvalError",
  "FinalizationRegistry",
  "Float32Array",
  "Float64Array",
  "Function",
  "Int8Array",
  "Int16Array",
  "Int32Array",
  "Iterator",
  "JSON",
  "Map",
  "Math",
  "Number",
  "Object",
  "Promise",
  "Proxy",
  "RangeError",
  "ReferenceError",
  "Reflect",
  "RegExp",
  "Set",
  "SharedArrayBuffer",
  "String",
  "Symbol",
  "SyntaxError",
  "TypeError",
  "Uint8Array",
  "Uint8ClampedArray",
  "Uint16Array",
  "Uint32Array",
  "URIError",
  "WeakMap",
  "WeakRef",
  "WeakSet",
  // XS
  "global",
  "trace",
]);

/** The built-in objects xsl freezes: global constructors and namespaces, their prototypes, and
 * the prototypes only reachable through instances (iterators, generators, async functions). */
function builtInObjects(global) {
  const objects = new Set();
  for (const name of ECMASCRIPT_GLOBALS) {
    const value = global[name];
    if ((typeof value === "function" || typeof value === "object") && value !== global) {
      if (value !== null) objects.add(value);
      if (typeof value === "function" && value.prototype) objects.add(value.prototype);
    }
  }
  const TypedArray = Object.getPrototypeOf(Uint8Array);
  const generator = function* () {};
  const asyncGenerator = async function* () {};
  const asyncFunction = async function () {};
  const iteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
  for (const value of [
    TypedArray,
    TypedArray.prototype,
    iteratorPrototype,
    Object.getPrototypeOf([][Symbol.iterator]()),
    Object.getPrototypeOf(new Map()[Symbol.iterator]()),
    Object.getPrototypeOf(new Set()[Symbol.iterator]()),
    Object.getPrototypeOf(""[Symbol.iterator]()),
    Object.getPrototypeOf(/a/[Symbol.matchAll]("")),
    Object.getPrototypeOf(generator),
    Object.getPrototypeOf(generator).prototype,
    Object.getPrototypeOf(generator.prototype),
    Object.getPrototypeOf(asyncGenerator),
    Object.getPrototypeOf(asyncGenerator).prototype,
    Object.getPrototypeOf(Object.getPrototypeOf(asyncGenerator.prototype)),
    Object.getPrototypeOf(asyncFunction),
    Array.prototype[Symbol.unscopables],
  ]) {
    objects.add(value);
  }
  return objects;
}

/** Freezes the built-ins and the functions they hold, as xsl does. */
export function freezeBuiltIns(global = host.firmwareGlobal) {
  for (const object of builtInObjects(global)) {
    for (const descriptor of Object.values(Object.getOwnPropertyDescriptors(object))) {
      for (const fn of [descriptor.value, descriptor.get, descriptor.set]) {
        if (typeof fn === "function") {
          Object.freeze(fn);
          markIntrinsic(fn);
        }
      }
    }
    harden(object);
    markIntrinsic(object);
  }
  markIntrinsic(global);
}

/** Deletes the globals XS does not have. Returns their names. */
export function removeHostGlobals(global = host.firmwareGlobal) {
  const removed = [];
  for (const name of Object.getOwnPropertyNames(global)) {
    if (!ECMASCRIPT_GLOBALS.has(name) && delete global[name]) removed.push(name);
  }
  return removed;
}

/**
 * Object.freeze, one property at a time: the same result (Object.isFrozen is true), but V8 keeps
 * its fast paths for typed arrays and objects, which Object.freeze on a built-in prototype loses
 * (a 125-byte frame parsed 3× slower).
 */
function harden(object) {
  for (const key of Reflect.ownKeys(object)) {
    const descriptor = Object.getOwnPropertyDescriptor(object, key);
    // Already frozen; XS refuses even to redefine some of these as they are (String.prototype.length).
    if (!descriptor.configurable && !descriptor.writable) continue;
    if ("value" in descriptor) descriptor.writable = false;
    descriptor.configurable = false;
    Object.defineProperty(object, key, descriptor);
  }
  Object.preventExtensions(object);
}
