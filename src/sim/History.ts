/**
 * Records a client-side history during a simulated run: each operation's call (time, input) and,
 * when its answer arrives, its return (time, output). Operations never answered stay pending
 * (`output: undefined`, `ret: Infinity`): a timeout, a crashed client or a request given up is
 * recorded as "may or may not have taken effect", as a linearizability checker needs.
 *
 * Bounded by the run: a simulated run is finite, and `capacity` (default 100,000 operations) is a
 * hard cap; beyond it `invoke` returns -1 and the history is marked `truncated`, so a checker can
 * refuse to give a verdict on a partial history rather than silently check less.
 *
 * @since 0.1.0
 */
import type { Operation } from "./Linearizability.ts"

/**
 * A mutable history of operations, keyed by the caller's operation id.
 *
 * @since 0.1.0
 * @category models
 */
export class History<I, O> {
  private readonly ops: Array<{ client: string; input: I; call: number; output: O | undefined; ret: number }> = []
  private readonly byId = new Map<string, number>()
  /** Whether operations were refused because the history was full. */
  truncated = false

  /** The most operations recorded. */
  readonly capacity: number

  constructor(capacity = 100_000) {
    this.capacity = capacity
  }

  /** Records the call of operation `id` (once: a resent request is the same operation). */
  invoke(id: string, client: string, input: I, now: number): void {
    if (this.byId.has(id)) return
    if (this.ops.length >= this.capacity) {
      this.truncated = true
      return
    }
    this.byId.set(id, this.ops.length)
    this.ops.push({ client, input, call: now, output: undefined, ret: Infinity })
  }

  /** Records the return of operation `id` with `output` (the first answer counts; unknown ids are ignored). */
  complete(id: string, output: O, now: number): void {
    const index = this.byId.get(id)
    if (index === undefined) return
    const op = this.ops[index]!
    if (op.output !== undefined) return
    op.output = output
    op.ret = now
  }

  /** Whether operation `id` was recorded and is still open. */
  isPending(id: string): boolean {
    const index = this.byId.get(id)
    return index !== undefined && this.ops[index]!.output === undefined
  }

  /** The operations recorded so far, in call order. */
  operations(): ReadonlyArray<Operation<I, O>> {
    return this.ops.map((op) => ({ ...op }))
  }

  /** How many operations were recorded. */
  get size(): number {
    return this.ops.length
  }
}
