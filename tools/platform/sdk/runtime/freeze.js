// The SDK modules the platform layer replaces are preloaded on the ESP32, and XS freezes what
// preloading creates: their classes, prototypes and methods cannot be changed at run time.

/** Freezes a class, its prototype, and the functions on both. */
export function freezeClass(constructor) {
  for (const target of [constructor, constructor.prototype]) {
    for (const descriptor of Object.values(Object.getOwnPropertyDescriptors(target))) {
      for (const fn of [descriptor.value, descriptor.get, descriptor.set]) {
        if (typeof fn === "function" && fn !== constructor) Object.freeze(fn);
      }
    }
    Object.freeze(target);
  }
  return constructor;
}
