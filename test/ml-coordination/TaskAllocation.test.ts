import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Option, Schema } from "effect"
import { Agent, AgentSystem } from "../../src/agent/index.ts"
import { Ledger } from "../../src/economics/index.ts"
import { TaskAllocation } from "../../apps/ml-coordination/index.ts"
import { fund, withEconomy } from "./fixtures.ts"

const { allocateTasks, allocateTasksUnsafe, procure, procureFrom, RequestCosts } = TaskAllocation
type Input = TaskAllocation.TaskAllocationInput

const Small = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 12 }))
/** Reserves of 1–3 tasks and, per agent (0–4), a cost per task or null (cannot do it). */
const Instance = Schema.Struct({
  reserves: Schema.Array(Small).check(Schema.isBetweenLength(1, 3)),
  costs: Schema.Array(Schema.Array(Schema.NullOr(Small)).check(Schema.isBetweenLength(3, 3))).check(
    Schema.isMaxLength(4)
  )
})
type Instance = typeof Instance.Type

const toInput = ({ costs, reserves }: Instance): Input => ({
  tasks: reserves.map((reserve, t) => ({ id: `t${t}`, reserve: BigInt(reserve) })),
  reports: costs.map((row, a) => ({
    agent: `a${a}`,
    costs: Object.fromEntries(
      row.slice(0, reserves.length).flatMap((c, t) => (c === null ? [] : [[`t${t}`, BigInt(c)]]))
    )
  }))
})

/** Column per task (agent index, or `reports.length` for open), lexicographically first among the cheapest. */
const bruteForce = (input: Input): { readonly columns: ReadonlyArray<number>; readonly cost: bigint } => {
  const n = input.reports.length
  let best: { columns: ReadonlyArray<number>; cost: bigint } | undefined
  const go = (t: number, used: ReadonlySet<number>, columns: ReadonlyArray<number>, cost: bigint): void => {
    if (t === input.tasks.length) {
      if (best === undefined || cost < best.cost) best = { columns, cost }
      return
    }
    const task = input.tasks[t]!
    for (let k = 0; k <= n; k++) {
      if (k === n) go(t + 1, used, [...columns, k], cost + task.reserve)
      else if (!used.has(k) && Object.hasOwn(input.reports[k]!.costs, task.id)) {
        go(t + 1, new Set([...used, k]), [...columns, k], cost + input.reports[k]!.costs[task.id]!)
      }
    }
  }
  go(0, new Set(), [], 0n)
  return best!
}

const columnsOf = (input: Input, outcome: TaskAllocation.TaskAllocation): ReadonlyArray<number> =>
  input.tasks.map((task) => {
    const award = outcome.assignment.find((a) => a.task === task.id)
    return award === undefined ? input.reports.length : input.reports.findIndex((r) => r.agent === award.agent)
  })

/** Utility of `agent` with true costs `truth`: payment − true cost of its task, or 0 if it loses. */
const utility = (outcome: TaskAllocation.TaskAllocation, agent: string, truth: Record<string, bigint>): bigint => {
  const award = outcome.assignment.find((a) => a.agent === agent)
  return award === undefined ? 0n : award.payment - truth[award.task]!
}

describe("TaskAllocation.allocateTasks", () => {
  it.effect("one task: the cheapest agent wins and is paid the second-lowest cost", () =>
    Effect.gen(function* () {
      const outcome = yield* allocateTasks({
        tasks: [{ id: "label", reserve: 100n }],
        reports: [
          { agent: "a", costs: { label: 45n } },
          { agent: "b", costs: { label: 30n } },
          { agent: "c", costs: {} }
        ]
      })
      assert.deepStrictEqual(outcome.assignment, [{ task: "label", agent: "b", cost: 30n, payment: 45n }])
      assert.deepStrictEqual([...outcome.payments], [["b", 45n]])
      assert.deepStrictEqual(outcome.open, [])
      assert.strictEqual(outcome.cost, 30n)
    })
  )

  it.effect("a lone bidder is paid the reserve; a task nobody can do below its reserve stays open", () =>
    Effect.gen(function* () {
      const outcome = yield* allocateTasks({
        tasks: [
          { id: "x", reserve: 50n },
          { id: "y", reserve: 10n }
        ],
        reports: [
          { agent: "a", costs: { x: 20n } },
          { agent: "b", costs: { y: 11n } }
        ]
      })
      assert.deepStrictEqual(outcome.assignment, [{ task: "x", agent: "a", cost: 20n, payment: 50n }])
      assert.deepStrictEqual(outcome.open, ["y"])
      assert.strictEqual(outcome.cost, 30n)
    })
  )

  it.effect("one task per agent: the agent cheapest at both takes one and is paid for the harm it does", () =>
    Effect.gen(function* () {
      const outcome = yield* allocateTasks({
        tasks: [
          { id: "x", reserve: 100n },
          { id: "y", reserve: 100n }
        ],
        reports: [
          { agent: "a", costs: { x: 1n, y: 2n } },
          { agent: "b", costs: { x: 10n, y: 30n } }
        ]
      })
      // Optimum: a→y, b→x (12) beats a→x, b→y (31). Without a: b→x, y open = 110, so a gets 110 − 10 = 100.
      // Without b: a→x, y open = 101, so b gets 101 − 2 = 99.
      assert.deepStrictEqual(outcome.assignment, [
        { task: "x", agent: "b", cost: 10n, payment: 99n },
        { task: "y", agent: "a", cost: 2n, payment: 100n }
      ])
    })
  )

  it.effect("ties: the earlier agent wins, and a cost equal to the reserve is still assigned", () =>
    Effect.gen(function* () {
      const tied = yield* allocateTasks({
        tasks: [{ id: "x", reserve: 9n }],
        reports: [
          { agent: "zed", costs: { x: 5n } },
          { agent: "amy", costs: { x: 5n } }
        ]
      })
      assert.deepStrictEqual(tied.assignment, [{ task: "x", agent: "zed", cost: 5n, payment: 5n }])
      const atReserve = yield* allocateTasks({
        tasks: [{ id: "x", reserve: 9n }],
        reports: [{ agent: "a", costs: { x: 9n } }]
      })
      assert.deepStrictEqual(atReserve.assignment, [{ task: "x", agent: "a", cost: 9n, payment: 9n }])
    })
  )

  it.effect("handles amounts near MAX_AMOUNT exactly", () =>
    Effect.gen(function* () {
      const big = (1n << 96n) - 1n
      const outcome = yield* allocateTasks({
        tasks: [{ id: "x", reserve: big }],
        reports: [
          { agent: "a", costs: { x: big - 2n } },
          { agent: "b", costs: { x: big - 1n } }
        ]
      })
      assert.deepStrictEqual(outcome.assignment, [{ task: "x", agent: "a", cost: big - 2n, payment: big - 1n }])
    })
  )

  it.prop(
    "efficiency: the assignment has minimum social cost and follows the tie rule (brute force)",
    [Instance],
    ([raw]) => {
      const input = toInput(raw)
      const outcome = allocateTasksUnsafe(input)
      const expected = bruteForce(input)
      assert.strictEqual(outcome.cost, expected.cost)
      assert.deepStrictEqual(columnsOf(input, outcome), expected.columns)
    },
    { arbitrary: { runs: 300 } }
  )

  it.prop(
    "individual rationality: every winner is paid at least its reported cost and at most the reserve",
    [Instance],
    ([raw]) => {
      const input = toInput(raw)
      const outcome = allocateTasksUnsafe(input)
      for (const award of outcome.assignment) {
        const reserve = input.tasks.find((t) => t.id === award.task)!.reserve
        assert.isTrue(award.cost <= award.payment && award.payment <= reserve)
        assert.strictEqual(outcome.payments.get(award.agent), award.payment)
      }
      assert.strictEqual(outcome.payments.size, outcome.assignment.length)
    },
    { arbitrary: { runs: 200 } }
  )

  it.prop(
    "truthfulness: no agent gains by misreporting its costs",
    [
      Schema.Struct({
        reserves: Instance.fields.reserves,
        truth: Schema.Array(Schema.Array(Small).check(Schema.isBetweenLength(3, 3))).check(
          Schema.isBetweenLength(1, 4)
        ),
        liar: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 3 })),
        lie: Schema.Array(Schema.NullOr(Small)).check(Schema.isBetweenLength(3, 3))
      })
    ],
    ([{ lie, liar: rawLiar, reserves, truth }]) => {
      const honest = toInput({ reserves, costs: truth })
      const liar = rawLiar % truth.length
      const agent = `a${liar}`
      const lying = toInput({ reserves, costs: truth.map((row, a) => (a === liar ? lie : row)) })
      const trueCosts = honest.reports[liar]!.costs
      const truthful = utility(allocateTasksUnsafe(honest), agent, trueCosts)
      const deviated = utility(allocateTasksUnsafe(lying), agent, trueCosts)
      assert.isTrue(truthful >= 0n, "truthful reporting never loses money")
      assert.isTrue(truthful >= deviated, `lying gained: ${deviated} > ${truthful}`)
    },
    { arbitrary: { runs: 400 } }
  )

  it.prop(
    "truthfulness and individual rationality on larger instances (5 tasks × 6 agents, wide costs)",
    [
      Schema.Struct({
        reserves: Schema.Array(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 1_000 }))).check(
          Schema.isBetweenLength(5, 5)
        ),
        truth: Schema.Array(
          Schema.Array(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 1_000 }))).check(
            Schema.isBetweenLength(5, 5)
          )
        ).check(Schema.isBetweenLength(6, 6)),
        liar: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 5 })),
        lie: Schema.Array(Schema.NullOr(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 1_000 })))).check(
          Schema.isBetweenLength(5, 5)
        )
      })
    ],
    ([{ liar, lie, reserves, truth }]) => {
      const toWide = (costs: ReadonlyArray<ReadonlyArray<number | null>>): Input => ({
        tasks: reserves.map((reserve, t) => ({ id: `t${t}`, reserve: BigInt(reserve) })),
        reports: costs.map((row, a) => ({
          agent: `a${a}`,
          costs: Object.fromEntries(row.flatMap((c, t) => (c === null ? [] : [[`t${t}`, BigInt(c)]])))
        }))
      })
      const honest = toWide(truth)
      const trueCosts = honest.reports[liar]!.costs
      const truthful = utility(allocateTasksUnsafe(honest), `a${liar}`, trueCosts)
      const deviated = utility(
        allocateTasksUnsafe(toWide(truth.map((row, a) => (a === liar ? lie : row)))),
        `a${liar}`,
        trueCosts
      )
      assert.isTrue(truthful >= 0n && truthful >= deviated, `lying gained: ${deviated} > ${truthful}`)
    },
    { arbitrary: { runs: 200 } }
  )

  it.effect("bad input fails with InvalidInput naming the problem", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [unknown, string]> = [
        [
          {
            tasks: [
              { id: "x", reserve: 1n },
              { id: "x", reserve: 2n }
            ],
            reports: []
          },
          "listed twice"
        ],
        [
          {
            tasks: [{ id: "x", reserve: 1n }],
            reports: [
              { agent: "a", costs: {} },
              { agent: "a", costs: {} }
            ]
          },
          "reported twice"
        ],
        [{ tasks: [{ id: "x", reserve: 1n }], reports: [{ agent: "a", costs: { y: 1n } }] }, 'unknown task "y"'],
        [{ tasks: [{ id: "x", reserve: 1n }], reports: [{ agent: "a", costs: { x: -1n } }] }, ""],
        [{ tasks: [], reports: [] }, ""],
        [{ tasks: Array.from({ length: 33 }, (_, i) => ({ id: `t${i}`, reserve: 1n })), reports: [] }, ""]
      ]
      for (const [input, issue] of cases) {
        const error = yield* Effect.flip(allocateTasks(input as Input))
        assert.strictEqual(error._tag, "InvalidInput")
        assert.strictEqual(error.where, "TaskAllocation.allocateTasks")
        assert.include(error.issue, issue)
      }
    })
  )

  it("32 tasks × 32 agents allocate quickly", () => {
    const input: Input = {
      tasks: Array.from({ length: 32 }, (_, t) => ({ id: `t${t}`, reserve: 1_000n })),
      reports: Array.from({ length: 32 }, (_, a) => ({
        agent: `a${a}`,
        costs: Object.fromEntries(Array.from({ length: 32 }, (_, t) => [`t${t}`, BigInt(((a * 7 + t * 13) % 17) + 1)]))
      }))
    }
    const started = performance.now()
    const outcome = allocateTasksUnsafe(input)
    assert.strictEqual(outcome.assignment.length, 32)
    assert.isBelow(performance.now() - started, 3_000)
  })
})

const balances = (accounts: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger.Ledger
    const out: Record<string, bigint> = {}
    for (const account of accounts) {
      const b = yield* ledger.balance(account)
      out[account] = b.available + b.held
    }
    return out
  })
const total = (values: Record<string, bigint>) => Object.values(values).reduce((a, b) => a + b, 0n)

describe("TaskAllocation.procure", () => {
  it.effect.prop(
    "conserves money: the principal pays exactly what the winners receive",
    {
      instance: Instance,
      budget: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 60 }))
    },
    ({ budget, instance }) =>
      withEconomy(
        Effect.gen(function* () {
          const input = toInput(instance)
          const agents = input.reports.map((r) => r.agent)
          yield* fund({ lab: BigInt(budget), ...Object.fromEntries(agents.map((a) => [a, 5n])) })
          const before = yield* balances(["lab", ...agents])
          const exit = yield* Effect.exit(procure({ principal: "lab", ...input }))
          const after = yield* balances(["lab", ...agents])
          assert.strictEqual(total(after), total(before), "money is conserved")
          assert.strictEqual((yield* (yield* Ledger.Ledger).audit).held, 0n, "no hold is left behind")
          if (Exit.isSuccess(exit)) {
            const { allocation, paid } = exit.value
            assert.strictEqual(before["lab"]! - after["lab"]!, paid)
            for (const agent of agents) {
              assert.strictEqual(after[agent]! - before[agent]!, allocation.payments.get(agent) ?? 0n)
            }
          } else {
            assert.strictEqual(Option.getOrThrow(Exit.findErrorOption(exit))._tag, "BudgetExhausted")
            assert.deepStrictEqual(after, before, "a failed settlement moves nothing")
            assert.isTrue(budget < Number(allocateTasksUnsafe(input).assignment.reduce((s, a) => s + a.payment, 0n)))
          }
        })
      ),
    { arbitrary: { runs: 60 } }
  )

  const tasks = [{ id: "x", reserve: 100n }]
  const reports = [
    { agent: "a", costs: { x: 30n } },
    { agent: "b", costs: { x: 45n } }
  ]

  it.effect("a principal who cannot pay gets BudgetExhausted and nothing moves", () =>
    withEconomy(
      Effect.gen(function* () {
        yield* fund({ lab: 44n, a: 0n, b: 0n })
        const error = yield* Effect.flip(procure({ principal: "lab", tasks, reports }))
        assert.strictEqual(error._tag, "BudgetExhausted")
        assert.include(error.message, "needs 45")
        assert.deepStrictEqual(yield* balances(["lab", "a", "b"]), { lab: 44n, a: 0n, b: 0n })
      })
    )
  )

  it.effect("a winner without an account fails with UnknownAccount before any money moves", () =>
    withEconomy(
      Effect.gen(function* () {
        yield* fund({ lab: 1_000n, b: 0n })
        const error = yield* Effect.flip(procure({ principal: "lab", tasks, reports }))
        assert.strictEqual(error._tag, "UnknownAccount")
        assert.deepStrictEqual(yield* balances(["lab", "b"]), { lab: 1_000n, b: 0n })
      })
    )
  )

  it.effect("bad input fails with InvalidInput at TaskAllocation.procure", () =>
    withEconomy(
      Effect.gen(function* () {
        const error = yield* Effect.flip(procure({ principal: "", tasks, reports }))
        assert.strictEqual(error._tag, "InvalidInput")
        const twice = yield* Effect.flip(procure({ principal: "lab", tasks: [...tasks, ...tasks], reports }))
        assert.isTrue(
          twice._tag === "InvalidInput" &&
            twice.where === "TaskAllocation.procure" &&
            twice.issue.includes("listed twice")
        )
      })
    )
  )

  it.effect("settles the example: the lab pays a the second-lowest cost", () =>
    withEconomy(
      Effect.gen(function* () {
        yield* fund({ lab: 1_000n, a: 0n, b: 0n })
        const { paid } = yield* procure({ principal: "lab", tasks, reports })
        assert.strictEqual(paid, 45n)
        assert.deepStrictEqual(yield* balances(["lab", "a", "b"]), { lab: 955n, a: 45n, b: 0n })
      })
    )
  )
})

/** An agent that answers every `RequestCosts` with `costs` (possibly malformed, for the failure paths). */
const reporter = (costs: Record<string, bigint>) =>
  Agent.make({
    name: "reporter",
    messages: RequestCosts,
    initial: () => undefined,
    handle: (state: undefined, msg, ctx) => {
      ctx.reply(msg, costs)
      return state
    }
  })

describe("TaskAllocation.procureFrom", () => {
  it.effect("asks the agents, leaves out the stopped and the malformed, and pays the winner", () =>
    withEconomy(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        yield* fund({ lab: 1_000n, a: 0n, b: 0n, bad: 0n, neg: 0n, gone: 0n })
        const a = yield* system.spawn(reporter({ x: 30n }), { id: "a" })
        const b = yield* system.spawn(reporter({ x: 45n }), { id: "b" })
        const bad = yield* system.spawn(reporter({ x: 1n, nope: 1n }), { id: "bad" })
        const neg = yield* system.spawn(reporter({ x: -5n }), { id: "neg" })
        const gone = yield* system.spawn(reporter({ x: 0n }), { id: "gone" })
        yield* system.stop(gone as never)
        const result = yield* procureFrom({
          principal: "lab",
          tasks: [{ id: "x", reserve: 100n }],
          agents: [a, b, bad, neg, gone]
        })
        assert.deepStrictEqual(result.allocation.assignment, [{ task: "x", agent: "a", cost: 30n, payment: 45n }])
        assert.deepStrictEqual(
          result.excluded.map((e) => e.agent),
          ["bad", "neg", "gone"]
        )
        assert.include(result.excluded[0]!.reason, "not on offer")
        assert.deepStrictEqual(yield* balances(["lab", "a", "b"]), { lab: 955n, a: 45n, b: 0n })
      })
    )
  )
})
