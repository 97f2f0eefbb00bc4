/**
 * The `Coordination` service: the coordination protocols for a user's agents without wiring
 * endpoints. Over the `Transport` in context, the layer runs the protocol participants as fibers
 * in its own scope (the lock owner at once; election seats, Raft replicas and counter owners on
 * first use of a group or name) and hands out:
 *
 * - `lock(name, { ttl })`: a lease for the caller's scope with a fencing token (strictly
 *   increasing per service), waiting while the lock is held, released when the scope closes;
 *   served by one owner (option `lock: "owner"`, the default) or replicated through Raft over
 *   `groupSize` replicas (`lock: "raft"`: it survives the crash of a minority of them);
 * - `elect(group)`: a seat in the group's leader election (`Election`, leases) for the caller's scope;
 * - `propose(group, value)`: single-value consensus on Raft — the group's decision is the first
 *   value committed to its log, so every proposer gets the same value;
 * - `counter(name).increment(by)`: a linearizable, exactly-once counter (one owner per name);
 * - `state`: a read-only view of the held leases, election leaders and terms, propose groups and
 *   participants (for dashboards and `mabeam inspect`; see `service/State.ts`).
 *
 * Every operation validates its input (`InvalidInput`) and fails only with typed errors:
 * `QuorumUnavailable`, `LeaseExpired`, `CoordinationTimeout`. `participants` crashes and restarts
 * the participant fibers (each keeps what its protocol persists), for chaos tests and operations.
 *
 * @since 0.1.0
 */
import { Clock, Context, Effect, Layer, Schema, type Scope, Semaphore } from "effect"
import { decodeInput, type InvalidInput } from "../errors/index.ts"
// The file, not the folder's index: secure mode (src/security) wraps this service.
import type { Unauthorized } from "../security/errors.ts"
import { argument, traced } from "../telemetry/index.ts"
import { type Address, Transport } from "../transport/index.ts"
import { increment as counterIncrement } from "./counter/CounterClient.ts"
import { makeCounterOwner } from "./counter/Counter.ts"
import { type Fence, fenced, type FencedStore, type StaleToken } from "./fencing/Fencing.ts"
import { acquire } from "./lock/LockClient.ts"
import { makeLockServer } from "./lock/LockServer.ts"
import { type ConsensusGroup, makeConsensusGroup } from "./service/Consensus.ts"
import {
  CoordinationTimeout,
  LeaseExpired,
  LockAlreadyHeld,
  type Overloaded,
  type QuorumUnavailable,
  type SeatsTaken
} from "./service/errors.ts"
import { makeParticipants, type Participants, protocolParticipant } from "./service/Participants.ts"
import { makeRaftLockGroup } from "./service/RaftLockGroup.ts"
import { makeReleaseSignal } from "./service/ReleaseSignal.ts"
import { type Candidacy, makeSeatGroup, type SeatGroup } from "./service/Seats.ts"
import type { CoordinationState, LockView } from "./service/State.ts"

export { type Participants, type ParticipantStatus } from "./service/Participants.ts"

export { type Candidacy } from "./service/Seats.ts"
export type {
  ConsensusView,
  CoordinationState,
  ElectionView,
  LockView,
  RaftGroupView,
  ReplicaView,
  SeatView
} from "./service/State.ts"
export {
  CoordinationTimeout,
  LeaseExpired,
  LockAlreadyHeld,
  Overloaded,
  QuorumUnavailable,
  SeatsTaken
} from "./service/errors.ts"

const Positive = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))

/**
 * Options of `Coordination.layerWith` (all in ms except `groupSize`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const CoordinationOptions = Schema.Struct({
  /** Seats per election group and Raft replicas per propose group (default 3, at most 9). */
  groupSize: Schema.optionalKey(Positive.check(Schema.isLessThanOrEqualTo(9))),
  /** Default wait of every operation before `CoordinationTimeout` / `QuorumUnavailable` (default 5000). */
  timeout: Schema.optionalKey(Positive),
  /** Resend and poll interval (default 20). */
  retry: Schema.optionalKey(Positive),
  /** Who serves `lock`: one owner (`"owner"`, default) or `groupSize` Raft replicas (`"raft"`). */
  lock: Schema.optionalKey(Schema.Literals(["owner", "raft"]))
})
/**
 * Options of `Coordination.layerWith`.
 *
 * @since 0.1.0
 * @category models
 */
export type CoordinationOptions = typeof CoordinationOptions.Type

/**
 * What `lock` takes besides the name: the lease in ms, how long to wait for it (default: the
 * service timeout), and a `holder` label shown by `state` (default: the caller's client endpoint id).
 *
 * @since 0.1.0
 * @category schemas
 */
export const LockOptions = Schema.Struct({
  ttl: Positive,
  timeout: Schema.optionalKey(Positive),
  holder: Schema.optionalKey(Schema.NonEmptyString)
})
/**
 * What `lock` takes besides the name.
 *
 * @since 0.1.0
 * @category models
 */
export type LockOptions = typeof LockOptions.Type

const LockInput = Schema.Struct({ name: Schema.NonEmptyString, ...LockOptions.fields })
/**
 * What `elect` takes besides the group: a `holder` label shown by `state` next to the seat.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ElectOptions = Schema.Struct({ holder: Schema.optionalKey(Schema.NonEmptyString) })
/**
 * What `elect` takes besides the group.
 *
 * @since 0.1.0
 * @category models
 */
export type ElectOptions = typeof ElectOptions.Type
const GroupInput = Schema.Struct({ group: Schema.NonEmptyString, ...ElectOptions.fields })
const ProposeInput = Schema.Struct({ group: Schema.NonEmptyString, value: Schema.Json })
const IncrementInput = Schema.Struct({ name: Schema.NonEmptyString, by: Positive })

/**
 * A held lease. Pass `token` to every guarded resource (which must reject tokens below the
 * highest it has seen: `Fencing.makeFence` / `Fencing.makeFencedStore`); rely on the lease only
 * before `until` (the caller's clock).
 *
 * @since 0.1.0
 * @category models
 */
export interface Lease {
  readonly lock: string
  readonly token: number
  readonly until: number
  /** Fails with `LeaseExpired` once `until` has passed. */
  readonly check: Effect.Effect<void, LeaseExpired>
  /**
   * Runs `work` if the lease is valid, interrupting it with `LeaseExpired` when the lease ends first.
   * This is the clock check only; with a `fence`, the write is also admitted at the resource under
   * this lease's token (`Fencing.fenced`), so a write under a lost lease is refused there (`StaleToken`)
   * once a newer holder has written, even if this holder's clock still shows the lease valid.
   */
  readonly guard: {
    <A, E, R>(work: Effect.Effect<A, E, R>): Effect.Effect<A, E | LeaseExpired, R>
    <A, E, R>(
      work: Effect.Effect<A, E, R>,
      fence: { readonly fence: Fence; readonly resource: string }
    ): Effect.Effect<A, E | LeaseExpired | StaleToken | InvalidInput, R>
  }
  /** Writes `value` at `key` of a fenced store under this lease's token, if the lease is still valid by the clock. */
  readonly write: <V, E = never>(
    store: FencedStore<V, E>,
    key: string,
    value: V
  ) => Effect.Effect<void, LeaseExpired | StaleToken | InvalidInput | E>
}

/**
 * A named counter.
 *
 * @since 0.1.0
 * @category models
 */
export interface CounterHandle {
  readonly name: string
  /** Adds `by` (default 1) exactly once and returns the value right after this increment. */
  readonly increment: (by?: number) => Effect.Effect<number, InvalidInput | CoordinationTimeout | Unauthorized>
}

/**
 * The coordination protocols as one service (see the module doc).
 *
 * @since 0.1.0
 * @category services
 */
export class Coordination extends Context.Service<
  Coordination,
  {
    /**
     * Acquires lock `name` for the current scope, waiting while it is held, up to `timeout`. Waiting
     * is event-driven: a waiter wakes when a holder in this service releases, or when the lease it
     * was told about ends. Locks are not re-entrant: a fiber that already holds an unexpired lease
     * on `name` fails at once with `LockAlreadyHeld` (waiting would only wait for itself). Fails
     * with `CoordinationTimeout` (still held by another holder, `heldUntil` set), `QuorumUnavailable`
     * (Raft mode: no replica answered, no majority), `Overloaded` (Raft mode: the replicated log is
     * full, refused at once), `InvalidInput`, or `Unauthorized` (secure mode refused the caller).
     */
    readonly lock: (
      name: string,
      options: LockOptions
    ) => Effect.Effect<
      Lease,
      InvalidInput | CoordinationTimeout | QuorumUnavailable | LockAlreadyHeld | Overloaded | Unauthorized,
      Scope.Scope
    >
    /**
     * Takes a seat in `group`'s election for the current scope (labelled `options.holder` in
     * `state`). `InvalidInput` on a bad name; `SeatsTaken` when all `groupSize` seats are taken;
     * `Unauthorized` when secure mode refused the caller.
     */
    readonly elect: (
      group: string,
      options?: ElectOptions
    ) => Effect.Effect<Candidacy, InvalidInput | SeatsTaken | Unauthorized, Scope.Scope>
    /** Proposes a JSON `value` to `group`; returns the group's decision (the same for every proposer). */
    readonly propose: (
      group: string,
      value: Schema.Json
    ) => Effect.Effect<Schema.Json, InvalidInput | QuorumUnavailable | Unauthorized>
    /** The counter `name` (validated on `increment`). */
    readonly counter: (name: string) => CounterHandle
    /** The participant fibers (lock owner or replicas, propose replicas, counter owners): list, crash, restart. */
    readonly participants: Participants
    /**
     * A read-only view of what the service knows now: held leases with their tokens, election
     * groups with leader and term, propose groups with Raft leader, term, commit index and
     * decision, and the participants. Sends no message; see `CoordinationState`.
     */
    readonly state: Effect.Effect<CoordinationState>
  }
>()("mabeam/Coordination") {
  /** The service with default options over the `Transport` in context. */
  static readonly layer: Layer.Layer<Coordination, never, Transport> = Layer.orDie(Layer.effect(Coordination, make({})))
  /** The service with `options` over the `Transport` in context; `InvalidInput` on bad options. */
  static readonly layerWith = (options: CoordinationOptions): Layer.Layer<Coordination, InvalidInput, Transport> =>
    Layer.effect(Coordination, make(options))
}

/**
 * Builds the service in the current scope: binds and runs the lock owner (or replicas) now, the
 * other participants on first use; every participant fiber lives in this scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export function make(
  options: CoordinationOptions
): Effect.Effect<Coordination["Service"], InvalidInput, Transport | Scope.Scope> {
  return Effect.gen(function* () {
    const valid = yield* decodeInput(CoordinationOptions, "Coordination.layer")(options)
    const size = valid.groupSize ?? 3
    const timeout = valid.timeout ?? 5_000
    const retry = valid.retry ?? 20
    const transport = yield* Transport
    const scope = yield* Effect.scope
    const starting = yield* Semaphore.make(1)
    let clients = 0
    const bindClient = Effect.suspend(() => Effect.orDie(transport.bind(`coordination/client/${++clients}`)))

    const participants = makeParticipants(scope)
    const owner: Address = { node: transport.node, id: "coordination/lock" }
    const signal = makeReleaseSignal()
    const raftLock =
      valid.lock === "raft" ? yield* makeRaftLockGroup({ transport, participants, size, retry, signal }) : undefined
    if (raftLock === undefined) {
      yield* participants.add(
        "lock/owner",
        protocolParticipant(makeLockServer({ service: owner.id }), transport.bind(owner.id))
      )
    }

    // The leases handed out whose holder's scope is open (for `state`), by a unique key, with the holding fiber.
    const held = new Map<number, Omit<LockView, "expired"> & { readonly fiber: number }>()
    let lastToken = 0
    let leases = 0
    const track = (
      grant: { readonly lock: string; readonly token: number; readonly until: number },
      holder: string,
      fiber: number
    ) =>
      Effect.gen(function* () {
        const key = ++leases
        lastToken = Math.max(lastToken, grant.token)
        held.set(key, { name: grant.lock, token: grant.token, until: grant.until, holder, fiber })
        yield* Effect.addFinalizer(() => Effect.sync(() => void held.delete(key)))
        return lease(grant)
      })

    const lock = (name: string, lockOptions: LockOptions) =>
      Effect.gen(function* () {
        const input = yield* decodeInput(LockInput, "Coordination.lock")({ ...lockOptions, name })
        const wait = input.timeout ?? timeout
        const fiber = yield* Effect.fiberId
        const started = yield* Clock.currentTimeMillis
        for (const mine of held.values()) {
          if (mine.fiber === fiber && mine.name === name && mine.until > started) {
            return yield* new LockAlreadyHeld({ lock: name, token: mine.token, until: mine.until })
          }
        }
        const endpoint = yield* bindClient
        const holder = input.holder ?? endpoint.address.id
        if (raftLock !== undefined) {
          const grant = yield* raftLock.acquire(endpoint, name, input.ttl, wait)
          // The release is resent until acknowledged (or the lease ends) in the service's scope, on an
          // endpoint of its own: closing the holder's scope never waits on the network.
          yield* Effect.addFinalizer(() =>
            Effect.asVoid(
              Effect.forkIn(Effect.scoped(Effect.flatMap(bindClient, (own) => raftLock.release(own, grant))), scope)
            )
          )
          return yield* track(grant, holder, fiber)
        }
        // Finalizers run in reverse: this one runs after the lease's release was sent to the owner,
        // and wakes the local waiters (spuriously, and harmlessly, when no lease was granted).
        yield* Effect.addFinalizer(() => signal.wake(name))
        const deadline = started + wait
        let heldUntil: number | undefined
        while (true) {
          const left = deadline - (yield* Clock.currentTimeMillis)
          if (left <= 0)
            return yield* new CoordinationTimeout({
              operation: "lock",
              name,
              timeout: wait,
              ...(heldUntil === undefined ? {} : { heldUntil })
            })
          const seen = signal.seen(name)
          const attempt = yield* Effect.result(acquire(endpoint, owner, { lock: name, ttl: input.ttl, timeout: left }))
          if (attempt._tag === "Success") return yield* track(attempt.success, holder, fiber)
          const error = attempt.failure
          if (error._tag !== "LockBusy")
            return yield* new CoordinationTimeout({ operation: "lock", name, timeout: wait })
          heldUntil = error.expires
          const now = yield* Clock.currentTimeMillis
          yield* signal.wait(name, seen, Math.min(error.expires - now, deadline - now))
        }
      })

    const seatGroups = new Map<string, SeatGroup>()
    const elect = (group: string, electOptions: ElectOptions = {}) =>
      Effect.gen(function* () {
        const input = yield* decodeInput(GroupInput, "Coordination.elect")({ ...electOptions, group })
        let seats = seatGroups.get(group)
        if (seats === undefined) {
          seats = makeSeatGroup({ transport, scope, group, size, timeout, poll: retry })
          seatGroups.set(group, seats)
        }
        return yield* seats.take(input.holder)
      })

    const consensus = new Map<string, ConsensusGroup>()
    const propose = (group: string, value: Schema.Json) =>
      Effect.gen(function* () {
        const input = yield* decodeInput(ProposeInput, "Coordination.propose")({ group, value })
        const replicas = yield* starting.withPermit(
          Effect.gen(function* () {
            const known = consensus.get(group)
            if (known !== undefined) return known
            const made = yield* makeConsensusGroup({ transport, participants, group, size, timeout, retry })
            consensus.set(group, made)
            return made
          })
        )
        return yield* Effect.scoped(Effect.flatMap(bindClient, (endpoint) => replicas.propose(endpoint, input.value)))
      })

    const owners = new Map<string, { readonly address: Address; seq: number; readonly serial: Semaphore.Semaphore }>()
    const ownerOf = (name: string) =>
      starting.withPermit(
        Effect.gen(function* () {
          const known = owners.get(name)
          if (known !== undefined) return known
          const service = `coordination/counter/${name}`
          yield* participants.add(
            `counter/${name}`,
            protocolParticipant(makeCounterOwner({ service }), transport.bind(service))
          )
          const owner = { address: { node: transport.node, id: service }, seq: 0, serial: yield* Semaphore.make(1) }
          owners.set(name, owner)
          return owner
        })
      )
    const counter = (name: string): CounterHandle => ({
      name,
      increment: (by = 1) =>
        Effect.gen(function* () {
          yield* decodeInput(IncrementInput, "Coordination.counter.increment")({ name, by })
          const owner = yield* ownerOf(name)
          // One session per counter name, one increment at a time: the owner orders them all.
          return yield* owner.serial
            .withPermit(
              Effect.scoped(
                Effect.gen(function* () {
                  const endpoint = yield* bindClient
                  const seq = ++owner.seq
                  return yield* counterIncrement(endpoint, [owner.address], {
                    client: `coordination/${name}`,
                    seq,
                    by,
                    retry: Math.max(retry, 50),
                    timeout
                  })
                })
              )
            )
            .pipe(
              Effect.catchTags({
                CounterTimeout: () =>
                  Effect.fail(new CoordinationTimeout({ operation: "counter.increment", name, timeout })),
                CounterRejected: (e) => Effect.die(e)
              })
            )
        })
    })

    const state = Effect.gen(function* () {
      const at = yield* Clock.currentTimeMillis
      const locks = [...held.values()]
        .map((l): LockView => ({ ...l, expired: l.until <= at }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.token - b.token))
      const elections = yield* Effect.forEach([...seatGroups.values()], (g) => g.view)
      const groups = yield* Effect.forEach([...consensus.values()], (g) => g.view)
      const base = {
        at,
        lockMode: raftLock === undefined ? ("owner" as const) : ("raft" as const),
        locks,
        lastToken,
        elections,
        consensus: groups,
        participants: yield* participants.list
      }
      return raftLock === undefined ? base : { ...base, lockGroup: yield* raftLock.view }
    })

    const { crash, list, restart } = participants
    // Spans `mabeam.coordination.<operation>` (attribute: the lock name or group), inside a caller's trace only.
    return Coordination.of(
      traced<Coordination["Service"]>("coordination", ["lock", "elect", "propose"], {
        withinTrace: true,
        describe: (operation, args) => ({
          [operation === "lock" ? "mabeam.coordination.lock" : "mabeam.coordination.group"]: argument(args, "") ?? ""
        })
      })({ lock, elect, propose, counter, participants: { crash, list, restart }, state })
    )
  })
}

const lease = (held: { readonly lock: string; readonly token: number; readonly until: number }): Lease => {
  const expired = (now: number) => new LeaseExpired({ lock: held.lock, token: held.token, until: held.until, now })
  const check = Effect.flatMap(Clock.currentTimeMillis, (now) =>
    now >= held.until ? Effect.fail(expired(now)) : Effect.void
  )
  const guard = <A, E, R>(
    work: Effect.Effect<A, E, R>,
    fence?: { readonly fence: Fence; readonly resource: string }
  ): Effect.Effect<A, E | LeaseExpired | StaleToken | InvalidInput, R> =>
    Effect.gen(function* () {
      yield* check
      const left = held.until - (yield* Clock.currentTimeMillis)
      const admitted = fence === undefined ? work : fenced(fence.fence, fence.resource, held.token)(work)
      return yield* Effect.timeoutOrElse(admitted, {
        duration: left,
        orElse: () => Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.fail(expired(now)))
      })
    })
  const write = <V, E>(store: FencedStore<V, E>, key: string, value: V) =>
    Effect.andThen(check, store.write(key, held.token, value))
  return { lock: held.lock, token: held.token, until: held.until, check, guard, write }
}
