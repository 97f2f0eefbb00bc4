/**
 * The child spec of one agent: how its supervisor starts, stops and forgets it. One object per
 * agent with its operations on the prototype, so a supervised agent costs little memory.
 */
import { type Context, type Duration, Effect, Exit, Option, type Scope } from "effect"
import type { RegistryShape } from "../../registry/index.ts"
import type { ChildSpec, RestartPolicy } from "../../supervision/index.ts"
import type { AgentDefinition } from "../Agent.ts"
import type { AgentCell } from "../AgentRef.ts"
import type { AgentEvent } from "../events.ts"
import { Incarnation } from "./loop.ts"

/** What every agent of one system shares. */
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

/** The child spec of one agent. */
export class AgentChild<S, M, E, R> implements ChildSpec<unknown> {
  readonly id: string
  readonly restart: RestartPolicy
  readonly shutdown: Duration.Input
  private readonly cell: AgentCell<M>
  private readonly definition: AgentDefinition<S, M, E, R>
  private readonly services: Context.Context<R>
  private readonly hooks: SystemHooks
  private restarts = 0

  constructor(
    cell: AgentCell<M>,
    definition: AgentDefinition<S, M, E, R>,
    services: Context.Context<R>,
    hooks: SystemHooks,
    restart: RestartPolicy,
    shutdown: Duration.Input
  ) {
    this.id = cell.id
    this.cell = cell
    this.definition = definition
    this.services = services
    this.hooks = hooks
    this.restart = restart
    this.shutdown = shutdown
  }

  /** A fresh incarnation: registers itself in its own scope, then handles messages. */
  get start(): Effect.Effect<void, unknown, Scope.Scope> {
    const cell = this.cell as AgentCell<unknown>
    return new Incarnation(this.cell, this.definition, this.hooks.delivered).run(this.started()).pipe(
      Effect.onExit((exit) =>
        Effect.sync(() => {
          // A request in hand when the incarnation ended gets an answer: stopped or crashed.
          cell.abandonCurrent(Exit.hasInterrupts(exit) ? "stopped" : "crashed")
          this.hooks.crashLinked(cell, exit)
        })
      ),
      Effect.provideContext(this.services)
    )
  }

  /** Graceful stop: the mailbox closes, the agent handles what is queued, then returns. */
  get stop(): Effect.Effect<void> {
    return Effect.sync(() => this.cell.mailbox.close())
  }

  onRestart(): void {
    this.restarts++
  }

  onTerminated(exit: Exit.Exit<void, unknown>): void {
    this.hooks.forget(this.id)
    this.cell.terminate(exit)
    this.hooks.publish({ _tag: "AgentStopped", agent: this.id, kind: this.definition.name, exit })
  }

  // Each incarnation registers itself in its own scope: the entry goes when it dies and comes
  // back when it restarts.
  private started(): Effect.Effect<void, unknown, Scope.Scope> {
    const { node, registry, publish } = this.hooks
    const kind = this.definition.name
    const announce = Effect.sync(() =>
      publish(this.restarts === 0
        ? { _tag: "AgentStarted", agent: this.id, kind }
        : { _tag: "AgentRestarted", agent: this.id, kind, restarts: this.restarts })
    )
    if (Option.isNone(registry)) return announce
    const metadata = { name: kind, node, capabilities: [...(this.definition.capabilities ?? [])] }
    return Effect.andThen(registry.value.register(this.id, { node, id: this.id }, metadata), announce)
  }
}
