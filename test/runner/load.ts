/**
 * A steady load of tells and asks on the test tally agents, for the rolling-restart test: `workers`
 * fibers each send, back to back, an `Increment` tell or an `Add` ask (alternately) to an id drawn
 * from `ids` by a seeded Random, each with a deadline, and record the outcome under the phase
 * current when it was sent. What is acknowledged is counted per id: the floor of each agent's
 * persisted total.
 */
import { Effect, Random, Ref } from "effect"
import type { ClusterRef } from "../../src/cluster/index.ts"
import { Add, Increment } from "./agents.ts"

/** What happened to one message. */
export interface Outcome {
  readonly phase: string
  readonly kind: "tell" | "ask"
  /** `"ok"`, or the `_tag` of the typed error it failed with. */
  readonly result: string
  readonly millis: number
}

/** Per-phase figures. */
export interface PhaseReport {
  readonly phase: string
  readonly seconds: number
  readonly sent: number
  readonly answered: number
  readonly availability: number
  readonly p99Millis: number
  readonly failures: Readonly<Record<string, number>>
}

/** The load's shared state. */
export interface Load {
  readonly phase: Ref.Ref<string>
  readonly outcomes: Array<Outcome>
  /** Acknowledged increments per id. */
  readonly acknowledged: Map<string, number>
  /** Sent increments per id (acknowledged or not). */
  readonly sent: Map<string, number>
}

export const makeLoad = (phase: string): Effect.Effect<Load> =>
  Effect.map(Ref.make(phase), (ref) => ({ phase: ref, outcomes: [], acknowledged: new Map(), sent: new Map() }))

const bump = (map: Map<string, number>, id: string) => map.set(id, (map.get(id) ?? 0) + 1)

/**
 * Runs `workers` senders until interrupted. Every message either succeeds within `deadlineMillis`
 * or fails with a typed error (`AskTimeout` past the deadline); a defect fails the load.
 */
export const runLoad = (options: {
  readonly load: Load
  readonly refs: (id: string) => ClusterRef<typeof Increment.Type | typeof Add.Type>
  readonly ids: number
  readonly workers: number
  readonly seed: number
  readonly deadlineMillis: number
}) =>
  Effect.forEach(
    Array.from({ length: options.workers }, (_, w) => w),
    (worker) =>
      Effect.gen(function* () {
        for (let n = 0; ; n++) {
          const id = `t-${yield* Random.nextIntBetween(0, options.ids - 1)}`
          const kind = (n + worker) % 2 === 0 ? "tell" : "ask"
          const phase = yield* Ref.get(options.load.phase)
          const start = performance.now()
          bump(options.load.sent, id)
          const send: Effect.Effect<unknown, { readonly _tag: string }> =
            kind === "tell"
              ? options
                  .refs(id)
                  .tell(Increment.make({ by: 1 }))
                  .pipe(
                    Effect.timeoutOrElse({
                      duration: options.deadlineMillis,
                      orElse: () => Effect.fail({ _tag: "TellTimeout" as const })
                    })
                  )
              : options.refs(id).ask(Add.make({ by: 1 }), { timeout: options.deadlineMillis })
          const result = yield* send.pipe(
            Effect.as("ok"),
            Effect.catch((error) => {
              const reason = (error as { readonly reason?: unknown }).reason
              return Effect.succeed(typeof reason === "string" ? `${error._tag}(${reason})` : error._tag)
            })
          )
          if (result === "ok") bump(options.load.acknowledged, id)
          options.load.outcomes.push({ phase, kind, result, millis: performance.now() - start })
        }
      }).pipe(Random.withSeed(options.seed * 1000 + worker)),
    { concurrency: "unbounded", discard: true }
  )

const p99 = (values: Array<number>) => {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!
}

/** Availability (answered within the deadline / sent) and p99 latency of the answered, per phase. */
export const report = (
  outcomes: ReadonlyArray<Outcome>,
  phases: ReadonlyArray<{ readonly name: string; readonly seconds: number }>
): Array<PhaseReport> =>
  phases.map(({ name: phase, seconds }) => {
    const mine = outcomes.filter((o) => o.phase === phase)
    const ok = mine.filter((o) => o.result === "ok")
    const failures: Record<string, number> = {}
    for (const o of mine) if (o.result !== "ok") failures[o.result] = (failures[o.result] ?? 0) + 1
    return {
      phase,
      seconds,
      sent: mine.length,
      answered: ok.length,
      availability: mine.length === 0 ? 1 : ok.length / mine.length,
      p99Millis: Math.round(p99(ok.map((o) => o.millis)) * 10) / 10,
      failures
    }
  })

/** One line per phase, for the test's log. */
export const format = (reports: ReadonlyArray<PhaseReport>): string =>
  reports
    .map(
      (r) =>
        `${r.phase.padEnd(15)} ${r.seconds.toFixed(1).padStart(5)} s  sent ${String(r.sent).padStart(5)}  answered ${(r.availability * 100).toFixed(2).padStart(6)}%  p99 ${String(
          r.p99Millis
        ).padStart(7)} ms${Object.keys(r.failures).length === 0 ? "" : `  failures ${JSON.stringify(r.failures)}`}`
    )
    .join("\n")
