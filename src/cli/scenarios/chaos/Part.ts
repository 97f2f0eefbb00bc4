/**
 * One part of the `chaos` scenario: a coordination protocol run under the seeded fault simulator
 * (or supervised agents under injected crashes) with its invariant checks, plus what it reports.
 *
 * @since 0.1.0
 */
import type { Effect } from "effect"
import type { ScenarioServices } from "../Scenario.ts"

/**
 * How a part runs: the seed, the cluster size, and whether to run the protocol's broken variant.
 *
 * @since 0.1.0
 * @category models
 */
export interface PartSettings {
  readonly seed: number
  /** Protocol members (Raft, election) or lock clients plus the owner. */
  readonly members: number
  /** Run the deliberately broken variant, to show a violation being caught (tests, demos). */
  readonly broken: boolean
}

/**
 * What a part returns: its verdict, how much was injected and checked, and its report lines.
 *
 * @since 0.1.0
 * @category models
 */
export interface PartRun {
  readonly ok: boolean
  readonly violation: string | undefined
  /** Checked steps (protocol steps, or requests for the supervision part). */
  readonly steps: number
  /** Crashes and partitions injected. */
  readonly faults: number
  /** The report: what ran, what was injected, the verdict. */
  readonly lines: ReadonlyArray<string>
  /** The last events before the end (or the violation), printed when an invariant broke. */
  readonly traceTail: ReadonlyArray<string>
}

/**
 * A protocol under chaos: its name, the invariants it checks, how to run one seed.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChaosPart {
  readonly name: string
  /** The invariants checked after every step (and the liveness check at the end), for the report. */
  readonly invariants: ReadonlyArray<string>
  readonly run: (settings: PartSettings) => Effect.Effect<PartRun, never, ScenarioServices>
}

/**
 * Simulated ms of faults in every part, then a fault-free quiet period.
 *
 * @since 0.1.0
 * @category constants
 */
export const FAULT_MILLIS = 2_000

/**
 * The fault-free period at the end, after healing every partition and restarting every node.
 *
 * @since 0.1.0
 * @category constants
 */
export const QUIET_MILLIS = 1_000

/**
 * Link faults of every part: 1–20 ms delays (reordering), 5 % drops, 5 % duplicates.
 *
 * @since 0.1.0
 * @category constants
 */
export const LINKS = { defaults: { minDelay: 1, maxDelay: 20, drop: 0.05, duplicate: 0.05 } } as const

/**
 * Node names `n0`, `n1`, ….
 *
 * @since 0.1.0
 * @category utils
 */
export const memberNames = (count: number): ReadonlyArray<string> => Array.from({ length: count }, (_, i) => `n${i}`)
