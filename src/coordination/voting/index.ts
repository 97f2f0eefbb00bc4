/** Voting: majority, weighted, plurality and instant-runoff counts with quorum; polls with deadlines. */
export {
  type Ballot,
  countable,
  type Decision,
  instantRunoff,
  NoMajority,
  QuorumNotMet,
  type RankedBallot,
  tally,
  type TallyOptions
} from "./Tally.ts"
export {
  electorateOf,
  isPollMessage,
  makePoll,
  type PollConfig,
  type PollEmit,
  type PollMessage,
  type PollState,
  pollStep,
  voterKey
} from "./Poll.ts"
export { answer, collect, CollectInput } from "./Vote.ts"
