/**
 * The orchestrator of universal variables: the service that holds studies. A study is one
 * variable space with a goal, an update policy, a bounded history of accepted observations, the
 * open proposals and the current best. Agents call `propose` (run a strategy against the study's
 * history and hand out an assignment), `observe` (report a score; the policy decides whether and
 * when it counts) and `best` / `history` / `summary` to read.
 *
 * Limits: each study keeps its last `historyLimit` observations (default 1000; the oldest is
 * dropped, the best is always kept) and `pendingLimit` open proposals (default 1000; the oldest
 * is forgotten, a late report for it still counts). At most `maxStudies` studies (default 1000).
 *
 * @since 0.1.0
 */
import { Clock, Context, Effect, Layer, Option, Schema, Semaphore } from "effect"
import { decodeInput, InvalidInput } from "../errors/index.ts"
import { addObservation, addProposal, type StrategyStats, type StudyState } from "./internal/study.ts"
import type { UpdatePolicy } from "./policies/UpdatePolicy.ts"
import { type Goal, type Observation, type Proposal, Report, type Space } from "./schema.ts"
import { assignmentKey, checkAssignment, makeSpace } from "./space.ts"
import type { Strategy } from "./strategies/Strategy.ts"
import { type InvalidAssignment, type NotAuthorized, StudyExists, UnknownStudy } from "./VariablesError.ts"

export type { StrategyStats } from "./internal/study.ts"

/**
 * How to define a study. `space` is decoded (`InvalidInput` names bad variables).
 *
 * @since 0.1.0
 * @category models
 */
export interface StudyOptions {
  readonly space: unknown
  readonly policy: UpdatePolicy
  /** Default `"maximize"`. */
  readonly goal?: Goal
  /** Observations kept for strategies and `history`; default 1000. */
  readonly historyLimit?: number
  /** Open proposals kept; default 1000. */
  readonly pendingLimit?: number
}

/**
 * What happened to a report.
 *
 * @since 0.1.0
 * @category models
 */
export type ObserveResult =
  /** The policy accepted a score: it is in the history; `improved` if it is the new best. */
  | { readonly _tag: "Recorded"; readonly observation: Observation; readonly improved: boolean }
  /** Waiting for more agreeing votes. */
  | { readonly _tag: "Pending"; readonly votes: number; readonly needed: number }
  /** All votes are in and no majority agreed: nothing was recorded. */
  | { readonly _tag: "NoMajority"; readonly scores: ReadonlyArray<number> }
  /** This ballot was already decided: nothing changed. */
  | { readonly _tag: "Closed" }

/**
 * A readable snapshot of a study, for summaries and dashboards.
 *
 * @since 0.1.0
 * @category models
 */
export interface StudySummary {
  readonly study: string
  readonly goal: Goal
  readonly policy: string
  readonly space: Space
  readonly best: Option.Option<Observation>
  /** Each accepted observation that improved the best, in order: the best score over time. */
  readonly improvements: ReadonlyArray<Observation>
  readonly proposals: number
  readonly accepted: number
  readonly pending: number
  /** Observations dropped from the bounded history, and pending proposals forgotten. */
  readonly dropped: number
  readonly pendingDropped: number
  /** Counters per strategy name; the strategy of `best` is the winner. */
  readonly strategies: Readonly<Record<string, StrategyStats>>
}

/**
 * The operations of the orchestrator. Every failed operation leaves the study as it was.
 *
 * @since 0.1.0
 * @category models
 */
export interface OrchestratorShape {
  /**
   * Defines a study and returns its decoded space. Fails with `StudyExists`, or `InvalidInput`
   * for a bad name or space, or when `maxStudies` are already defined.
   */
  readonly define: (study: string, options: StudyOptions) => Effect.Effect<Space, InvalidInput | StudyExists>
  /** Runs `strategy` on the study's history and pending proposals; records and returns the proposal. */
  readonly propose: (study: string, strategy: Strategy, proposer: string) => Effect.Effect<Proposal, UnknownStudy>
  /**
   * Reports a score (`Report`: assignment, score, reporter, and the proposal id if it came from
   * `propose`). The assignment is checked against the space, then the policy decides.
   */
  readonly observe: (
    study: string,
    report: Report
  ) => Effect.Effect<ObserveResult, UnknownStudy | InvalidInput | InvalidAssignment | NotAuthorized>
  /** The best accepted observation so far, if any. */
  readonly best: (study: string) => Effect.Effect<Option.Option<Observation>, UnknownStudy>
  /** The retained observations, oldest first. */
  readonly history: (study: string) => Effect.Effect<ReadonlyArray<Observation>, UnknownStudy>
  /** The open proposals, oldest first. */
  readonly pending: (study: string) => Effect.Effect<ReadonlyArray<Proposal>, UnknownStudy>
  /** A snapshot for summaries: best, best over time, counters per strategy, what was dropped. */
  readonly summary: (study: string) => Effect.Effect<StudySummary, UnknownStudy>
  /** The names of the defined studies, sorted. */
  readonly studies: Effect.Effect<ReadonlyArray<string>>
}

/**
 * Options of `Orchestrator.layerWith`.
 *
 * @since 0.1.0
 * @category models
 */
export interface OrchestratorOptions {
  /** Most studies one orchestrator holds; default 1000. `define` past it fails with `InvalidInput`. */
  readonly maxStudies?: number
}

/** The Schema of `OrchestratorOptions`. */
const OrchestratorOptionsSchema = Schema.Struct({
  maxStudies: Schema.optional(Schema.Int.check(Schema.isGreaterThan(0)))
})
const decodeOptions = decodeInput(OrchestratorOptionsSchema, "Orchestrator.make")
const decodeReport = decodeInput(Report, "Orchestrator.observe")
const decodeStudyName = decodeInput(Schema.String.check(Schema.isMinLength(1)), "Orchestrator.define")

/**
 * Builds an orchestrator; `layer` and `layerWith` wrap this. A `maxStudies` that is not a whole
 * number ≥ 1 fails with `InvalidInput` naming the field.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (raw: OrchestratorOptions = {}): Effect.Effect<OrchestratorShape, InvalidInput> =>
  Effect.map(decodeOptions(raw), (options) => {
    const maxStudies = options.maxStudies ?? 1000
    const studies = new Map<string, StudyState>()
    const get = (study: string): Effect.Effect<StudyState, UnknownStudy> =>
      Effect.suspend(() => {
        const state = studies.get(study)
        return state === undefined ? Effect.fail(new UnknownStudy({ study })) : Effect.succeed(state)
      })

    const define: OrchestratorShape["define"] = (study, opts) =>
      Effect.gen(function* () {
        yield* decodeStudyName(study)
        const space = yield* makeSpace(opts.space)
        if (studies.has(study)) return yield* new StudyExists({ study })
        if (studies.size >= maxStudies) {
          return yield* new InvalidInput({ where: "Orchestrator.define", issue: `at most ${maxStudies} studies` })
        }
        const policy = yield* opts.policy.start(study)
        const permit = yield* Semaphore.make(1)
        // Re-checked after the policy started: another fiber may have defined the study meanwhile.
        if (studies.has(study)) return yield* new StudyExists({ study })
        studies.set(study, {
          name: study,
          space,
          goal: opts.goal ?? "maximize",
          policyName: opts.policy.name,
          policy,
          historyLimit: Math.max(1, opts.historyLimit ?? 1000),
          pendingLimit: Math.max(1, opts.pendingLimit ?? 1000),
          permit,
          observations: [],
          improvements: [],
          pending: new Map(),
          strategies: new Map(),
          best: undefined,
          nextId: 1,
          accepted: 0,
          dropped: 0,
          pendingDropped: 0
        })
        return space
      })

    const propose: OrchestratorShape["propose"] = (study, strategy, proposer) =>
      Effect.gen(function* () {
        const state = yield* get(study)
        const assignment = yield* strategy.propose({
          space: state.space,
          goal: state.goal,
          observations: state.observations.slice(),
          pending: Array.from(state.pending.values(), (p) => p.assignment)
        })
        const at = yield* Clock.currentTimeMillis
        return yield* Effect.sync(() => {
          const proposal: Proposal = { id: state.nextId++, study, assignment, strategy: strategy.name, proposer, at }
          addProposal(state, proposal)
          return proposal
        })
      }).pipe(Effect.withSpan("mabeam.variables.propose", { attributes: { study, strategy: strategy.name } }))

    const observe: OrchestratorShape["observe"] = (study, input) =>
      Effect.gen(function* () {
        const state = yield* get(study)
        const report = yield* decodeReport(input)
        yield* checkAssignment(state.space, report.assignment)
        const proposal = report.proposal === undefined ? undefined : state.pending.get(report.proposal)
        if (proposal !== undefined && assignmentKey(proposal.assignment) !== assignmentKey(report.assignment)) {
          return yield* new InvalidInput({
            where: "Orchestrator.observe",
            issue: `the assignment differs from the one of proposal ${proposal.id}`
          })
        }
        const key = report.proposal === undefined ? assignmentKey(report.assignment) : `proposal:${report.proposal}`
        // The policy's decision and the bookkeeping happen as one step: an interrupted observe
        // never leaves a ballot closed without its observation recorded.
        return yield* state.permit
          .withPermit(
            Effect.gen(function* () {
              const verdict = yield* state.policy.submit({ study, key, reporter: report.reporter, score: report.score })
              const at = yield* Clock.currentTimeMillis
              return yield* Effect.sync((): ObserveResult => {
                if (verdict._tag === "Pending" || verdict._tag === "Closed") return verdict
                if (report.proposal !== undefined) state.pending.delete(report.proposal)
                if (verdict._tag === "NoMajority") return verdict
                const observation: Observation = {
                  assignment: report.assignment,
                  score: verdict.score,
                  strategy: proposal?.strategy ?? report.strategy ?? "external",
                  ...(report.proposal === undefined ? {} : { proposal: report.proposal }),
                  reporters: verdict.reporters,
                  at
                }
                return { _tag: "Recorded", observation, improved: addObservation(state, observation) }
              })
            })
          )
          .pipe(Effect.uninterruptible)
      }).pipe(Effect.withSpan("mabeam.variables.observe", { attributes: { study } }))

    return {
      define,
      propose,
      observe,
      best: (study) => Effect.map(get(study), (s) => Option.fromUndefinedOr(s.best)),
      history: (study) => Effect.map(get(study), (s) => s.observations.slice()),
      pending: (study) => Effect.map(get(study), (s) => Array.from(s.pending.values())),
      summary: (study) =>
        Effect.map(
          get(study),
          (s): StudySummary => ({
            study: s.name,
            goal: s.goal,
            policy: s.policyName,
            space: s.space,
            best: Option.fromUndefinedOr(s.best),
            improvements: s.improvements.slice(),
            proposals: s.nextId - 1,
            accepted: s.accepted,
            pending: s.pending.size,
            dropped: s.dropped,
            pendingDropped: s.pendingDropped,
            strategies: Object.fromEntries(s.strategies)
          })
        ),
      studies: Effect.sync(() => Array.from(studies.keys()).sort())
    }
  })

/**
 * The orchestrator service. Provide `Orchestrator.layer` (or `layerWith(options)`) once, in the
 * scope that owns the agents sharing the variables.
 *
 * @example
 * ```ts
 * const space: Space = { lr: { _tag: "continuous", min: 0.001, max: 1 } }
 * const score = 0.5
 * const orchestrator = yield* Orchestrator
 * yield* orchestrator.define("branin", { space, goal: "minimize", policy: SingleOwner.make("coordinator") })
 * const proposal = yield* orchestrator.propose("branin", Tpe.make(), "strategist-1")
 * yield* orchestrator.observe("branin", { assignment: proposal.assignment, score, reporter: "coordinator", proposal: proposal.id })
 * ```
 *
 * @since 0.1.0
 * @category services
 */
export class Orchestrator extends Context.Service<Orchestrator, OrchestratorShape>()("mabeam/Orchestrator") {
  /** An in-memory orchestrator with the default limits. */
  static readonly layer: Layer.Layer<Orchestrator> = Layer.effect(Orchestrator, Effect.orDie(make()))
  /** An in-memory orchestrator with the given limits; bad options fail the layer with `InvalidInput`. */
  static readonly layerWith = (options: OrchestratorOptions): Layer.Layer<Orchestrator, InvalidInput> =>
    Layer.effect(Orchestrator, make(options))
}
