/**
 * Universal-variables benchmarks: proposals per second for each strategy beside a raw sampler
 * (a plain loop drawing from a local xorshift, no Effect), and the time of one MLP training run.
 *
 * How: strategies run 100 proposals inside one `Effect.runSync` under `Random.withSeed`, which is
 * how an agent calls them (from inside its fiber). TPE is measured with 50 and 200 observations of
 * history, the sizes a flagship run produces. Training runs use the shipped spirals dataset.
 */
import { Effect, Random } from "effect"
import { evaluate, type Hyperparameters, mlpSpace, spirals, train } from "../apps/ml/index.ts"
import {
  type Assignment,
  GridSearch,
  type Observation,
  RandomSearch,
  sampleUnsafe,
  type Strategy,
  Tpe
} from "../src/variables/index.ts"
import { defineBench } from "./lib/index.ts"

const batch = 100

const xorshift = (seed: number): Random.Random => {
  let s = seed >>> 0 || 1
  const next = () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 4294967296
  }
  return { nextDoubleUnsafe: next, nextIntUnsafe: () => Math.floor(next() * Number.MAX_SAFE_INTEGER) }
}

const history = (n: number): ReadonlyArray<Observation> => {
  const random = xorshift(42)
  return Array.from({ length: n }, (_, i) => {
    const assignment = sampleUnsafe(mlpSpace, random)
    return { assignment, score: random.nextDoubleUnsafe(), strategy: "random", reporters: ["bench"], at: i }
  })
}
const history50 = history(50)
const history200 = history(200)

let sink: unknown
const raw = xorshift(7)
const proposals = (strategy: Strategy, observations: ReadonlyArray<Observation>) => () => {
  sink = Effect.runSync(
    Effect.gen(function* () {
      let last: Assignment | undefined
      for (let i = 0; i < batch; i++) {
        last = yield* strategy.propose({ space: mlpSpace, goal: "maximize", observations, pending: [] })
      }
      return last
    }).pipe(Random.withSeed(1))
  )
}

const data = spirals()
const run = (hp: Hyperparameters) => () => {
  sink = Effect.runSync(train(data.train, hp).pipe(Random.withSeed(1)))
}
const typical: Hyperparameters = {
  learningRate: 0.1,
  l2: 1e-4,
  hidden: 8,
  epochs: 30,
  batchSize: 16,
  activation: "tanh"
}
const model = Effect.runSync(train(data.train, typical).pipe(Random.withSeed(1)))

export default defineBench("variables", [
  {
    group: "proposals on the 6-variable MLP space (100 per call)",
    baseline: {
      name: "raw sampler (xorshift loop)",
      ops: batch,
      fn: () => {
        for (let i = 0; i < batch; i++) sink = sampleUnsafe(mlpSpace, raw)
      }
    },
    cases: [
      { name: "RandomSearch", ops: batch, fn: proposals(RandomSearch, history50) },
      { name: "GridSearch, 50 observed", ops: batch, fn: proposals(GridSearch.make(), history50) },
      { name: "TPE, 50 observed", ops: batch, fn: proposals(Tpe.make(), history50) },
      { name: "TPE, 200 observed", ops: batch, fn: proposals(Tpe.make(), history200) }
    ]
  },
  {
    group: "one MLP training run on spirals (600 rows)",
    baseline: {
      name: "evaluate a trained model (300 rows)",
      fn: () => {
        sink = evaluate(model, data.validation)
      }
    },
    cases: [
      { name: "typical: 8 units, 30 epochs, batch 16", fn: run(typical) },
      { name: "largest: 32 units, 60 epochs, batch 8", fn: run({ ...typical, hidden: 32, epochs: 60, batchSize: 8 }) },
      { name: "smallest: 2 units, 5 epochs, batch 64", fn: run({ ...typical, hidden: 2, epochs: 5, batchSize: 64 }) }
    ]
  }
])
