/**
 * A linearizability checker for recorded histories (Wing & Gong's search with Lowe's memo, as in
 * Porcupine and Knossos): is there a total order of the operations, consistent with real time
 * (an operation that returned before another was called comes first), in which a sequential
 * `Model` produces every recorded output?
 *
 * - An operation without an output (`output: undefined`: the client timed out, crashed, or moved on)
 *   is *pending*: it may have taken effect at any time after its call, or never. The search may
 *   place it anywhere after its call, or leave it out.
 * - A model step returns every state the operation may lead to (none: impossible here), so models
 *   may be nondeterministic (a timed-out acquire may or may not have consumed a token).
 * - `Model.partition` splits a history into independent sub-histories (per key: linearizability is
 *   compositional), each checked on its own.
 * - A pending operation that would not change the state is not placed (leaving it out is as good),
 *   and `Model.viable` prunes states from which the remaining operations cannot all be placed.
 * - The search is exponential in the worst case: it gives up after `maxStates` explored states and
 *   says `Unknown` (never a false verdict).
 *
 * @since 0.1.0
 */

/**
 * One recorded operation: who, what, when called, and (unless pending) what it returned and when.
 *
 * @since 0.1.0
 * @category models
 */
export interface Operation<I, O> {
  readonly client: string
  readonly input: I
  /** Simulated time of the call. */
  readonly call: number
  /** `undefined`: pending (timed out, client crashed or gave up): it may or may not have taken effect. */
  readonly output: O | undefined
  /** Simulated time of the return; `Infinity` when pending. */
  readonly ret: number
}

/**
 * A sequential specification.
 *
 * @since 0.1.0
 * @category models
 */
export interface Model<S, I, O> {
  readonly init: S
  /**
   * The states `op` may lead to from `state`, given its recorded output (`op.output`, `undefined`
   * when pending: any output). Empty: the operation cannot return that output from `state`.
   */
  readonly step: (state: S, op: Operation<I, O>) => ReadonlyArray<S>
  /** A canonical key of a state (equal states, equal keys): the search's memo. */
  readonly key: (state: S) => string
  /**
   * Whether the operations still to place (completed, not yet linearized) can all still be placed
   * after `state`; `false` prunes the search there. Optional, must be sound (only `false` when no
   * continuation exists): e.g. a lock whose token already passed an unplaced grant's token.
   */
  readonly viable?: ((state: S, open: ReadonlyArray<Operation<I, O>>) => boolean) | undefined
  /** Independent parts of the history (e.g. per key); default: one. */
  readonly partition?: ((op: Operation<I, O>) => string) | undefined
  /** A readable operation, for reports. */
  readonly describe?: ((op: Operation<I, O>) => string) | undefined
}

/**
 * The verdict on one history.
 *
 * @since 0.1.0
 * @category models
 */
export type LinearizabilityResult =
  | { readonly _tag: "Linearizable"; readonly operations: number; readonly explored: number }
  | {
      readonly _tag: "NotLinearizable"
      /** The partition that failed. */
      readonly partition: string
      /** The completed operations of the longest linearizable prefix found, as readable operations in order. */
      readonly longest: ReadonlyArray<string>
      /** The completed operations that could not be placed after it. */
      readonly stuck: ReadonlyArray<string>
      readonly explored: number
    }
  | { readonly _tag: "Unknown"; readonly partition: string; readonly explored: number }

/**
 * Options of `checkLinearizable`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CheckOptions {
  /** Give up (verdict `Unknown`) after exploring this many states per partition (default 1,000,000). */
  readonly maxStates?: number
}

const describeDefault = <I, O>(op: Operation<I, O>) =>
  `${op.client} ${JSON.stringify(op.input)} -> ${op.output === undefined ? "?" : JSON.stringify(op.output)} [${op.call}, ${op.ret}]`

type PartResult<S> =
  | { readonly _tag: "ok"; readonly explored: number }
  | {
      readonly _tag: "fail"
      readonly longest: ReadonlyArray<number>
      readonly stuck: ReadonlyArray<number>
      readonly explored: number
    }
  | { readonly _tag: "unknown"; readonly explored: number; readonly state?: S }

/** Checks one partition: depth-first search over (set of linearized operations, model state). */
const checkPart = <S, I, O>(
  model: Model<S, I, O>,
  ops: ReadonlyArray<Operation<I, O>>,
  maxStates: number
): PartResult<S> => {
  const n = ops.length
  const done = new Uint8Array(n)
  const words = new Uint32Array(Math.ceil(n / 32))
  const seen = new Set<string>()
  const completed = ops.reduce((k, op) => k + (op.output === undefined ? 0 : 1), 0)
  let explored = 0
  let longest: Array<number> = []
  let longestCompleted = -1
  const path: Array<number> = []
  let exhausted = false

  const search = (state: S, completedLeft: number): boolean => {
    if (completedLeft === 0) return true
    const memo = `${words.join(",")}|${model.key(state)}`
    if (seen.has(memo)) return false
    seen.add(memo)
    if (++explored > maxStates) {
      exhausted = true
      return false
    }
    if (model.viable !== undefined) {
      const open: Array<Operation<I, O>> = []
      for (let i = 0; i < n; i++) if (done[i] === 0 && ops[i]!.output !== undefined) open.push(ops[i]!)
      if (!model.viable(state, open)) return false
    }
    // Only an operation called before every other open operation returned may come next.
    let horizon = Infinity
    for (let i = 0; i < n; i++) if (done[i] === 0 && ops[i]!.ret < horizon) horizon = ops[i]!.ret
    for (let i = 0; i < n && !exhausted; i++) {
      const op = ops[i]!
      if (done[i] !== 0) continue
      if (op.call > horizon) break
      const stateKey = op.output === undefined ? model.key(state) : ""
      for (const next of model.step(state, op)) {
        if (op.output === undefined && model.key(next) === stateKey) continue
        done[i] = 1
        words[i >>> 5]! |= 1 << (i & 31)
        path.push(i)
        const left = completedLeft - (op.output === undefined ? 0 : 1)
        if (completed - left > longestCompleted) {
          longestCompleted = completed - left
          longest = path.filter((k) => ops[k]!.output !== undefined)
        }
        const found = search(next, left)
        path.pop()
        done[i] = 0
        words[i >>> 5]! &= ~(1 << (i & 31))
        if (found) return true
        if (exhausted) break
      }
    }
    return false
  }

  if (search(model.init, completed)) return { _tag: "ok", explored }
  if (exhausted) return { _tag: "unknown", explored }
  const placed = new Set(longest)
  const stuck = ops.map((_, i) => i).filter((i) => !placed.has(i) && ops[i]!.output !== undefined)
  return { _tag: "fail", longest, stuck, explored }
}

/**
 * Checks whether `history` is linearizable with respect to `model`. Operations are taken in call
 * order (the input order does not matter). Deterministic.
 *
 * @since 0.1.0
 * @category utils
 */
export const checkLinearizable = <S, I, O>(
  model: Model<S, I, O>,
  history: ReadonlyArray<Operation<I, O>>,
  options: CheckOptions = {}
): LinearizabilityResult => {
  const maxStates = options.maxStates ?? 1_000_000
  const describe = model.describe ?? describeDefault
  const parts = new Map<string, Array<Operation<I, O>>>()
  for (const op of history) {
    const part = model.partition?.(op) ?? ""
    let ops = parts.get(part)
    if (ops === undefined) parts.set(part, (ops = []))
    ops.push(op)
  }
  let explored = 0
  for (const [part, unsorted] of [...parts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const ops = [...unsorted].sort((a, b) => a.call - b.call || a.ret - b.ret)
    const result = checkPart(model, ops, maxStates)
    explored += result.explored
    if (result._tag === "unknown") return { _tag: "Unknown", partition: part, explored }
    if (result._tag === "fail") {
      return {
        _tag: "NotLinearizable",
        partition: part,
        longest: result.longest.map((i) => describe(ops[i]!)),
        stuck: result.stuck.map((i) => describe(ops[i]!)),
        explored
      }
    }
  }
  return { _tag: "Linearizable", operations: history.length, explored }
}

/**
 * A one-line report of a verdict (`undefined` when linearizable), for a simulator checker.
 *
 * @since 0.1.0
 * @category utils
 */
export const linearizabilityViolation = (result: LinearizabilityResult, tail = 3): string | undefined => {
  switch (result._tag) {
    case "Linearizable":
      return undefined
    case "Unknown":
      return `linearizability: undecided after ${result.explored} states (partition "${result.partition}")`
    case "NotLinearizable":
      return `linearizability: no linearization${result.partition === "" ? "" : ` of "${result.partition}"`}; after ${result.longest
        .slice(-tail)
        .join("; ")} none of: ${result.stuck.slice(0, tail).join("; ")}`
  }
}
