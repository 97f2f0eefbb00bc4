/** Leader election with terms and leases: the step function, its types and its safety checker. */
export {
  defaultElectionConfig,
  electionInit,
  electionStep,
  isElectionMessage,
  isLeader,
  makeElection
} from "./Election.ts"
export { type ElectionChecker, makeElectionChecker } from "./invariants.ts"
export type {
  ElectionConfig,
  ElectionEmit,
  ElectionMessage,
  ElectionPersisted,
  ElectionState,
  RenewRound
} from "./types.ts"
export { join, JoinInput, type Leadership, type LeadershipStatus } from "./Leadership.ts"
