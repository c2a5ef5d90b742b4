/**
 * A growable list of numbers in a typed array: an index that keeps hundreds of thousands of them
 * gives the garbage collector one buffer to skip instead of as many slots to visit.
 */
export class TypedList {
  private values: Int32Array | Float64Array;
  length = 0;

  constructor(kind: "int32" | "float64") {
    this.values = kind === "int32" ? new Int32Array(64) : new Float64Array(64);
  }

  push(value: number): void {
    if (this.length === this.values.length) this.values = grown(this.values, this.length * 2);
    this.values[this.length++] = value;
  }

  at(index: number): number {
    return this.values[index]!;
  }
}

/** A copy of `array` with room for `size` values (the new ones 0, or `fill`). */
export function grown<A extends Int32Array | Float64Array | Uint8Array>(array: A, size: number, fill = 0): A {
  const bigger = new (array.constructor as new (n: number) => A)(size);
  if (fill !== 0) bigger.fill(fill);
  bigger.set(array);
  return bigger;
}
