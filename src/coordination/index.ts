/**
 * Coordination (`mabeam/coordination`): protocols as pure step functions plus one thin driver
 * over Transport, Clock and Random, and the `Coordination` service (locks with fencing tokens,
 * leader election, consensus, counters) for agents that need them without wiring.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { Coordination } from "mabeam/coordination"
 * import { Transport } from "mabeam/transport"
 *
 * const program = Effect.gen(function*() {
 *   const coordination = yield* Coordination
 *   const lease = yield* coordination.lock("db", { ttl: 5_000 })   // held until the scope closes
 *   const seat = yield* coordination.elect("workers")
 *   if (yield* seat.isLeader) yield* lease.guard(writeWith(lease.token))
 * }).pipe(Effect.scoped, Effect.provide(Coordination.layer.pipe(Layer.provide(Transport.layerLocal()))))
 * ```
 *
 * @since 0.1.0
 */
export {
  emit,
  type Event,
  type Output,
  type Protocol,
  runNode,
  type RunNodeOptions,
  send,
  setTimer,
  type Step,
  step
} from "./Protocol.ts"
export * as Raft from "./raft/index.ts"
export * as Lock from "./lock/index.ts"
export * as Barrier from "./barrier/index.ts"
export * as Counter from "./counter/index.ts"
export * as Election from "./election/index.ts"
export * as Voting from "./voting/index.ts"
export * as Negotiation from "./negotiation/index.ts"
export * as Pbft from "./pbft/index.ts"
export * as Ensemble from "./ensemble/index.ts"
export * as Hierarchy from "./hierarchy/index.ts"
export * as Fencing from "./fencing/index.ts"
export * as Kv from "./kv/index.ts"
export {
  type Candidacy,
  type ConsensusView,
  Coordination,
  CoordinationOptions,
  type CoordinationState,
  CoordinationTimeout,
  type CounterHandle,
  ElectOptions,
  type ElectionView,
  type Lease,
  LeaseExpired,
  LockAlreadyHeld,
  LockOptions,
  type LockView,
  Overloaded,
  type Participants,
  type ParticipantStatus,
  QuorumUnavailable,
  type RaftGroupView,
  type ReplicaView,
  SeatsTaken,
  type SeatView
} from "./Coordination.ts"
