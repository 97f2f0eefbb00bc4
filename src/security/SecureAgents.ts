/**
 * `SecureAgents`: the agent system in secure mode. `SecureAgents.layer` provides an `AgentSystem`
 * that checks the verified caller (`SecureMode.caller`) inside every state-changing operation and
 * hands out only refs that do the same; composed over the raw system, it provides the checked one
 * IN PLACE of the raw one, so nothing built on the composed app can reach the unchecked system.
 *
 * - `spawn` needs `agent:spawn` (and `agent:supervise` under one of the system's supervisors given
 *   as `options.supervisor`); the ref it returns is checked.
 * - `stop(ref)` needs `agent:stop:<id>`.
 * - `ref.tell` / `ref.ask` (refs from `spawn` and `lookup`) need `agent:tell:<id>` / `agent:ask:<id>`.
 * - `ref.tellUnsafe` has no fiber, so no proven caller: it refuses every message (false), and each
 *   refusal is audited as an anonymous `security.unauthorized`.
 * - `link(a, b)` needs `agent:link:<a>` and `agent:link:<b>`; a denial is audited and is a defect
 *   (`link` has no error channel).
 * - The supervisors (`root`, `group`, `supervisors`) are views whose `startChild`, `stopChild`,
 *   `terminateChild`, `deleteChild` and `restartChild` need `agent:supervise`; a denial is audited
 *   and is a defect (the `Supervisor` interface has no place for it in its errors).
 * - Reading (`lookup`, `monitor`, `events`, `deadLetters`, `size`, `children`) is not checked.
 *
 * Every denial is a typed `Unauthorized` (except where noted) plus an audit record. An agent's
 * handlers run in the context it was spawned in, so they act with the spawner's token.
 *
 * @example
 * ```ts
 * const App = SecureAgents.layer.pipe(Layer.provide(AgentSystem.layer), Layer.provideMerge(secureLayer(options)))
 * const ref = yield* secure.actAs(token)(agents.spawn(Counter))   // needs agent:spawn
 * ```
 *
 * @since 0.1.0
 */
import { Effect, Layer, Option, Queue } from "effect"
import { type AgentRef, AgentSystem } from "../agent/index.ts"
import type * as Supervisor from "../supervision/Supervisor.ts"
import * as Capabilities from "./capabilities.ts"
import { SecuredRef, type RefGuard } from "./internal/securedRef.ts"
import { guardSupervisor } from "./internal/securedSupervisor.ts"
import { ANONYMOUS, SecureMode } from "./SecureMode.ts"

/**
 * Most refused `tellUnsafe` calls waiting to be audited; beyond it they are dropped (still refused).
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_PENDING_REFUSALS = 1_024

/** The refs this system handed out, unwrapped again for the raw system's `stop`, `monitor`, `link`. */
const rawOf = <M>(ref: AgentRef<M>): AgentRef<M> => (ref instanceof SecuredRef ? (ref.inner as AgentRef<M>) : ref)

/**
 * Builds the checked agent system over the raw `AgentSystem` and `SecureMode` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function* () {
  const raw = yield* AgentSystem
  const secure = yield* SecureMode
  const refusals = yield* Queue.dropping<string>(MAX_PENDING_REFUSALS)
  yield* Effect.forkScoped(
    Effect.forever(
      Effect.flatMap(Queue.take(refusals), (agent) =>
        Effect.ignore(secure.deny(ANONYMOUS, Capabilities.tell(agent), "tellUnsafe has no proven caller"))
      )
    )
  )
  const guard: RefGuard = { secure, refusedUnsafe: (agent) => void Queue.offerUnsafe(refusals, agent) }
  const supervisors = new WeakMap<Supervisor.Supervisor, Supervisor.Supervisor>()
  // The raw supervisor behind each view handed out, for `spawn({ supervisor })`.
  const rawSupervisors = new WeakMap<Supervisor.Supervisor, Supervisor.Supervisor>()
  const view = (supervisor: Supervisor.Supervisor): Supervisor.Supervisor => {
    let guarded = supervisors.get(supervisor)
    if (guarded === undefined) {
      guarded = guardSupervisor(supervisor, secure)
      supervisors.set(supervisor, guarded)
      rawSupervisors.set(guarded, supervisor)
    }
    return guarded
  }
  const orDieDenied = (capability: string) => Effect.orDie(secure.require(capability))

  return AgentSystem.of({
    node: raw.node,
    root: view(raw.root),
    spawn: (definition, options) => {
      // Under one of the system's own supervisors (a view): `agent:supervise` too, checked typed here.
      const under = options?.supervisor === undefined ? undefined : rawSupervisors.get(options.supervisor)
      const allowed =
        under === undefined
          ? secure.require(Capabilities.spawn)
          : Effect.andThen(secure.require(Capabilities.spawn), secure.require(Capabilities.supervise))
      return Effect.andThen(
        allowed,
        raw.spawn(definition, under === undefined ? options : { ...options, supervisor: under })
      ).pipe(Effect.map((ref) => new SecuredRef(ref, guard)))
    },
    stop: (ref) => Effect.andThen(secure.require(Capabilities.stop(ref.id)), raw.stop(rawOf(ref))),
    group: (kind) => Option.map(raw.group(kind), view),
    supervisors: Effect.map(raw.supervisors, (all) => all.map(view)),
    lookup: (id) => Option.map(raw.lookup(id), (ref) => new SecuredRef(ref, guard)),
    monitor: (ref) => raw.monitor(rawOf(ref)),
    link: (a, b) =>
      Effect.andThen(
        Effect.andThen(orDieDenied(Capabilities.link(a.id)), orDieDenied(Capabilities.link(b.id))),
        raw.link(rawOf(a), rawOf(b))
      ),
    events: raw.events,
    deadLetters: raw.deadLetters,
    size: raw.size
  })
})

/**
 * The checked agent system, in place of the raw one it is built over.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<AgentSystem, never, AgentSystem | SecureMode> = Layer.effect(AgentSystem, make)

/**
 * `agents` (a layer of the raw agent system) with its checks on: the output is the checked
 * `AgentSystem` only.
 *
 * @since 0.1.0
 * @category layers
 */
export const secureAgents = <E, R>(
  agents: Layer.Layer<AgentSystem, E, R>
): Layer.Layer<AgentSystem, E, R | SecureMode> => layer.pipe(Layer.provide(agents))
