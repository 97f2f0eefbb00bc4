/**
 * `GuardedRef`: an `AgentRef` seen through the quotas of the agent that sends with it. Its `tell`
 * and `ask` check the receiver's mailbox depth, charge the sender's messages per second and (for
 * `ask`) hold one of the sender's concurrent asks until the reply or failure.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import type { AgentRef, AskError, AskOptions, ReplyOf, TellError } from "../agent/index.ts"
import type { InvalidInput } from "../errors/index.ts"
import type { QuotaExceeded } from "./errors.ts"
import type { Permit } from "./internal/counters.ts"
import type { UsageTable } from "./Usage.ts"

/**
 * An `AgentRef` whose sends are charged to one agent's quotas.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuardedRef<M> {
  /** The target agent's id. */
  readonly id: string
  /** The agent charged for sends. */
  readonly sender: string
  /** The ref without quotas. */
  readonly ref: AgentRef<M>
  /** `ref.tell` after the quota checks. */
  readonly tell: (message: M) => Effect.Effect<void, TellError | QuotaExceeded | InvalidInput>
  /** `ref.ask` after the quota checks, holding a concurrent-ask unit while it waits. */
  readonly ask: <Req extends M>(
    request: Req,
    options?: AskOptions
  ) => Effect.Effect<ReplyOf<Req>, AskError | QuotaExceeded | InvalidInput>
  /** Messages waiting in the target's mailbox. */
  readonly mailboxSize: () => number
  /** Whether the target is alive. */
  readonly isAlive: () => boolean
}

/**
 * The quota operations a guard needs.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuardDeps {
  readonly check: (agent: string, cost?: number) => Effect.Effect<void, QuotaExceeded | InvalidInput>
  readonly acquire: (agent: string, quota: "concurrentAsks") => Effect.Effect<Permit, QuotaExceeded | InvalidInput>
  readonly checkDepth: (
    agent: string,
    target: string,
    depth: () => number
  ) => Effect.Effect<void, QuotaExceeded | InvalidInput>
  readonly usage: UsageTable
}

/**
 * Builds the `guard` operation of `Quotas`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeGuard =
  (deps: GuardDeps) =>
  <M>(ref: AgentRef<M>, sender: string): GuardedRef<M> => {
    const depth = () => ref.mailboxSize()
    const admit = Effect.andThen(deps.checkDepth(sender, ref.id, depth), deps.check(sender))
    return {
      id: ref.id,
      sender,
      ref,
      tell: (message) => Effect.andThen(admit, ref.tell(message)),
      ask: <Req extends M>(request: Req, options?: AskOptions) =>
        Effect.andThen(
          admit,
          Effect.acquireUseRelease(
            Effect.tap(deps.acquire(sender, "concurrentAsks"), () =>
              Effect.sync(() => {
                const row = deps.usage.row(sender)
                row.asks++
                row.inFlightAsks++
              })
            ),
            () => ref.ask(request, options),
            (permit) =>
              Effect.andThen(
                permit.release,
                Effect.sync(() => {
                  deps.usage.row(sender).inFlightAsks--
                })
              )
          )
        ),
      mailboxSize: depth,
      isAlive: () => ref.isAlive()
    }
  }
