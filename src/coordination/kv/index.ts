/** A linearizable key-value register replicated through Raft (reads and writes through the log). */
export {
  applyKv,
  emptyKv,
  isKvCommand,
  isKvMessage,
  type KvCommand,
  type KvMessage,
  type KvOp,
  type KvResult,
  type KvState
} from "./KvMachine.ts"
export {
  kvEntryId,
  makeRaftKv,
  type RaftKvEmit,
  type RaftKvMessage,
  type RaftKvOptions,
  type RaftKvState,
  raftKvStep
} from "./RaftKv.ts"
