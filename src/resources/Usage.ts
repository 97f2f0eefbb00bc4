/**
 * `Usage`: what each agent consumed — messages, asks in flight, handler time, children, money,
 * refusals — kept per agent so operators can find the hogs and alerts can watch the rates.
 *
 * The table is bounded by `MAX_TRACKED_AGENTS`. Policy when full: the agent whose usage changed
 * least recently is forgotten (its counters restart from zero if it comes back).
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Schema } from "effect"
import { decodeInput, type InvalidInput } from "../errors/index.ts"
import { Lru } from "./internal/lru.ts"
import { Id } from "./schema.ts"

/**
 * Most agents tracked at once (see the module comment for the eviction policy).
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_TRACKED_AGENTS = 10_000

/**
 * Cumulative usage of one agent since it was first tracked; gauges hold their latest value.
 *
 * @since 0.1.0
 * @category models
 */
export interface AgentUsage {
  readonly agent: string
  /** Messages sent (tell and ask). */
  readonly messages: number
  /** Asks sent. */
  readonly asks: number
  /** Operations refused by a quota. */
  readonly rejections: number
  /** Time spent waiting in throttles and pauses, ms. */
  readonly waitedMillis: number
  /** Clock time spent in metered handler runs, ms. */
  readonly cpuMillis: number
  /** Children spawned through `Quotas.spawn`. */
  readonly spawns: number
  /** Minor units spent through `Quotas.spend`. */
  readonly spent: bigint
  /** Asks waiting for a reply now (gauge). */
  readonly inFlightAsks: number
  /** Mailbox depth last seen when a message was sent to this agent (gauge). */
  readonly mailboxDepth: number
}

/**
 * The counters of `AgentUsage` that `top` can rank by.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UsageField = Schema.Literals([
  "messages",
  "asks",
  "rejections",
  "waitedMillis",
  "cpuMillis",
  "spawns",
  "inFlightAsks",
  "mailboxDepth"
])
/**
 * A field of `AgentUsage` that `top` can rank by.
 *
 * @since 0.1.0
 * @category models
 */
export type UsageField = typeof UsageField.Type

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

const fresh = (agent: string): Mutable<AgentUsage> => ({
  agent,
  messages: 0,
  asks: 0,
  rejections: 0,
  waitedMillis: 0,
  cpuMillis: 0,
  spawns: 0,
  spent: 0n,
  inFlightAsks: 0,
  mailboxDepth: 0
})

/**
 * The mutable table behind `Usage`, for the quota engine's hot path.
 *
 * @since 0.1.0
 * @category models
 */
export class UsageTable {
  readonly table = new Lru<string, Mutable<AgentUsage>>(MAX_TRACKED_AGENTS)

  /** The row of `agent`, created when absent. */
  row(agent: string): Mutable<AgentUsage> {
    return this.table.getOrCreate(agent, () => fresh(agent))
  }

  /** A copy of every row. */
  snapshot(): Array<AgentUsage> {
    return Array.from(this.table.values(), (row) => ({ ...row }))
  }
}

const decodeAgent = decodeInput(Id, "Usage.of")
const decodeTop = decodeInput(
  Schema.Struct({ n: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: MAX_TRACKED_AGENTS })), by: UsageField }),
  "Usage.top"
)

/**
 * Per-agent usage, top-N hogs.
 *
 * @since 0.1.0
 * @category services
 */
export class Usage extends Context.Service<
  Usage,
  {
    /** The usage of `agent` (all zeros for an agent never seen). */
    readonly of: (agent: string) => Effect.Effect<AgentUsage, InvalidInput>
    /** Every tracked agent's usage. */
    readonly all: Effect.Effect<ReadonlyArray<AgentUsage>>
    /**
     * The `n` agents with the highest `by`, highest first (ties by agent id).
     *
     * @example
     * ```ts
     * const usage = yield* Usage
     * const hogs = yield* usage.top(3, "messages")
     * ```
     */
    readonly top: (n: number, by: UsageField) => Effect.Effect<ReadonlyArray<AgentUsage>, InvalidInput>
    /** The table itself, for the quota engine (same process, no copy). */
    readonly table: UsageTable
  }
>()("mabeam/Usage") {
  /** An empty usage table. */
  static readonly layer: Layer.Layer<Usage> = Layer.sync(Usage, () => makeUsage())
}

/**
 * Builds a usage service over a fresh table.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeUsage = (): Usage["Service"] => {
  const table = new UsageTable()
  return Usage.of({
    table,
    of: (agent) =>
      decodeAgent(agent).pipe(
        Effect.map((id) => {
          const row = table.table.peek(id)
          return row === undefined ? fresh(id) : { ...row }
        })
      ),
    all: Effect.sync(() => table.snapshot()),
    top: (n, by) =>
      decodeTop({ n, by }).pipe(
        Effect.map((input) =>
          table
            .snapshot()
            .sort((a, b) => b[input.by] - a[input.by] || (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0))
            .slice(0, input.n)
        )
      )
  })
}
