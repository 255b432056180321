// A secondary index over an informer's cache: index value → keys of the objects that produce it.

export class ObjectIndex<T> {
  readonly #fn: (obj: T) => string[];
  readonly #byValue = new Map<string, Set<string>>();
  readonly #byKey = new Map<string, string[]>();

  constructor(fn: (obj: T) => string[]) {
    this.#fn = fn;
  }

  /** Records (or re-records) the values of the object stored under `key`. */
  set(key: string, obj: T): void {
    this.remove(key);
    const values = [...new Set(this.#fn(obj))];
    this.#byKey.set(key, values);
    for (const value of values) {
      let keys = this.#byValue.get(value);
      if (!keys) {
        keys = new Set();
        this.#byValue.set(value, keys);
      }
      keys.add(key);
    }
  }

  remove(key: string): void {
    for (const value of this.#byKey.get(key) ?? []) {
      const keys = this.#byValue.get(value);
      keys?.delete(key);
      // Drop empty sets so values of long-gone objects do not accumulate.
      if (keys?.size === 0) this.#byValue.delete(value);
    }
    this.#byKey.delete(key);
  }

  clear(): void {
    this.#byValue.clear();
    this.#byKey.clear();
  }

  /** Keys of the objects indexed under `value`. */
  keys(value: string): Iterable<string> {
    return this.#byValue.get(value) ?? [];
  }
}
