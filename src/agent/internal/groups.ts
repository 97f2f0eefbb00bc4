/**
 * Definition groups: the agents spawned without an explicit supervisor live under one dynamic
 * supervisor per definition name (OTP's `simple_one_for_one`, Elixir's `DynamicSupervisor`), each
 * a temporary child of the root. A group that gives up stops only its own agents, reports
 * `AgentGroupFailed` and an error log, and is replaced by a fresh group at the next spawn.
 */
import { type Duration, Effect, Option, Semaphore } from "effect"
import { InvalidInput } from "../../errors/index.ts"
import {
  type ChildSpec,
  ChildStartFailed,
  type RestartIntensityExceeded,
  Supervisor,
  type SupervisorStopped
} from "../../supervision/index.ts"
import type { AgentDefinition } from "../Agent.ts"
import type { AgentEvent } from "../events.ts"

/**
 * A restart intensity: at most `maxRestarts` restarts within `within`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Intensity {
  readonly maxRestarts: number
  readonly within: Duration.Input
}

/**
 * The group supervisors of one agent system.
 *
 * @since 0.1.0
 * @category models
 */
export class Groups {
  private readonly running = new Map<string, Supervisor.Supervisor>()
  private readonly creating = Semaphore.makeUnsafe(1)
  private readonly root: Supervisor.Supervisor
  private readonly publish: (event: AgentEvent) => void
  private readonly intensity: Intensity | undefined

  constructor(root: Supervisor.Supervisor, publish: (event: AgentEvent) => void, intensity: Intensity | undefined) {
    this.root = root
    this.publish = publish
    this.intensity = intensity
  }

  /** The running groups, in creation order. */
  all(): ReadonlyArray<Supervisor.Supervisor> {
    return [...this.running.values()]
  }

  /** The running group of `kind`, if any. */
  get(kind: string): Option.Option<Supervisor.Supervisor> {
    return Option.fromNullishOr(this.running.get(kind))
  }

  /** The group of `definition`, started under the root on first use. */
  of(
    definition: Pick<AgentDefinition<unknown, unknown>, "name" | "supervision">
  ): Effect.Effect<Supervisor.Supervisor, InvalidInput | SupervisorStopped> {
    const existing = this.running.get(definition.name)
    if (existing !== undefined) return Effect.succeed(existing)
    return this.creating.withPermit(
      Effect.suspend(() => this.start(definition.name, definition.supervision?.intensity))
    )
  }

  private start(
    kind: string,
    own: Intensity | undefined
  ): Effect.Effect<Supervisor.Supervisor, InvalidInput | SupervisorStopped> {
    const existing = this.running.get(kind)
    if (existing !== undefined) return Effect.succeed(existing)
    const name = `agents/${kind}`
    const intensity = own ?? this.intensity
    let made: Supervisor.Supervisor | undefined
    const spec: ChildSpec<InvalidInput | RestartIntensityExceeded> = {
      id: name,
      type: "supervisor" as const,
      restart: "temporary" as const,
      init: Effect.map(
        Supervisor.make({ name, dynamic: true, ...(intensity === undefined ? {} : { intensity }) }),
        (group) => {
          made = group
          this.running.set(kind, group)
        }
      ),
      start: Effect.suspend(() => (made as Supervisor.Supervisor).await).pipe(
        Effect.tapError((error: RestartIntensityExceeded) =>
          Effect.sync(() => this.publish({ _tag: "AgentGroupFailed", kind, supervisor: name, error })).pipe(
            Effect.andThen(
              Effect.logError(`agent group "${name}" gave up; its agents stopped, the rest run on`, error.message)
            ),
            Effect.annotateLogs({ kind, supervisor: name })
          )
        ),
        Effect.ensuring(
          Effect.sync(() => {
            if (this.running.get(kind) === made) this.running.delete(kind)
          })
        )
      )
    }
    return this.root.startChild(spec).pipe(
      // A group's init only makes its supervisor: it fails on a bad intensity, nothing else.
      Effect.catchTag("ChildStartFailed", (error: ChildStartFailed) =>
        error.cause instanceof InvalidInput ? Effect.fail(error.cause) : Effect.die(error.cause)
      ),
      Effect.catchTag("DuplicateChild", (error) => Effect.die(error)),
      Effect.map(() => made as Supervisor.Supervisor)
    )
  }
}
