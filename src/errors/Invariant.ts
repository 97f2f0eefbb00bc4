/**
 * Invariant assertions for the synchronous cores of every capability (the kernel, the protocols,
 * the ledger). A violation is a bug, never an expected failure: it throws `InvariantViolation`,
 * which the calling Effect surfaces as a defect (`Effect.sync` / `Effect.die`), so a seeded run
 * that trips it replays the bug. Cheap enough to stay on in production: one branch when it holds.
 *
 * @since 0.1.0
 */

/**
 * A broken invariant of a mabeam data structure: always a bug in mabeam, reported as a defect.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvariantViolation extends Error {
  override readonly name = "InvariantViolation"
}

/**
 * Throws `InvariantViolation` with `message` unless `condition` holds.
 *
 * @since 0.1.0
 * @category assertions
 */
export const invariant: (condition: boolean, message: string) => asserts condition = (condition, message) => {
  if (!condition) throw new InvariantViolation(message)
}
