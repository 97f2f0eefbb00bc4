/** Lease locks with fencing tokens: the single owner's step function, the Raft-replicated lock, the scoped client, their errors. */
export { acquire, AcquireInput, type Lease } from "./LockClient.ts"
export { LockBusy, LockTimeout } from "./LockError.ts"
export {
  type Held,
  isLockMessage,
  leaseUntil,
  type LockEmit,
  type LockMessage,
  lockServerStep,
  type LockServerState,
  makeLockServer
} from "./LockServer.ts"
export {
  applyLockCommand,
  emptyLockMachine,
  isLockCommand,
  type LockCommand,
  type LockMachine,
  type LockResult,
  type MachineHeld
} from "./LockMachine.ts"
export {
  isLockOverloaded,
  isLockRedirect,
  isLockReleased,
  type LockOverloaded,
  type LockRedirect,
  type LockReleased,
  makeRaftLock,
  type RaftLockMessage,
  type RaftLockOptions,
  raftLockStep,
  type RaftLockState,
  releaseId
} from "./RaftLock.ts"
