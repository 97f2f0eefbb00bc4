/**
 * Rebalancing: moves agents from crowded supervisors to idle ones. `plan` is the pure step
 * (which agents go where); `rebalance` carries it out by stopping each chosen agent (it drains
 * the messages already queued) and respawning it, under the same id, under the target supervisor.
 * Its registry entry follows it, so routers reach the new incarnation on their next `route`.
 *
 * A moved agent starts from its definition's initial state: rebalance stateless workers, or
 * agents whose state is rebuilt by `initial`.
 *
 * @since 0.1.0
 */
import { Effect, Option, Schema } from "effect"
import type { AgentDefinition } from "../agent/index.ts"
import { AgentSystem } from "../agent/index.ts"
import { decodeInput, type InvalidInput } from "../errors/index.ts"
import type { Supervisor } from "../supervision/index.ts"
import { MoveFailed } from "./errors.ts"

/**
 * The agents of one place (a supervisor) and their loads.
 *
 * @since 0.1.0
 * @category models
 */
export interface PlaceLoad {
  readonly place: string
  readonly agents: ReadonlyArray<{ readonly id: string; readonly load: number }>
}

/**
 * One planned move. `weight` is what the agent counts for: 1 plus its queue length.
 *
 * @since 0.1.0
 * @category models
 */
export interface Move {
  readonly agent: string
  readonly from: string
  readonly to: string
  readonly weight: number
}

/**
 * Plans at most `maxMoves` moves. A place's load is the sum of its agents' weights (1 + queue
 * length). Each step moves, from the most to the least loaded place, the agent whose weight comes
 * closest to half the gap without reaching the gap, so every move strictly lowers the sum of
 * squared loads (the plan always terminates) and never swaps which place is the busiest beyond
 * the gap. It stops when no agent of the busiest place is lighter than the gap: loads then
 * differ by less than the heaviest agent's weight.
 *
 * @example
 * ```ts
 * plan([{ place: "a", agents: [{ id: "w1", load: 0 }, { id: "w2", load: 0 }] }, { place: "b", agents: [] }], 10)
 * // [{ agent: "w1", from: "a", to: "b", weight: 1 }]
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const plan = (places: ReadonlyArray<PlaceLoad>, maxMoves: number): ReadonlyArray<Move> => {
  const state = places.map((p) => ({
    place: p.place,
    agents: p.agents.map((a) => ({ id: a.id, weight: 1 + Math.max(0, a.load) })),
    load: p.agents.reduce((sum, a) => sum + 1 + Math.max(0, a.load), 0)
  }))
  const moves: Array<Move> = []
  while (moves.length < maxMoves && state.length >= 2) {
    let high = state[0]!
    let low = state[0]!
    for (const p of state) {
      if (p.load > high.load) high = p
      if (p.load < low.load) low = p
    }
    const gap = high.load - low.load
    let best = -1
    let bestDistance = Infinity
    for (let i = 0; i < high.agents.length; i++) {
      const weight = high.agents[i]!.weight
      if (weight >= gap) continue
      const distance = Math.abs(gap / 2 - weight)
      if (distance < bestDistance) {
        best = i
        bestDistance = distance
      }
    }
    if (best < 0) break
    const [agent] = high.agents.splice(best, 1)
    low.agents.push(agent!)
    high.load -= agent!.weight
    low.load += agent!.weight
    moves.push({ agent: agent!.id, from: high.place, to: low.place, weight: agent!.weight })
  }
  return moves
}

/**
 * Options of `rebalance`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RebalanceOptions = Schema.Struct({
  /** Most moves carried out (default 100). */
  maxMoves: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 10_000 })))
})
/**
 * Options of `rebalance`.
 *
 * @since 0.1.0
 * @category models
 */
export type RebalanceOptions = typeof RebalanceOptions.Type

const RebalanceInput = Schema.Struct({
  places: Schema.Array(Schema.String).check(Schema.isMinLength(2)),
  options: RebalanceOptions
})
const decodeRebalance = decodeInput(RebalanceInput, "Placement.rebalance")

/**
 * Moves agents spawned from `definition` between `places` (supervisors) until their loads are
 * level (see `plan`), and returns the moves made. Agents of other kinds stay where they are and
 * do not count. Fails with `InvalidInput` for fewer than two places, and with `MoveFailed` when an
 * agent was stopped but could not be respawned (e.g. the target supervisor has stopped); moves
 * made before that one stand.
 *
 * @example
 * ```ts
 * const moves = yield* rebalance([crowded, idle], Worker)
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const rebalance = <S, M, E, R>(
  places: ReadonlyArray<Supervisor.Supervisor>,
  definition: AgentDefinition<S, M, E, R>,
  options: RebalanceOptions = {}
): Effect.Effect<ReadonlyArray<Move>, MoveFailed | InvalidInput, AgentSystem | R> =>
  Effect.gen(function* () {
    const input = yield* decodeRebalance({ places: places.map((p) => p.name), options })
    const system = yield* AgentSystem
    const keyOf = (index: number) => `${index}`
    const loads: Array<PlaceLoad> = []
    for (let i = 0; i < places.length; i++) {
      const children = yield* places[i]!.children
      const agents: Array<{ id: string; load: number }> = []
      for (const child of children) {
        const ref = system.lookup(child.id)
        if (Option.isNone(ref) || ref.value.kind !== definition.name || !ref.value.isAlive()) continue
        agents.push({ id: child.id, load: ref.value.mailboxSize() })
      }
      loads.push({ place: keyOf(i), agents })
    }
    const moves = plan(loads, input.options.maxMoves ?? 100)
    const done: Array<Move> = []
    for (const move of moves) {
      const from = places[Number(move.from)]!
      const to = places[Number(move.to)]!
      const ref = system.lookup(move.agent)
      if (Option.isNone(ref)) continue
      yield* Effect.ignore(system.stop(ref.value as never))
      yield* system
        .spawn(definition, { id: move.agent, supervisor: to })
        .pipe(Effect.mapError((error) => new MoveFailed({ agent: move.agent, to: to.name, reason: error.message })))
      done.push({ ...move, from: from.name, to: to.name })
    }
    return done
  })
