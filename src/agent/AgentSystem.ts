/**
 * The agent runtime: spawns agents under supervisors, tracks them, reports their lifecycle.
 *
 * @since 0.1.0
 */
import {
  Cause,
  Context,
  Deferred,
  Duration,
  Effect,
  Exit,
  Layer,
  Metric,
  Option,
  PubSub,
  Schema,
  Scope,
  Stream
} from "effect"
import { AlreadyRegistered } from "../registry/RegistryError.ts"
import { decodeInput, InvalidInput } from "../errors/index.ts"
import type { Unauthorized } from "../security/errors.ts"
import { Registry } from "../registry/index.ts"
import * as Telemetry from "../telemetry/index.ts"
import type { DuplicateChild, RestartPolicy, Shutdown, SupervisorStopped } from "../supervision/index.ts"
import { Deadlines, Supervisor } from "../supervision/index.ts"
import type { AgentDefinition } from "./Agent.ts"
import type { AgentRef, DeadLetterReason } from "./AgentRef.ts"
import { AgentCell, type CellRuntime, CrashSignal } from "./internal/cell.ts"
import { AgentIdTaken, AgentNotRunning, AgentStartFailed, LinkedAgentFailed } from "./errors.ts"
import type { AgentEvent, DeadLetterCounts } from "./events.ts"
import { AgentChild, type SystemHooks } from "./internal/AgentChild.ts"
import { CheckedRef, messageCheck } from "./internal/checked.ts"
import { Groups } from "./internal/groups.ts"

/**
 * How to spawn one agent.
 *
 * @since 0.1.0
 * @category models
 */
export interface SpawnOptions {
  /** Unique id; defaults to `<definition name>-<n>`. */
  readonly id?: string
  /**
   * The supervisor that owns it; defaults to its definition's group: a dynamic supervisor under
   * the root, one per definition name (see `AgentDefinition.supervision`).
   */
  readonly supervisor?: Supervisor.Supervisor
  /** Defaults to `"permanent"`. */
  readonly restart?: RestartPolicy
  /** How long it may take to drain its mailbox when stopped; defaults to 5 seconds. */
  readonly shutdown?: Shutdown
}

/**
 * Everything `spawn` can fail with. `AgentIdTaken`: the id is held (here or by another owner in
 * the registry); `AgentStartFailed`: registration or `initial` failed (nothing is left running);
 * `Unauthorized`: secure mode refused the caller.
 *
 * @since 0.1.0
 * @category models
 */
export type SpawnError =
  | AgentIdTaken
  | AgentStartFailed
  | DuplicateChild
  | SupervisorStopped
  | InvalidInput
  | Unauthorized

/**
 * Options of the agent system.
 *
 * @since 0.1.0
 * @category models
 */
export interface AgentSystemOptions {
  /** The node this system runs on; defaults to `"local"`. */
  readonly node?: string
  /**
   * Options of the root supervisor (default: one-for-one, 3 restarts in 5 s). The root supervises
   * the definition groups, which are temporary children: a group that gives up never restarts the
   * root nor counts against its intensity.
   */
  readonly root?: Supervisor.SupervisorOptions
  /**
   * Default restart intensity of each definition's group (overridden per definition by
   * `AgentDefinition.supervision`); defaults to `root.intensity`, else 3 restarts in 5 s.
   */
  readonly groups?: { readonly intensity?: { readonly maxRestarts: number; readonly within: Duration.Input } }
  /** Default ask timeout; 5 seconds unless set. */
  readonly askTimeout?: Duration.Input
}

const SpawnInput = Schema.Struct({
  id: Schema.optionalKey(Schema.NonEmptyString),
  capacity: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  overflow: Schema.Literals(["backpressure", "drop-newest", "fail"]),
  restart: Schema.Literals(["permanent", "transient", "temporary"])
})
const overflows: ReadonlyArray<unknown> = ["backpressure", "drop-newest", "fail"]
const restarts: ReadonlyArray<unknown> = ["permanent", "transient", "temporary"]
/** What `SpawnInput` accepts, checked by hand: `Schema.is` costs more than the rest of a spawn. */
const validSpawnInput = (raw: {
  readonly id?: unknown
  readonly capacity: unknown
  readonly overflow: unknown
  readonly restart: unknown
}): raw is typeof SpawnInput.Type =>
  (raw.id === undefined || (typeof raw.id === "string" && raw.id.length > 0)) &&
  Number.isSafeInteger(raw.capacity) &&
  (raw.capacity as number) >= 1 &&
  overflows.includes(raw.overflow) &&
  restarts.includes(raw.restart)
const decodeSpawnInput = decodeInput(SpawnInput, "AgentSystem.spawn")

/**
 * The agent runtime of one mabeam instance.
 *
 * @since 0.1.0
 * @category services
 */
export class AgentSystem extends Context.Service<
  AgentSystem,
  {
    readonly node: string
    /** The supervisor agents are spawned under unless told otherwise. */
    readonly root: Supervisor.Supervisor
    /**
     * Starts an agent under a supervisor and returns its ref once it runs: registered, and its
     * `initial` state computed. A failing start is `AgentStartFailed` and leaves nothing behind.
     */
    readonly spawn: <S, M, E, R>(
      definition: AgentDefinition<S, M, E, R>,
      options?: SpawnOptions
    ) => Effect.Effect<AgentRef<M>, SpawnError, R>
    /**
     * Stops an agent gracefully (drains its mailbox within its shutdown timeout); `AgentNotRunning`
     * if it is not running, `Unauthorized` if secure mode refused the caller.
     */
    readonly stop: (ref: AgentRef<never>) => Effect.Effect<void, AgentNotRunning | Unauthorized>
    /** The group supervisor of a definition name, while it runs. */
    readonly group: (kind: string) => Option.Option<Supervisor.Supervisor>
    /** The root, then every running group supervisor (the default tree, top down). */
    readonly supervisors: Effect.Effect<ReadonlyArray<Supervisor.Supervisor>>
    /** The running agent with this id; its ref checks every message against the agent's `messages` Schema. */
    readonly lookup: (id: string) => Option.Option<AgentRef<unknown>>
    /** Completes with the agent's final exit when it stops for good. */
    readonly monitor: (ref: AgentRef<never>) => Effect.Effect<Deferred.Deferred<Exit.Exit<void, unknown>>>
    /** Links two agents: when either crashes, the other crashes too (with `LinkedAgentFailed`). */
    readonly link: (a: AgentRef<never>, b: AgentRef<never>) => Effect.Effect<void>
    /** Lifecycle events from the moment of subscription (bounded: events beyond 4096 unread are dropped). */
    readonly events: Stream.Stream<AgentEvent>
    /** Messages not handled, by reason. */
    readonly deadLetters: Effect.Effect<DeadLetterCounts>
    /** Number of agents alive. */
    readonly size: () => number
  }
>()("mabeam/AgentSystem") {
  /** An agent system with default options. */
  static readonly layer: Layer.Layer<AgentSystem> = Layer.effect(
    AgentSystem,
    Effect.suspend(() => Effect.orDie(make()))
  )
  /** An agent system with the given options; bad options are `InvalidInput` when it is built. */
  static readonly layerWith = (options: AgentSystemOptions): Layer.Layer<AgentSystem, InvalidInput> =>
    Layer.effect(AgentSystem, make(options))
}

/**
 * Builds an agent system in the current scope; closing the scope stops every agent.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: AgentSystemOptions = {}) =>
  Effect.gen(function* () {
    const node = options.node ?? "local"
    const askTimeout = Duration.fromInput(options.askTimeout ?? "5 seconds")
    const askTimeoutMillis = Option.isSome(askTimeout) ? Duration.toMillis(askTimeout.value) : Number.NaN
    if (Number.isNaN(askTimeoutMillis) || askTimeoutMillis < 0) {
      return yield* new InvalidInput({
        where: "AgentSystem.make",
        issue: `askTimeout: expected a duration >= 0, got ${String(options.askTimeout)}`
      })
    }
    const clock = yield* Effect.clockWith((clock) => Effect.succeed(clock))
    const deadlines = new Deadlines(() => clock.currentTimeMillisUnsafe())
    yield* Effect.forkScoped(deadlines.run)
    const root = yield* Supervisor.make({ name: "root", ...options.root })
    const registry = yield* Effect.serviceOption(Registry)
    const events = yield* PubSub.sliding<AgentEvent>(4096)
    const directory = new Map<string, AgentCell<unknown>>()
    const supervisorOf = new Map<string, Supervisor.Supervisor>()
    const dead: Record<DeadLetterReason, number> = {
      "mailbox-full": 0,
      "agent-stopped": 0,
      "handler-crashed": 0,
      "caller-timed-out": 0,
      "invalid-message": 0
    }
    let sequence = 0

    // Metrics are updated synchronously from the lifecycle events, in the system's own context.
    const metrics = yield* Effect.context<never>()
    const alive = Metric.withAttributes(Telemetry.agentsAlive, { node })
    const sent = Metric.withAttributes(Telemetry.messagesSent, { node })
    // Dead letters and restarts are logged (budgeted) through the fiber that reports them.
    const logs = Telemetry.makeAgentLogs()
    const record = (event: AgentEvent) => {
      switch (event._tag) {
        case "AgentStarted":
        case "AgentStopped":
          return alive.updateUnsafe(directory.size, metrics)
        case "AgentRestarted":
          logs.restarted(event.agent, event.kind, event.restarts, event.cause)
          return Metric.withAttributes(Telemetry.restarts, { kind: event.kind }).updateUnsafe(1, metrics)
        case "DeadLetter":
          return Metric.withAttributes(Telemetry.messagesDropped, { reason: event.reason }).updateUnsafe(1, metrics)
        case "AgentGroupFailed":
          return
      }
    }
    const publish = (event: AgentEvent) => {
      record(event)
      PubSub.publishUnsafe(events, event)
    }
    const deadLetter = (reason: DeadLetterReason, agent: string, message: unknown) => {
      dead[reason]++
      publish({ _tag: "DeadLetter", agent, reason })
      logs.deadLetter(reason, agent, message)
    }
    const runtime: CellRuntime = { askTimeoutMillis, deadlines, deadLetter }
    const groups = new Groups(root, publish, options.groups?.intensity ?? options.root?.intensity)

    const hooks: SystemHooks = {
      node,
      registry,
      publish,
      delivered: (size) => sent.updateUnsafe(size, metrics),
      forget: (id) => {
        directory.delete(id)
        supervisorOf.delete(id)
      },
      crashLinked: (cell, exit) => {
        if (cell.links === undefined || Exit.isSuccess(exit) || Cause.hasInterruptsOnly(exit.cause)) return
        for (const other of cell.links) {
          other.mailbox.pushFront([new CrashSignal(new LinkedAgentFailed({ agent: other.id, linked: cell.id }))])
        }
      }
    }

    const spawn = <S, M, E, R>(definition: AgentDefinition<S, M, E, R>, spawnOptions: SpawnOptions = {}) =>
      Effect.gen(function* () {
        const raw = {
          ...(spawnOptions.id === undefined ? {} : { id: spawnOptions.id }),
          capacity: definition.mailbox?.capacity ?? 1024,
          overflow: definition.mailbox?.overflow ?? "backpressure",
          restart: spawnOptions.restart ?? "permanent"
        }
        // The guard is cheap; the decoder (which builds the error message) runs only on bad input.
        const input = validSpawnInput(raw) ? raw : yield* decodeSpawnInput(raw)
        const shutdown = spawnOptions.shutdown ?? "5 seconds"
        const id = input.id ?? `${definition.name}-${++sequence}`
        if (directory.has(id)) return yield* new AgentIdTaken({ agent: id })
        const supervisor = spawnOptions.supervisor ?? (yield* groups.of(definition))
        const check = messageCheck(definition.messages as Schema.Codec<unknown, unknown>)
        const cell = new AgentCell<M>(id, definition.name, input.capacity, input.overflow, runtime, check)
        const services = withoutScope(yield* Effect.context<R>())
        const child = new AgentChild(cell, definition, services, hooks, input.restart, shutdown)
        directory.set(id, cell as AgentCell<unknown>)
        supervisorOf.set(id, supervisor)
        yield* Effect.catch(supervisor.startChild(child), (error): Effect.Effect<never, SpawnError> => {
          hooks.forget(id)
          if (error._tag !== "ChildStartFailed") return Effect.fail(error)
          return Effect.fail(
            error.cause instanceof AlreadyRegistered
              ? new AgentIdTaken({ agent: id })
              : new AgentStartFailed({ agent: id, cause: error.cause })
          )
        })
        return cell as AgentRef<M>
      })

    // The spawner's services, minus its Scope: each incarnation runs in a scope of its own.
    // Spawners usually share one context, so the last answer is kept.
    let lastContext: Context.Context<never> | undefined
    let lastWithoutScope: Context.Context<never> | undefined
    const withoutScope = <R>(context: Context.Context<R>): Context.Context<R> => {
      if (context !== lastContext) {
        lastContext = context as Context.Context<never>
        lastWithoutScope = Context.omit(Scope.Scope)(context) as Context.Context<never>
      }
      return lastWithoutScope as Context.Context<R>
    }

    const cellOf = (ref: AgentRef<never>): AgentCell<unknown> | undefined => directory.get(ref.id)

    return AgentSystem.of({
      node,
      root,
      spawn,
      stop: (ref) =>
        Effect.suspend(() => {
          const supervisor = supervisorOf.get(ref.id)
          return supervisor === undefined
            ? Effect.fail(new AgentNotRunning({ agent: ref.id }))
            : Effect.withFiber((fiber) => {
                const stopping = Effect.ignore(supervisor.stopChild(ref.id))
                // Traced only when someone listens (a tracer installed, or inside a span): a span
                // costs more than the rest of the stop. No stack trace, for the same reason.
                return fiber.cache.tracer === undefined && fiber.cache.span === undefined
                  ? stopping
                  : stopping.pipe(
                      Effect.withSpan(
                        "mabeam.agents.stop",
                        { attributes: { agent: ref.id, kind: ref.kind } },
                        { captureStackTrace: false }
                      )
                    )
              })
        }),
      group: (kind) => groups.get(kind),
      supervisors: Effect.sync(() => [root, ...groups.all()]),
      lookup: (id) => {
        const cell = directory.get(id)
        return cell === undefined ? Option.none() : Option.some(new CheckedRef(cell))
      },
      monitor: (ref) =>
        Effect.gen(function* () {
          const deferred = yield* Deferred.make<Exit.Exit<void, unknown>>()
          const cell = ref instanceof AgentCell ? (ref as AgentCell<unknown>) : cellOf(ref)
          if (cell === undefined) yield* Deferred.succeed(deferred, Exit.void)
          else cell.watch((exit) => Deferred.doneUnsafe(deferred, Exit.succeed(exit)))
          return deferred
        }),
      link: (a, b) =>
        Effect.sync(() => {
          const left = cellOf(a)
          const right = cellOf(b)
          if (left === undefined || right === undefined) return
          ;(left.links ??= new Set()).add(right)
          ;(right.links ??= new Set()).add(left)
        }),
      events: Stream.fromPubSub(events),
      deadLetters: Effect.sync(() => ({ ...dead })),
      size: () => directory.size
    })
  })
