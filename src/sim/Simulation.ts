/**
 * The seeded fault simulator: runs a cluster of protocol nodes (each a `runNode` driver on its own
 * simulated `Transport`) under a `TestClock` and `Random.withSeed(seed)`, injects crashes, restarts,
 * partitions and heals at seeded times, and runs an invariant checker after every protocol step.
 *
 * Same seed, same run: the result's trace hash is identical. A failing run reports its seed and a
 * one-line replay command (`SimResult.replay`).
 *
 * @since 0.1.0
 */
import { Clock, Effect, FiberMap, Random, type Scope } from "effect"
import { TestClock } from "effect/testing"
import type { Event, Output, Protocol } from "../coordination/index.ts"
import { runNode } from "../coordination/index.ts"
import {
  makeSimNetwork,
  type SimNetwork,
  type SimNetworkOptions,
  type SimNetworkStats
} from "../transport/sim/index.ts"
import { Trace } from "./Trace.ts"

/**
 * What an invariant checker sees after a step. `states` holds the nodes that are up.
 *
 * @since 0.1.0
 * @category models
 */
export interface StepView<S, M, O> {
  readonly now: number
  readonly node: string
  readonly state: S
  readonly event: Event<M>
  readonly outputs: ReadonlyArray<Output<M, O>>
  readonly states: ReadonlyMap<string, S>
}

/**
 * A (possibly stateful) invariant checker, made fresh for every run.
 *
 * @since 0.1.0
 * @category models
 */
export interface Checker<S, M, O> {
  /** Called after every step; returns a description of a broken invariant, or `undefined`. */
  readonly step: (view: StepView<S, M, O>) => string | undefined
  /** Called once at the end of the run, after the fault-free quiet period (liveness). */
  readonly final?: ((states: ReadonlyMap<string, S>) => string | undefined) | undefined
}

/**
 * A fault a scenario's `steer` chooses (or `Random`: the simulator's own random choice; `None`: no fault).
 *
 * @since 0.1.0
 * @category models
 */
export type FaultAction =
  | { readonly _tag: "Crash"; readonly node: string }
  | { readonly _tag: "Restart"; readonly node: string }
  /** The listed groups are cut from each other and from the remaining nodes. */
  | { readonly _tag: "Partition"; readonly groups: ReadonlyArray<ReadonlyArray<string>> }
  | { readonly _tag: "Heal" }
  | { readonly _tag: "Random" }
  | { readonly _tag: "None" }

/**
 * What a steering function sees at a fault tick.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultView<S> {
  readonly now: number
  readonly up: ReadonlyArray<string>
  readonly down: ReadonlyArray<string>
  /** The states of the nodes that are up. */
  readonly states: ReadonlyMap<string, S>
  /** The run's seeded random numbers in [0, 1). */
  readonly random: () => number
}

/**
 * Which faults the simulator injects, and how often.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultPlan<S = never> {
  /** Mean simulated ms between two faults. */
  readonly interval: number
  /** Crash / restart nodes (at most `maxDown` at once). */
  readonly crash: boolean
  readonly maxDown: number
  /** Split the nodes in two random groups, and heal. */
  readonly partition: boolean
  /**
   * Steers the schedule toward known-dangerous interleavings (e.g. crash the leader right after an
   * old-term entry reached a majority): called at every fault tick, before the random choice; a
   * `Crash` beyond `maxDown` is ignored. Must draw randomness only from `view.random` (determinism).
   */
  readonly steer?: ((view: FaultView<S>) => FaultAction) | undefined
}

/**
 * One simulated run.
 *
 * @since 0.1.0
 * @category models
 */
export interface SimulateOptions<S, M, P, O> {
  readonly seed: number
  /** The name used in the replay command (`npm exec -- node test/sim/run.ts <scenario> --seed N`). */
  readonly scenario: string
  readonly protocol: Protocol<S, M, P, O>
  readonly nodes: ReadonlyArray<string>
  /** Simulated ms with faults. */
  readonly duration: number
  /** Simulated ms after healing everything and restarting every node, before `Checker.final`. */
  readonly quiet?: number
  readonly network?: SimNetworkOptions
  readonly faults?: FaultPlan<S>
  readonly checker: () => Checker<S, M, O>
  /** Clients: forked in the run's scope once the nodes started. */
  readonly workload?: ((network: SimNetwork) => Effect.Effect<void, never, Scope.Scope>) | undefined
  /** Lines of trace kept (the hash covers all). */
  readonly traceCapacity?: number
}

/**
 * The outcome of one run.
 *
 * @since 0.1.0
 * @category models
 */
export interface SimResult {
  readonly seed: number
  readonly ok: boolean
  readonly violation: string | undefined
  readonly steps: number
  readonly traceHash: string
  readonly traceCount: number
  readonly traceTail: ReadonlyArray<string>
  readonly stats: SimNetworkStats
  /** One line that replays this run. */
  readonly replay: string
}

/**
 * The one-line command that replays `scenario` with `seed`.
 *
 * @since 0.1.0
 * @category utils
 */
export const replayCommand = (scenario: string, seed: number): string =>
  `npm exec -- node test/sim/run.ts ${scenario} --seed ${seed}`

/**
 * A failing run as a short report: seed, violation, replay command, last trace lines.
 *
 * @since 0.1.0
 * @category utils
 */
export const formatFailure = (scenario: string, result: SimResult, tail = 15): string =>
  [
    `simulation "${scenario}" failed with seed ${result.seed}: ${result.violation ?? "unknown"}`,
    `replay: ${result.replay}`,
    ...result.traceTail.slice(-tail).map((line) => `  ${line}`)
  ].join("\n")

/**
 * Runs one seeded simulation; never fails: a broken invariant is reported in the result.
 *
 * @since 0.1.0
 * @category utils
 */
export const simulate = <S, M, P, O>(options: SimulateOptions<S, M, P, O>): Effect.Effect<SimResult> =>
  Effect.scoped(
    Effect.gen(function* () {
      const trace = new Trace(options.traceCapacity ?? 400)
      const network = yield* Effect.orDie(makeSimNetwork(options.network ?? {}, trace))
      const rng = yield* Random.Random
      const clock = yield* Clock.Clock
      const checker = options.checker()
      const states = new Map<string, S>()
      const disk = new Map<string, P>()
      const fibers = yield* FiberMap.make<string>()
      let violation: string | undefined
      let steps = 0

      const start = (node: string) =>
        FiberMap.run(
          fibers,
          node,
          Effect.scoped(
            Effect.gen(function* () {
              const endpoint = yield* Effect.orDie(network.transport(node).bind(options.protocol.name))
              return yield* runNode(options.protocol, {
                endpoint,
                persisted: disk.get(node),
                observe: (state, event, outputs) => {
                  steps++
                  states.set(node, state)
                  disk.set(node, options.protocol.persist(state))
                  if (violation !== undefined) return violation
                  violation = checker.step({
                    now: clock.currentTimeMillisUnsafe(),
                    node,
                    state,
                    event,
                    outputs,
                    states
                  })
                  if (violation !== undefined)
                    trace.record(`${clock.currentTimeMillisUnsafe()} VIOLATION ${node}: ${violation}`)
                  return violation
                }
              })
            })
          )
        )
      const crash = (node: string) =>
        Effect.gen(function* () {
          yield* network.crash(node)
          yield* FiberMap.remove(fibers, node)
          states.delete(node)
        })
      const restart = (node: string) => Effect.andThen(network.restart(node), start(node))

      for (const node of options.nodes) yield* start(node)
      if (options.workload !== undefined) yield* Effect.forkScoped(options.workload(network))

      const pick = <A>(items: ReadonlyArray<A>): A | undefined =>
        items[Math.floor(rng.nextDoubleUnsafe() * items.length)]
      const faults = options.faults
      let elapsed = 0
      while (elapsed < options.duration && violation === undefined) {
        const wait =
          faults === undefined
            ? Math.min(50, options.duration - elapsed)
            : Math.min(
                options.duration - elapsed,
                Math.max(1, Math.round(faults.interval * (0.5 + rng.nextDoubleUnsafe())))
              )
        yield* TestClock.adjust(wait)
        elapsed += wait
        if (faults === undefined || violation !== undefined || elapsed >= options.duration) continue
        const down = options.nodes.filter((node) => !network.isUp(node))
        const up = options.nodes.filter((node) => network.isUp(node))
        const steered = faults.steer?.({ now: elapsed, up, down, states, random: () => rng.nextDoubleUnsafe() }) ?? {
          _tag: "Random"
        }
        if (steered._tag !== "Random") {
          if (steered._tag === "Crash" && network.isUp(steered.node) && down.length < faults.maxDown)
            yield* crash(steered.node)
          else if (steered._tag === "Restart" && !network.isUp(steered.node)) yield* restart(steered.node)
          else if (steered._tag === "Partition") yield* network.partition(steered.groups)
          else if (steered._tag === "Heal") yield* network.heal
          continue
        }
        const choice = rng.nextDoubleUnsafe()
        if (faults.crash && choice < 0.5) {
          const node = down.length >= faults.maxDown || (down.length > 0 && choice < 0.25) ? pick(down) : pick(up)
          if (node !== undefined) yield* network.isUp(node) ? crash(node) : restart(node)
        } else if (faults.partition) {
          if (choice < 0.75) {
            const shuffled = options.nodes.map((node) => [rng.nextDoubleUnsafe(), node] as const)
            shuffled.sort((a, b) => a[0] - b[0])
            const cut = 1 + Math.floor(rng.nextDoubleUnsafe() * (options.nodes.length - 1))
            yield* network.partition([shuffled.slice(0, cut).map(([, node]) => node)])
          } else yield* network.heal
        }
      }
      if (violation === undefined && options.quiet !== undefined) {
        yield* network.heal
        for (const node of options.nodes) if (!network.isUp(node)) yield* restart(node)
        yield* TestClock.adjust(options.quiet)
        if (violation === undefined) violation = checker.final?.(states)
      }
      yield* FiberMap.clear(fibers)
      return {
        seed: options.seed,
        ok: violation === undefined,
        violation,
        steps,
        traceHash: trace.hash,
        traceCount: trace.count,
        traceTail: trace.lines(),
        stats: yield* network.stats,
        replay: replayCommand(options.scenario, options.seed)
      } satisfies SimResult
    })
  ).pipe(Effect.provide(TestClock.layer()), Random.withSeed(options.seed))

/**
 * Runs `count` seeds starting at `from`; returns every result (stop early with `stopOnFailure`).
 *
 * @since 0.1.0
 * @category utils
 */
export const simulateSeeds = <S, M, P, O>(
  make: (seed: number) => SimulateOptions<S, M, P, O>,
  from: number,
  count: number,
  stopOnFailure = true
): Effect.Effect<ReadonlyArray<SimResult>> =>
  Effect.gen(function* () {
    const results: Array<SimResult> = []
    for (let seed = from; seed < from + count; seed++) {
      const result = yield* simulate(make(seed))
      results.push(result)
      if (!result.ok && stopOnFailure) break
    }
    return results
  })
