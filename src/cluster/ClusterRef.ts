/**
 * `ClusterRef`: the caller's handle on a cluster agent, by id. It has the `tell` / `ask` of a local
 * `AgentRef` with the same typed replies and errors (plus `InvalidInput` for a message its Schema
 * rejects), whether the agent is resident on this runner, on another one, or not in memory at all.
 *
 * @since 0.2.0
 */
import { Cause, Duration, Effect, Schema } from "effect"
import { type ClusterError, Sharding } from "effect/cluster"
import {
  AgentStopped,
  type AskError,
  type AskOptions,
  AskTimeout,
  MailboxFull,
  type ReplyOf,
  type TellError
} from "../agent/index.ts"
import { InvalidInput } from "../errors/index.ts"
import type { AgentEntity } from "./internal/protocol.ts"

/**
 * A handle on a cluster agent. Cheap to make; holds no connection of its own.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClusterRef<M> {
  /** The agent's id (its entity id). */
  readonly id: string
  /** The agent's kind (its entity type). */
  readonly kind: string
  /**
   * Sends a message; completes once the agent's runner accepted it (or, for a persisted kind, once
   * it is stored). Fails with `MailboxFull` when the agent's mailbox is full, `AgentStopped` when
   * the cluster cannot take it, `InvalidInput` when the message does not match the Schema.
   */
  readonly tell: (message: M) => Effect.Effect<void, TellError | InvalidInput>
  /**
   * Sends a request and waits for its reply (default timeout: the kind's `askTimeout`). Fails
   * with `AskTimeout`, `NoReply` (the handler did not reply), `AgentStopped` (the handler failed,
   * the state could not be saved, the cluster could not deliver, or the runner serving the agent
   * went away before it answered: reason `"runner-unavailable"`; the request may or may not have
   * been handled), `MailboxFull`, `InvalidInput`.
   *
   * Known issue (effect 4.1.0): an ask refused with `MailboxFull` because the runner is at
   * `maxResidentEntities` leaves about 10 KB behind in effect's `Sharding` (its pending-reply entry
   * is never removed). When retrying at the cap, activate the agent with a `tell` first.
   */
  readonly ask: <Req extends M>(
    request: Req,
    options?: AskOptions
  ) => Effect.Effect<ReplyOf<Req>, AskError | InvalidInput>
  /**
   * What the agent's runner can tell about it: messages handled since its activation (on its
   * current runner), read after the messages sent before it. The mailbox size is not known
   * across runners (`undefined`). Activates the agent if it is not resident. Fails like `ask`.
   */
  readonly counts: Effect.Effect<AgentCounts, AskError>
}

/**
 * Counts of an agent, local or remote: see `ClusterRef.counts` and `Agents.Ref.counts`.
 *
 * @since 0.1.0
 * @category models
 */
export interface AgentCounts {
  /** Messages handled (since the agent's activation, for a cluster agent). */
  readonly handled: number
  /** Messages waiting in its mailbox, where its host can say; `undefined` otherwise. */
  readonly mailbox: number | undefined
}

/**
 * What refs of one agent kind share.
 *
 * @since 0.1.0
 * @category models
 */
export interface RefsConfig<M> {
  readonly kind: string
  readonly entity: AgentEntity
  readonly messages: Schema.Codec<M, unknown>
  readonly replies: Readonly<Record<string, Schema.Codec<unknown, unknown>>>
  readonly capacity: number
  readonly askTimeout: Duration.Input
}

type DeliveryError =
  | ClusterError.MailboxFull
  | ClusterError.AlreadyProcessingMessage
  | ClusterError.PersistenceError
  | ClusterError.EntityNotAssignedToRunner

const isDeliveryError = (error: { readonly _tag: string }): error is DeliveryError =>
  error._tag === "MailboxFull" ||
  error._tag === "AlreadyProcessingMessage" ||
  error._tag === "PersistenceError" ||
  error._tag === "EntityNotAssignedToRunner"

/**
 * A request whose runner went away while it was in flight (stopped, or no longer seen as a live
 * runner) ends with an interruption cause, not an error: it becomes `AgentStopped` with reason
 * `"runner-unavailable"`, so callers get a typed error and can retry. The caller's own
 * interruption is not affected (an interrupted fiber does not resume).
 */
const runnerUnavailable =
  (id: string) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | AgentStopped, R> =>
    Effect.catchCause(
      effect,
      (cause): Effect.Effect<never, E | AgentStopped> =>
        Cause.hasInterruptsOnly(cause)
          ? Effect.fail(new AgentStopped({ agent: id, reason: "runner-unavailable" }))
          : Effect.failCause(cause)
    )

const tagOf = (message: unknown): string => {
  const tag = (message as { readonly _tag?: unknown } | null)?._tag
  return typeof tag === "string" ? tag : typeof message
}

/**
 * Builds the ref factory of one agent kind over the `Sharding` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeRefs = <M>(config: RefsConfig<M>) =>
  Effect.gen(function* () {
    const sharding = yield* Sharding.Sharding
    const clientFor = yield* sharding.makeClient(config.entity)
    const encode = Schema.encodeUnknownEffect(config.messages)
    const defaultTimeout = Duration.toMillis(Duration.fromInputUnsafe(config.askTimeout))

    const encodeInput = (where: string, message: unknown) =>
      encode(message, { errors: "all" }).pipe(
        Effect.mapError((error) => new InvalidInput({ where, issue: error.message }))
      )

    return (id: string): ClusterRef<M> => {
      const delivery = (error: DeliveryError): MailboxFull | AgentStopped =>
        error._tag === "MailboxFull"
          ? new MailboxFull({ agent: id, capacity: config.capacity })
          : new AgentStopped({ agent: id, reason: error._tag })
      const rpc = clientFor(id)
      return {
        id,
        kind: config.kind,
        tell: (message) =>
          encodeInput("ClusterRef.tell", message).pipe(
            Effect.flatMap((encoded) => rpc.Tell({ message: encoded }, { discard: true }).pipe(runnerUnavailable(id))),
            Effect.mapError((error) => (isDeliveryError(error) ? delivery(error) : error))
          ) as Effect.Effect<void, TellError | InvalidInput>,
        ask: <Req extends M>(request: Req, options?: AskOptions) => {
          const tag = tagOf(request)
          const millis =
            options?.timeout === undefined
              ? defaultTimeout
              : Duration.toMillis(Duration.fromInputUnsafe(options.timeout))
          const schema = config.replies[tag]
          return encodeInput("ClusterRef.ask", request).pipe(
            Effect.flatMap((encoded) =>
              rpc.Ask({ message: encoded }).pipe(
                runnerUnavailable(id),
                Effect.timeoutOrElse({
                  duration: millis,
                  orElse: () => Effect.fail(new AskTimeout({ agent: id, request: tag, timeoutMillis: millis }))
                })
              )
            ),
            Effect.mapError((error) => (isDeliveryError(error) ? delivery(error) : error)),
            Effect.flatMap((reply) =>
              schema === undefined
                ? Effect.succeed(reply)
                : Schema.decodeUnknownEffect(schema)(reply).pipe(
                    Effect.mapError(
                      (error) => new Error(`reply of ${config.kind}/${id} to ${tag} does not decode: ${error.message}`)
                    ),
                    Effect.orDie
                  )
            )
          ) as Effect.Effect<ReplyOf<Req>, AskError | InvalidInput>
        },
        counts: rpc.Stats().pipe(
          runnerUnavailable(id),
          Effect.timeoutOrElse({
            duration: defaultTimeout,
            orElse: () => Effect.fail(new AskTimeout({ agent: id, request: "Stats", timeoutMillis: defaultTimeout }))
          }),
          Effect.mapError((error) => (isDeliveryError(error) ? delivery(error) : error)),
          Effect.map(({ handled }): AgentCounts => ({ handled, mailbox: undefined }))
        ) as Effect.Effect<AgentCounts, AskError>
      }
    }
  })
