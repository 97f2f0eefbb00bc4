/** Coordination protocols as pure step functions plus one thin driver over Transport, Clock and Random. */
export { emit, type Event, type Output, type Protocol, runNode, type RunNodeOptions, send, setTimer, type Step, step } from "./Protocol.ts"
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
