/** Linearizable counters: a single owner or Raft-replicated, exactly-once increments, the client. */
export {
  applyIncrement,
  type ApplyResult,
  type CounterEmit,
  type CounterMessage,
  type CounterOwnerOptions,
  counterOwnerStep,
  type CounterState,
  emptyCounter,
  type Increment,
  isCounterMessage,
  isIncrement,
  makeCounterOwner,
  replyFor
} from "./Counter.ts"
export { CounterRejected, CounterTimeout, increment, IncrementInput } from "./CounterClient.ts"
export {
  entryId,
  makeRaftCounter,
  type RaftCounterMessage,
  type RaftCounterOptions,
  type RaftCounterState,
  raftCounterStep
} from "./RaftCounter.ts"
