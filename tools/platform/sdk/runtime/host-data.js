// Host objects keep their native record as "host data". Once closed the data is gone, and XS's
// xsmcGetHostDataValidate throws a SyntaxError for any later use of the object.

export class HostData {
  #records = new WeakMap();
  #everHost = new WeakSet();

  set(object, record) {
    this.#records.set(object, record);
    this.#everHost.add(object);
  }

  delete(object) {
    this.#records.delete(object);
  }

  /** The record, or undefined (xsmcGetHostData). */
  peek(object) {
    return object !== null && typeof object === "object" ? this.#records.get(object) : undefined;
  }

  /** The record, or throws like xsmcGetHostDataValidate. */
  get(object) {
    const record = this.peek(object);
    if (record) return record;
    if (object !== null && typeof object === "object" && this.#everHost.has(object)) {
      throw new SyntaxError("C: xsGetHostData: invalid host data");
    }
    throw new SyntaxError("C: xsGetHostData: not a host object");
  }
}
