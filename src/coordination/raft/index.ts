/** Raft: election, log replication and commit as a pure step function; its safety checker. */
export { defaultRaftConfig, isRaftMessage, lastIndex, makeRaft, raftInit, raftStep, termAt } from "./Raft.ts"
export { RaftLog } from "./RaftLog.ts"
export { makeRaftChecker, type RaftChecker } from "./invariants.ts"
export type { Entry, RaftConfig, RaftEmit, RaftMessage, RaftPersisted, RaftState } from "./types.ts"
export { decodeRaftConfig, RaftConfigSchema, raftConfigIssue } from "./config.ts"
