/**
 * The child spec of one agent: how its supervisor starts, stops and forgets it. One object per
 * agent with its operations on the prototype, so a supervised agent costs little memory.
 */
import { Cause, type Context, Effect, Exit, Option, type Scope } from "effect"
import type { RegistryShape } from "../../registry/index.ts"
import type { ChildSpec, RestartPolicy, Shutdown } from "../../supervision/index.ts"
import type { AgentDefinition } from "../Agent.ts"
import type { AgentCell } from "./cell.ts"
import type { AgentEvent } from "../events.ts"
import { Incarnation } from "./loop.ts"

/**
 * What every agent of one system shares.
 *
 * @since 0.1.0
 * @category models
 */
export interface SystemHooks {
  readonly node: string
  readonly registry: Option.Option<RegistryShape>
  readonly publish: (event: AgentEvent) => void
  /** Removes a stopped agent from the system's tables. */
  readonly forget: (id: string) => void
  /** Counts messages taken from a mailbox, a batch at a time. */
  readonly delivered: (size: number) => void
  /** Crashes the agents linked to `cell` after it failed. */
  readonly crashLinked: (cell: AgentCell<unknown>, exit: Exit.Exit<void, unknown>) => void
}

/**
 * The child spec of one agent.
 *
 * @since 0.1.0
 * @category models
 */
export class AgentChild<S, M, E, R> implements ChildSpec<unknown> {
  readonly id: string
  readonly restart: RestartPolicy
  readonly shutdown: Shutdown
  private readonly cell: AgentCell<M>
  private readonly definition: AgentDefinition<S, M, E, R>
  private readonly services: Context.Context<R>
  private readonly hooks: SystemHooks
  private restarts = 0
  /** Incarnations started so far, and whether the current one runs in the spawner's own context. */
  private launches = 0
  private inherits = true
  private lastCrash: Cause.Cause<unknown> | undefined = undefined
  private incarnation: Incarnation<S, M, E, R> | undefined = undefined

  constructor(
    cell: AgentCell<M>,
    definition: AgentDefinition<S, M, E, R>,
    services: Context.Context<R>,
    hooks: SystemHooks,
    restart: RestartPolicy,
    shutdown: Shutdown
  ) {
    this.id = cell.id
    this.cell = cell
    this.definition = definition
    this.services = services
    this.hooks = hooks
    this.restart = restart
    this.shutdown = shutdown
  }

  /**
   * A fresh incarnation's start (OTP order: the name first, then `init`): registers itself in its
   * own scope, computes the initial state, announces itself. A failure here fails `spawn`.
   */
  get init(): Effect.Effect<void, unknown, Scope.Scope> {
    return Effect.withFiber((fiber) => {
      const incarnation = new Incarnation(this.cell, this.definition, this.hooks.delivered)
      this.incarnation = incarnation
      this.cell.owner = fiber
      this.inherits = this.launches++ === 0
      return this.withServices(
        this.register().pipe(Effect.andThen(incarnation.init), Effect.andThen(Effect.sync(() => this.announce())))
      )
    })
  }

  /**
   * `effect` with the spawner's services. The first incarnation is forked by `spawn`, in the
   * spawner's own fiber, so it runs in that context already (providing it again would give each
   * agent a context of its own, ~400 B); every later one is forked by another fiber (the
   * supervisor's, or a `restartChild` caller's) and gets them provided.
   */
  private withServices<A, E2, R2>(effect: Effect.Effect<A, E2, R2>): Effect.Effect<A, E2, Exclude<R2, R>> {
    return (this.inherits ? effect : Effect.provideContext(effect, this.services)) as Effect.Effect<
      A,
      E2,
      Exclude<R2, R>
    >
  }

  /** Handles messages until stopped; a crash is logged (debug) with its cause before the supervisor decides. */
  get start(): Effect.Effect<void, unknown, Scope.Scope> {
    const cell = this.cell as AgentCell<unknown>
    return Effect.suspend(() => this.withServices((this.incarnation as Incarnation<S, M, E, R>).loop)).pipe(
      Effect.onExit((exit) => {
        // A request in hand when the incarnation ended gets an answer: stopped or crashed.
        const crashed = Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause)
        cell.abandonCurrent(crashed ? "crashed" : "stopped", crashed ? Cause.squash(exit.cause) : undefined)
        this.hooks.crashLinked(cell, exit)
        if (!crashed) return Effect.void
        // Debug, not error as OTP's crash reports: restarts are routine here (chaos runs crash agents
        // on purpose) and must not flood the output; a group that gives up logs at error level.
        return Effect.logDebug(`agent "${this.id}" crashed`, exit.cause).pipe(
          Effect.annotateLogs({ agent: this.id, kind: this.definition.name, restarts: this.restarts })
        )
      })
    ) as Effect.Effect<void, unknown, Scope.Scope>
  }

  /** Graceful stop: the mailbox closes, the agent handles what is queued, then returns. */
  get stop(): Effect.Effect<void> {
    return Effect.sync(() => this.cell.mailbox.close())
  }

  onRestart(exit: Exit.Exit<void, unknown>): void {
    this.restarts++
    this.lastCrash = Exit.isFailure(exit) ? exit.cause : undefined
  }

  onTerminated(exit: Exit.Exit<void, unknown>): void {
    this.hooks.forget(this.id)
    this.cell.terminate(exit)
    this.hooks.publish({ _tag: "AgentStopped", agent: this.id, kind: this.definition.name, exit })
  }

  private announce(): void {
    const kind = this.definition.name
    this.hooks.publish(
      this.restarts === 0
        ? { _tag: "AgentStarted", agent: this.id, kind }
        : {
            _tag: "AgentRestarted",
            agent: this.id,
            kind,
            restarts: this.restarts,
            cause: this.lastCrash ?? Cause.empty
          }
    )
  }

  // Each incarnation registers itself in its own scope: the entry goes when it dies and comes
  // back when it restarts.
  private register(): Effect.Effect<void, unknown, Scope.Scope> {
    const { node, registry } = this.hooks
    if (Option.isNone(registry)) return Effect.void
    return Effect.asVoid(
      registry.value.register(
        this.id,
        { node, id: this.id },
        metadataOf(this.definition as AgentDefinition<unknown, unknown, unknown, unknown>, node)
      )
    )
  }
}

/** The registry metadata of a definition's agents on `node`. */
type AgentMetadata = Readonly<{ name: string; node: string; capabilities: ReadonlyArray<string> }>
const metadataByDefinition = new WeakMap<object, AgentMetadata>()

/**
 * One frozen metadata object per definition (and node), shared by all its agents' registry
 * entries: the memory registry keeps frozen metadata by reference instead of copying it.
 */
const metadataOf = (definition: AgentDefinition<unknown, unknown, unknown, unknown>, node: string): AgentMetadata => {
  const cached = metadataByDefinition.get(definition)
  if (cached !== undefined && cached.node === node) return cached
  const made = Object.freeze({
    name: definition.name,
    node,
    capabilities: Object.freeze([...(definition.capabilities ?? [])])
  })
  metadataByDefinition.set(definition, made)
  return made
}
