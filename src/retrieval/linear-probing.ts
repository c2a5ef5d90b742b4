/** How {@link backwardShiftDelete} sees one open-addressing table. */
export interface ProbedTable {
  /** Whether a slot is empty. */
  isEmpty(slot: number): boolean;
  /** The slot where the entry now in `slot` starts its probe. */
  homeOf(slot: number): number;
  /** Moves the entry of slot `from` into slot `to`. */
  move(from: number, to: number): void;
  /** Marks a slot empty. */
  clear(slot: number): void;
}

/**
 * Empties slot `hole` of a linear-probing table of `mask + 1` slots by backward shift: each later
 * entry of the probe run whose home does not lie cyclically in (hole, its slot] moves up into the
 * hole, which moves with it; the last hole is left empty. No tombstones, so lookups stay as short
 * as the table's load. The weight matrix's pair table and the term dictionary both delete so.
 */
export function backwardShiftDelete(hole: number, mask: number, table: ProbedTable): void {
  for (let i = (hole + 1) & mask; !table.isEmpty(i); i = (i + 1) & mask) {
    if (((i - table.homeOf(i)) & mask) >= ((i - hole) & mask)) {
      table.move(i, hole);
      hole = i;
    }
  }
  table.clear(hole);
}
