/**
 * The participant fibers of the `Coordination` service (lock owner or replicas, Raft replicas of
 * propose groups, counter owners), by name, with crash and restart: a crash closes the
 * participant's incarnation scope (its fiber stops, its endpoint is unbound, so messages to it are
 * lost) and keeps only what the protocol persists; a restart runs it again from that.
 *
 * @since 0.1.0
 */
import { Effect, Exit, Scope } from "effect"
import { InvalidInput } from "../../errors/index.ts"
import type { Unauthorized } from "../../security/errors.ts"
import type { AddressInUse, Endpoint } from "../../transport/index.ts"
import { type Protocol, runNode, type StepSpan } from "../Protocol.ts"

/**
 * Starts one incarnation of a participant in `scope` (closing `scope` is its crash).
 *
 * @since 0.1.0
 * @category models
 */
export type Launch = (scope: Scope.Scope) => Effect.Effect<void>

/**
 * A participant's name and whether it runs.
 *
 * @since 0.1.0
 * @category models
 */
export interface ParticipantStatus {
  readonly name: string
  readonly up: boolean
}

/**
 * Crash and restart of the service's participants (chaos tests, operations).
 *
 * @since 0.1.0
 * @category models
 */
export interface Participants {
  /** Every participant started so far (e.g. `lock/owner`, `lock/replica-0`, `propose/g/replica-1`, `counter/hits`). */
  readonly list: Effect.Effect<ReadonlyArray<ParticipantStatus>>
  /**
   * Crashes `name` (no-op when down): its fiber stops and its endpoint is unbound; it keeps what it
   * persisted. `Unauthorized` when secure mode refused the caller.
   */
  readonly crash: (name: string) => Effect.Effect<void, InvalidInput | Unauthorized>
  /** Restarts a crashed `name` from what it persisted (no-op when up); `Unauthorized` as for `crash`. */
  readonly restart: (name: string) => Effect.Effect<void, InvalidInput | Unauthorized>
}

/**
 * The registry the service adds participants to.
 *
 * @since 0.1.0
 * @category models
 */
export interface ParticipantRegistry extends Participants {
  /** Adds participant `name` and starts it now. */
  readonly add: (name: string, launch: Launch) => Effect.Effect<void>
}

interface Entry {
  incarnation: Scope.Closeable | undefined
  readonly launch: Launch
}

/**
 * A registry whose participants live in `scope`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeParticipants = (scope: Scope.Scope): ParticipantRegistry => {
  const entries = new Map<string, Entry>()
  const start = (entry: Entry) =>
    Effect.gen(function* () {
      const incarnation = yield* Scope.fork(scope, "sequential")
      entry.incarnation = incarnation
      yield* entry.launch(incarnation)
    })
  const find = (name: string, where: string) =>
    Effect.suspend(() => {
      const entry = entries.get(name)
      return entry === undefined
        ? Effect.fail(new InvalidInput({ where, issue: `no participant "${name}"` }))
        : Effect.succeed(entry)
    })
  return {
    add: (name, launch) =>
      Effect.suspend(() => {
        const entry: Entry = { incarnation: undefined, launch }
        entries.set(name, entry)
        return start(entry)
      }),
    list: Effect.sync(() => [...entries].map(([name, entry]) => ({ name, up: entry.incarnation !== undefined }))),
    crash: (name) =>
      Effect.flatMap(find(name, "Coordination.participants.crash"), (entry) => {
        const incarnation = entry.incarnation
        if (incarnation === undefined) return Effect.void
        entry.incarnation = undefined
        return Scope.close(incarnation, Exit.void)
      }),
    restart: (name) =>
      Effect.flatMap(find(name, "Coordination.participants.restart"), (entry) =>
        entry.incarnation === undefined ? start(entry) : Effect.void
      )
  }
}

/**
 * The launch of a protocol node: binds its endpoint with `bind` and runs `protocol` on it,
 * recording what it persists after every step so a restart resumes from there. `onState`, if
 * given, sees the node's state after every step (for read-only views; it must be cheap); `span`,
 * if given, names a span for a step (see `RunNodeOptions.span`).
 *
 * @since 0.1.0
 * @category utils
 */
export const protocolParticipant = <S, M, P, O>(
  protocol: Protocol<S, M, P, O>,
  bind: Effect.Effect<Endpoint, AddressInUse, Scope.Scope>,
  emit?: (value: O) => Effect.Effect<void>,
  onState?: (state: S) => void,
  span?: (before: S, after: S) => StepSpan | undefined
): Launch => {
  let persisted: P | undefined
  return (scope) =>
    Effect.gen(function* () {
      const endpoint = yield* Effect.orDie(Scope.provide(bind, scope))
      yield* Effect.forkIn(
        runNode(protocol, {
          endpoint,
          persisted,
          emit,
          span,
          observe: (state) => {
            persisted = protocol.persist(state)
            onState?.(state)
            return undefined
          }
        }),
        scope
      )
    })
}
