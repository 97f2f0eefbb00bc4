/**
 * The mutable state of one study inside the orchestrator, and the pure bookkeeping on it.
 * Every function here runs inside one `Effect.sync` (or under the study's permit), so each call
 * is atomic. Internal to `variables/`.
 *
 * @since 0.1.0
 */
import { invariant } from "../../errors/Invariant.ts"
import type { Semaphore } from "effect"
import type { PolicyRun } from "../policies/UpdatePolicy.ts"
import type { Goal, Observation, Proposal, Space } from "../schema.ts"

/**
 * Per-strategy counters of a study.
 *
 * @since 0.1.0
 * @category models
 */
export interface StrategyStats {
  readonly proposals: number
  readonly observations: number
  /** The best accepted score of this strategy's proposals, if any. */
  readonly best: number | undefined
}

/**
 * One study's state; mutated only by the functions below.
 *
 * @since 0.1.0
 * @category models
 */
export interface StudyState {
  readonly name: string
  readonly space: Space
  readonly goal: Goal
  readonly policyName: string
  readonly policy: PolicyRun
  readonly historyLimit: number
  readonly pendingLimit: number
  readonly permit: Semaphore.Semaphore
  readonly observations: Array<Observation>
  readonly improvements: Array<Observation>
  readonly pending: Map<number, Proposal>
  readonly strategies: Map<string, StrategyStats>
  best: Observation | undefined
  nextId: number
  accepted: number
  dropped: number
  pendingDropped: number
}

/**
 * `a` is strictly better than `b` for `goal`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isBetter = (goal: Goal, a: number, b: number): boolean => (goal === "maximize" ? a > b : a < b)

const statsOf = (state: StudyState, strategy: string): StrategyStats =>
  state.strategies.get(strategy) ?? { proposals: 0, observations: 0, best: undefined }

/**
 * Records a proposal as pending, dropping the oldest pending one past the limit.
 *
 * @since 0.1.0
 * @category utils
 */
export const addProposal = (state: StudyState, proposal: Proposal): void => {
  state.pending.set(proposal.id, proposal)
  for (const id of state.pending.keys()) {
    if (state.pending.size <= state.pendingLimit) break
    state.pending.delete(id)
    state.pendingDropped++
  }
  invariant(state.pending.size <= state.pendingLimit, `study "${state.name}" holds too many pending proposals`)
  const stats = statsOf(state, proposal.strategy)
  state.strategies.set(proposal.strategy, { ...stats, proposals: stats.proposals + 1 })
}

/**
 * Appends an accepted observation; returns whether it improved the best.
 *
 * @since 0.1.0
 * @category utils
 */
export const addObservation = (state: StudyState, observation: Observation): boolean => {
  state.observations.push(observation)
  state.accepted++
  if (state.observations.length > state.historyLimit) {
    state.observations.shift()
    state.dropped++
  }
  const stats = statsOf(state, observation.strategy)
  state.strategies.set(observation.strategy, {
    proposals: stats.proposals,
    observations: stats.observations + 1,
    best:
      stats.best === undefined || isBetter(state.goal, observation.score, stats.best) ? observation.score : stats.best
  })
  const improved = state.best === undefined || isBetter(state.goal, observation.score, state.best.score)
  if (improved) {
    state.best = observation
    state.improvements.push(observation)
    if (state.improvements.length > state.historyLimit) state.improvements.shift()
  }
  invariant(state.observations.length <= state.historyLimit, `study "${state.name}" history exceeds its limit`)
  invariant(
    state.accepted === state.observations.length + state.dropped,
    `study "${state.name}" lost count of its observations`
  )
  return improved
}
