/**
 * The contract every library in the peer comparison implements: the same five workloads, written
 * the way that library is meant to be used (its own spawn, its own send, its own ask).
 */

/** Builds idle agents for the memory measurement; `run.ts` takes the heap delta around `build`. */
export interface IdleWorkload {
  /** Whatever must exist before the first agent (an actor system); not counted. */
  readonly prepare: () => Promise<void>
  /** Spawns `n` idle agents and returns what references them (kept alive while the heap is read). */
  readonly build: (n: number) => Promise<unknown>
  /** Stops them and whatever `prepare` built. */
  readonly release: () => Promise<void>
}

/** One library under comparison. Every promise resolves when the work is done, not when it is queued. */
export interface Peer {
  /** Row label in BENCHMARKS.md. */
  readonly name: string
  /** What one "agent" is in this library, in a few words. */
  readonly agent: string
  /** Called once before the timed workloads. */
  readonly setup: () => Promise<void>
  /** Called once after them. */
  readonly teardown: () => Promise<void>
  /** Spawns then stops `n` agents, one after another. */
  readonly spawnStop: (n: number) => Promise<void>
  /** Idle agents, for bytes per agent. */
  readonly idle: IdleWorkload
  /** One producer sends `messages` to one agent; resolves once the agent has handled every one. */
  readonly oneToOne: (messages: number) => Promise<void>
  /** `producers` agents send `messages` in total to one agent; resolves once it has handled every one. */
  readonly manyToOne: (producers: number, messages: number) => Promise<void>
  /** `n` ask round trips to one agent, one after another. */
  readonly ask: (n: number) => Promise<void>
}

/** A promise with its resolver, for "the consumer has seen the last message". */
export const latch = (): { readonly promise: Promise<void>; readonly open: () => void } => {
  let open = () => {}
  const promise = new Promise<void>((resolve) => {
    open = resolve
  })
  return { promise, open }
}
