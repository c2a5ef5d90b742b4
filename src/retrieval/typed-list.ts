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
    if (this.length === this.values.length) {
      const bigger = new (this.values.constructor as new (n: number) => Int32Array | Float64Array)(this.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = value;
  }

  at(index: number): number {
    return this.values[index]!;
  }
}
