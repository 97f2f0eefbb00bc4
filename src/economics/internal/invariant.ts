/**
 * Invariant assertions for the synchronous cores of economics. A violation is a bug, never an
 * expected failure: it throws `InvariantViolation`, which the calling Effect surfaces as a defect
 * (`Effect.sync` / `Effect.die`), so a seeded run that trips it replays the bug.
 *
 * Internal: only files under `src/economics/` may import this.
 */

/** A broken invariant of an economics data structure. */
export class InvariantViolation extends Error {
  override readonly name = "InvariantViolation"
}

/** Throws `InvariantViolation` with `message` unless `condition` holds. */
export const invariant: (condition: boolean, message: string) => asserts condition = (condition, message) => {
  if (!condition) throw new InvariantViolation(message)
}
