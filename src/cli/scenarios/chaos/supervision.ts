/**
 * The supervision part of the `chaos` scenario: replica agents under their own supervisor take a
 * seeded stream of requests while the driver injects crashes (a poison message before a request).
 * Checks that every request is answered, that the request queued behind the poison is handled by
 * the restarted incarnation with fresh state (no state survives a crash, no queued message is
 * lost), one restart per crash, and that the poison messages are the only dead letters.
 *
 * It runs on the scenario's own agent system; the driver is sequential, so the same seed gives
 * the same report.
 *
 * @since 0.1.0
 */
import { Effect, Random, Result, Schema } from "effect"
import { Agent, AgentSystem } from "../../../agent/index.ts"
import { Supervisor } from "../../../supervision/index.ts"
import type { ChaosPart, PartRun, PartSettings } from "./Part.ts"

const Apply = Agent.request("Apply", { seq: Schema.Int }, Schema.Int)
const Poison = Agent.message("Poison", {})

/** Counts the requests it applied since it (re)started; a poison message crashes it. */
const Replica = Agent.make({
  name: "replica",
  messages: Schema.Union([Apply, Poison]),
  initial: () => 0,
  handle: (applied: number, msg, ctx) => {
    if (msg._tag === "Poison") throw new Error("injected crash")
    ctx.reply(msg, applied + 1)
    return applied + 1
  }
})

/** The broken variant: each replica's count survives its crashes, as if restarts kept state. */
const leakyReplica = () => {
  const kept = new Map<string, number>()
  return Agent.make({
    name: "replica",
    messages: Schema.Union([Apply, Poison]),
    initial: (ctx) => kept.get(ctx.self.id) ?? 0,
    handle: (applied: number, msg, ctx) => {
      if (msg._tag === "Poison") throw new Error("injected crash")
      kept.set(ctx.self.id, applied + 1)
      ctx.reply(msg, applied + 1)
      return applied + 1
    }
  })
}

/**
 * Requests per seed.
 *
 * @since 0.1.0
 * @category constants
 */
export const REQUESTS = 200

/** One crash is injected before about one request in `CRASH_EVERY`. */
const CRASH_EVERY = 8

const run = (settings: PartSettings) =>
  Effect.scoped(
    Effect.gen(function* () {
      const agents = yield* AgentSystem
      const team = yield* Supervisor.make({
        name: `chaos-team-${settings.seed}`,
        intensity: { maxRestarts: REQUESTS, within: "1 minute" }
      })
      const replicas = yield* Effect.forEach(
        Array.from({ length: settings.members }, (_, i) => `chaos-${settings.seed}-replica-${i + 1}`),
        (id) => agents.spawn(settings.broken ? leakyReplica() : Replica, { id, supervisor: team })
      )
      const before = yield* agents.deadLetters
      const sinceRestart = replicas.map(() => 0)
      const trace: Array<string> = []
      let crashes = 0
      let answered = 0
      let violation: string | undefined
      for (let seq = 0; seq < REQUESTS && violation === undefined; seq++) {
        const i = yield* Random.nextIntBetween(0, replicas.length - 1)
        const replica = replicas[i]!
        if ((yield* Random.nextIntBetween(1, CRASH_EVERY)) === 1) {
          yield* Effect.orDie(replica.tell(Poison.make({})))
          crashes++
          sinceRestart[i] = 0
          trace.push(`${seq} crash ${replica.id}`)
        }
        const reply = yield* Effect.result(replica.ask(Apply.make({ seq }), { timeout: "10 seconds" }))
        const expected = (sinceRestart[i] ?? 0) + 1
        sinceRestart[i] = expected
        if (Result.isFailure(reply)) {
          violation = `request ${seq} to ${replica.id} was not answered (${reply.failure._tag})`
        } else if (reply.success !== expected) {
          violation =
            `${replica.id} answered ${reply.success} for its request ${expected} since the last restart: ` +
            (reply.success > expected ? "state survived a crash" : "a queued request was lost")
        } else answered++
        trace.push(`${seq} ${replica.id} -> ${Result.isFailure(reply) ? reply.failure._tag : reply.success}`)
      }
      const restarts = (yield* team.children).reduce((sum, child) => sum + child.restarts, 0)
      const after = yield* agents.deadLetters
      const dead = {
        crashed: after["handler-crashed"] - before["handler-crashed"],
        stopped: after["agent-stopped"] - before["agent-stopped"],
        full: after["mailbox-full"] - before["mailbox-full"]
      }
      if (violation === undefined && restarts !== crashes)
        violation = `${restarts} restarts for ${crashes} injected crashes`
      if (violation === undefined && (dead.crashed !== crashes || dead.stopped + dead.full > 0)) {
        violation =
          `dead letters: ${dead.crashed} handler-crashed (expected the ${crashes} poison messages), ` +
          `${dead.stopped} agent-stopped, ${dead.full} mailbox-full (expected 0)`
      }
      if (violation === undefined && !replicas.every((r) => r.isAlive())) violation = "a replica stopped for good"
      const result: PartRun = {
        ok: violation === undefined,
        violation,
        steps: answered,
        faults: crashes,
        lines: [
          `replicas: ${replicas.length} agents under supervisor ${team.name} answered ${answered} of ${REQUESTS} requests`,
          `injected: ${crashes} crashes (a poison message queued before a request)`,
          `restarts: ${restarts}; dead letters: handler-crashed ${dead.crashed}, agent-stopped ${dead.stopped}, mailbox-full ${dead.full}`,
          violation === undefined
            ? `verdict: ok after ${answered} checked requests`
            : `verdict: VIOLATED after ${answered} requests: ${violation}`
        ],
        traceTail: trace.slice(-20)
      }
      return result
    })
  ).pipe(
    Random.withSeed(settings.seed),
    Effect.catch((error) => Effect.succeed(failed(settings, `could not start the replicas: ${error._tag}`)))
  )

const failed = (settings: PartSettings, violation: string): PartRun => ({
  ok: false,
  violation,
  steps: 0,
  faults: 0,
  lines: [`verdict: VIOLATED: ${violation} (seed ${settings.seed})`],
  traceTail: []
})

/**
 * Supervised agents under injected crashes.
 *
 * @since 0.1.0
 * @category utils
 */
export const supervisionPart: ChaosPart = {
  name: "supervision",
  invariants: [
    "every request answered",
    "fresh state after each restart",
    "requests queued behind a crash survive it",
    "one restart per crash",
    "only the poison messages are dead letters"
  ],
  run
}
