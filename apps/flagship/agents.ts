/**
 * The agents of the tuning flagship: workers that train the model, strategists that propose
 * hyperparameters, and the coordinator that holds the study (the universal variables).
 *
 * @since 0.1.0
 */
import { Effect, Random, Schema } from "effect"
import { Agent } from "../../src/agent/index.ts"
import { crossValidate } from "../ml/index.ts"
import { Assignment, Orchestrator, Proposal, type Strategy } from "../../src/variables/index.ts"

/** The study every agent of the flagship works on. */
export const STUDY = "mlp"

/**
 * Cross-validate the model described by `assignment`; if `crashAtFold` is set, the worker dies
 * after that fold (chaos).
 */
export const Train = Agent.request(
  "Train",
  { trial: Schema.Int, assignment: Assignment, crashAtFold: Schema.optionalKey(Schema.Int) },
  Schema.Struct({ accuracy: Schema.Number })
)

/** Ask a strategist for its next proposal. */
export const Propose = Agent.request("Propose", {}, Proposal)

/** A finished trial, reported to the coordinator. */
export const Report = Agent.message("Report", {
  proposal: Schema.Int,
  assignment: Assignment,
  score: Schema.Number,
  strategy: Schema.String
})

/**
 * A worker cross-validates mljs models on the iris data. Folds and forest seeds come from the run
 * seed and the trial number, so a trial re-run after a crash gives exactly the same score.
 */
export const makeWorker = (runSeed: string) =>
  Agent.make({
    name: "worker",
    messages: Train,
    capabilities: ["train"],
    initial: () => 0,
    handle: (trained: number, msg, ctx) =>
      Effect.gen(function* () {
        const accuracy = yield* crossValidate([msg.assignment], {
          foldSeed: `${runSeed}-folds`,
          onFold: (fold) =>
            fold === msg.crashAtFold ? Effect.die(new Error(`chaos: worker killed after fold ${fold}`)) : Effect.void
        }).pipe(Random.withSeed(`${runSeed}-trial-${msg.trial}`))
        ctx.reply(msg, { accuracy })
        return trained + 1
      })
  })

/** A strategist proposes assignments for the study with its own search strategy. */
export const makeStrategist = (strategy: Strategy) =>
  Agent.make({
    name: `strategist-${strategy.name}`,
    messages: Propose,
    capabilities: ["propose"],
    initial: () => 0,
    handle: (proposed: number, msg, ctx) =>
      Effect.gen(function* () {
        const orchestrator = yield* Orchestrator
        const proposal = yield* orchestrator.propose(STUDY, strategy, ctx.self.id)
        ctx.reply(msg, proposal)
        return proposed + 1
      })
  })

/** Answers once every report sent before it is recorded (a mailbox is first in, first out). */
export const Flush = Agent.request("Flush", {}, Schema.Int)

/** The coordinator is the single owner of the study: only its reports update the variables. */
export const Coordinator = Agent.make({
  name: "coordinator",
  messages: Schema.Union([Report, Flush]),
  capabilities: ["coordinate"],
  initial: () => 0,
  handle: (reports: number, msg, ctx) =>
    Effect.gen(function* () {
      if (msg._tag === "Flush") {
        ctx.reply(msg, reports)
        return reports
      }
      const orchestrator = yield* Orchestrator
      yield* orchestrator.observe(STUDY, {
        assignment: msg.assignment,
        score: msg.score,
        reporter: "coordinator",
        proposal: msg.proposal,
        strategy: msg.strategy
      })
      return reports + 1
    })
})
