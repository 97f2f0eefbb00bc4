/**
 * Exact minimum-cost assignment (the Hungarian algorithm, O(rows² · columns)) over `bigint`
 * costs, for `TaskAllocation`. Internal: only `TaskAllocation.ts` imports it.
 *
 * @since 0.1.0
 */

/**
 * A rectangular cost matrix: `cost(row, column)` is the cost of giving `row` to `column`, or
 * `undefined` when the pair is not allowed. Every row must have at least one allowed column that
 * no other row needs (the caller guarantees a perfect matching of the rows exists).
 */
export interface AssignmentProblem {
  readonly rows: number
  readonly columns: number
  readonly cost: (row: number, column: number) => bigint | undefined
}

/**
 * The column of each row in a minimum-cost matching of all rows (`rows ≤ columns`). Dies (throws)
 * if some row cannot be matched: the caller's problem then broke its own contract.
 */
export const minCostAssignment = (problem: AssignmentProblem): ReadonlyArray<number> => {
  const { rows, columns } = problem
  if (rows > columns) throw new Error(`assignment: ${rows} rows exceed ${columns} columns`)
  // 1-based as in the classic formulation: column 0 is the virtual start of each augmenting path.
  const u: Array<bigint> = new Array<bigint>(rows + 1).fill(0n)
  const v: Array<bigint> = new Array<bigint>(columns + 1).fill(0n)
  const owner: Array<number> = new Array<number>(columns + 1).fill(0)
  const way: Array<number> = new Array<number>(columns + 1).fill(0)
  for (let row = 1; row <= rows; row++) {
    owner[0] = row
    let column0 = 0
    const minv: Array<bigint | undefined> = new Array<bigint | undefined>(columns + 1).fill(undefined)
    const used: Array<boolean> = new Array<boolean>(columns + 1).fill(false)
    do {
      used[column0] = true
      const row0 = owner[column0]!
      let delta: bigint | undefined = undefined
      let column1 = -1
      for (let j = 1; j <= columns; j++) {
        if (used[j]) continue
        const c = problem.cost(row0 - 1, j - 1)
        if (c !== undefined) {
          const reduced = c - u[row0]! - v[j]!
          const seen = minv[j]
          if (seen === undefined || reduced < seen) {
            minv[j] = reduced
            way[j] = column0
          }
        }
        const m = minv[j]
        if (m !== undefined && (delta === undefined || m < delta)) {
          delta = m
          column1 = j
        }
      }
      if (delta === undefined) throw new Error(`assignment: row ${row - 1} cannot be matched`)
      for (let j = 0; j <= columns; j++) {
        if (used[j]) {
          u[owner[j]!] = u[owner[j]!]! + delta
          v[j] = v[j]! - delta
        } else if (minv[j] !== undefined) {
          minv[j] = minv[j]! - delta
        }
      }
      column0 = column1
    } while (owner[column0] !== 0)
    do {
      const column1 = way[column0]!
      owner[column0] = owner[column1]!
      column0 = column1
    } while (column0 !== 0)
  }
  const result: Array<number> = new Array<number>(rows).fill(-1)
  for (let j = 1; j <= columns; j++) if (owner[j]! > 0) result[owner[j]! - 1] = j - 1
  return result
}
