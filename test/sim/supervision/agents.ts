/**
 * The agent system under a seeded fault schedule, through its public API only (`AgentSystem`,
 * `Agent`, `Registry`). A seed decides the agents (some whose `initial` crashes: a crash during
 * start), name clashes, and a schedule of tells (some of which crash the handler, so the agent
 * restarts), stops and clock steps; then every agent is stopped and the system's scope closes.
 *
 * The checkers:
 * - no message lost without a dead-letter count: every tell the system accepted was handled or
 *   counted as a dead letter (`sent = handled + dead letters`) once every agent stopped;
 * - a failed start or a name clash leaves nothing: no new agent, no registry entry;
 * - a stopped system holds nothing: no agent (`size() = 0`) and no registry entry.
 */
import { Effect, Exit, Layer, Schema, Scope } from "effect"
import { TestClock } from "effect/testing"
import { Agent, type AgentRef, AgentSystem } from "../../../src/agent/index.ts"
import { Registry } from "../../../src/registry/index.ts"
import { rngOf } from "./rng.ts"

/** The outcome of one seed. */
export interface AgentsRun {
  readonly seed: number
  readonly trace: ReadonlyArray<string>
  readonly violations: ReadonlyArray<string>
  readonly sent: number
  readonly deadLetters: number
  readonly failedSpawns: number
}

const Work = Agent.message("Work", {})
const Boom = Agent.message("Boom", {})
const Messages = Schema.Union([Work, Boom])
type Messages = typeof Messages.Type

/** Runs the agent-system scenario of `seed` (needs the `TestClock`, as `it.effect` provides). */
export const agentsScenario = (
  seed: number,
  options: {
    /** For the checker's self-test: the handler forgets to count every n-th message it handles. */
    readonly forgetEvery?: number
  } = {}
): Effect.Effect<AgentsRun> =>
  Effect.gen(function* () {
    const rng = rngOf(seed)
    const trace: Array<string> = []
    const violations: Array<string> = []
    let handled = 0
    let sent = 0
    let failedSpawns = 0
    const crashingStarts = new Set<string>()

    const Worker = Agent.make({
      name: "worker",
      messages: Messages,
      initial: (context) => {
        if (crashingStarts.has(context.self.id)) throw new Error(`${context.self.id} crashed while starting`)
        return 0
      },
      handle: (count: number, message: Messages) => {
        if (message._tag === "Boom") throw new Error("boom")
        if (options.forgetEvery === undefined || (count + 1) % options.forgetEvery !== 0) handled++
        return count + 1
      }
    })

    const registryScope = yield* Scope.make()
    const registry = yield* Layer.buildWithScope(Registry.layer, registryScope)
    const keys = Effect.flatMap(Effect.service(Registry), (service) => service.keys).pipe(
      Effect.orDie,
      Effect.provideContext(registry)
    )

    /** Runs `step` while simulated time moves on; a step pending after 20 s is a hang. */
    const timed = (name: string, step: Effect.Effect<void>) =>
      Effect.gen(function* () {
        const fiber = yield* Effect.forkDetach(step)
        for (let tick = 0; tick < 200 && fiber.pollUnsafe() === undefined; tick++) yield* TestClock.adjust(100)
        if (fiber.pollUnsafe() === undefined) violations.push(`${name} hung: still pending after 20 simulated seconds`)
      })

    const systemScope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(
      AgentSystem.layerWith({ root: { intensity: { maxRestarts: 10_000, within: "1 second" } } }),
      systemScope
    ).pipe(Effect.provideContext(registry), Effect.orDie)
    const system = yield* Effect.service(AgentSystem).pipe(Effect.provideContext(context))
    const live: Array<AgentRef<Messages>> = []

    const spawn = (id: string) =>
      Effect.gen(function* () {
        const before = system.size()
        const keysBefore = (yield* keys).length
        if (rng.chance(0.15)) crashingStarts.add(id)
        const spawned = yield* Effect.exit(system.spawn(Worker, { id }))
        crashingStarts.delete(id)
        trace.push(`spawn ${id}: ${Exit.isSuccess(spawned) ? "ok" : "failed"}`)
        if (Exit.isSuccess(spawned)) return void live.push(spawned.value)
        failedSpawns++
        if (system.size() !== before) violations.push(`a failed spawn of ${id} changed the number of agents`)
        if ((yield* keys).length !== keysBefore) violations.push(`a failed spawn of ${id} changed the registry`)
      }).pipe(Effect.provideContext(context))

    const count = rng.int(2, 6)
    for (let index = 0; index < count; index++) yield* timed("spawn", spawn(`w${index}`))
    for (let index = 0; index < rng.int(0, 2); index++) yield* timed("clash", spawn(`w${rng.int(0, count - 1)}`))

    const steps = rng.int(10, 40)
    for (let step = 0; step < steps && live.length > 0; step++) {
      const target = rng.pick(live)
      const action = rng.pick(["work", "work", "work", "work", "boom", "stop"] as const)
      trace.push(`${action} ${target.id}`)
      if (action === "stop") {
        live.splice(live.indexOf(target), 1)
        yield* timed("stop", Effect.ignore(system.stop(target)))
      } else {
        const told = yield* Effect.exit(target.tell(action === "boom" ? Boom.make({}) : Work.make({})))
        if (Exit.isSuccess(told)) sent++
      }
      if (rng.chance(0.3)) yield* TestClock.adjust(rng.int(0, 500))
    }
    for (const ref of live) yield* timed("stop", Effect.ignore(system.stop(ref)))

    const dead = yield* system.deadLetters
    const deadLetters = Object.values(dead).reduce((sum, value) => sum + value, 0)
    if (sent !== handled + deadLetters) {
      violations.push(
        `messages lost: ${sent} accepted, ${handled} handled, ${deadLetters} dead letters ${JSON.stringify(dead)}`
      )
    }
    if (system.size() !== 0) violations.push(`a stopped system holds ${system.size()} agents`)
    const left = yield* keys
    if (left.length !== 0) violations.push(`registry entries left after every agent stopped: ${left.join(", ")}`)
    yield* timed("close", Scope.close(systemScope, Exit.void))
    const leftAfterClose = yield* keys
    if (leftAfterClose.length !== 0)
      violations.push(`registry entries left after the system closed: ${leftAfterClose.join(", ")}`)
    yield* Scope.close(registryScope, Exit.void)
    return { seed, trace, violations, sent, deadLetters, failedSpawns }
  })
