/**
 * A one-hidden-layer perceptron for binary classification, trained with mini-batch SGD (momentum
 * 0.9, L2 weight decay, binary cross-entropy) in plain TypeScript over `Float64Array`s.
 *
 * Training is deterministic for a seed: initial weights and the per-epoch shuffles come from the
 * `Random` service. Each epoch is one step of the returned Effect, so a worker running it can be
 * interrupted between epochs, and `onEpoch` lets the caller report progress or spend simulated
 * time. Features are standardised with the training set's mean and deviation, kept in the model.
 *
 * @since 0.1.0
 */
import { Effect, Random } from "effect"
import type { Dataset } from "./dataset.ts"

/** The activation of the hidden layer. */
export type Activation = "tanh" | "relu" | "sigmoid"

/** Everything that shapes a training run. */
export interface Hyperparameters {
  readonly learningRate: number
  readonly l2: number
  readonly hidden: number
  readonly epochs: number
  readonly batchSize: number
  readonly activation: Activation
}

/** A trained network and the standardisation it was trained with. */
export interface Model {
  readonly d: number
  readonly hidden: number
  readonly activation: Activation
  readonly mean: Float64Array
  readonly scale: Float64Array
  /** Hidden weights, row-major `hidden × d`. */
  readonly w1: Float64Array
  readonly b1: Float64Array
  readonly w2: Float64Array
  readonly b2: Float64Array
}

/** Options of `train`. */
export interface TrainOptions<E, R> {
  /** Runs after each epoch with its number (from 1) and mean training loss. */
  readonly onEpoch?: (epoch: number, loss: number) => Effect.Effect<void, E, R>
}

const MOMENTUM = 0.9

const activate = (activation: Activation, z: number): number =>
  activation === "tanh" ? Math.tanh(z) : activation === "relu" ? (z > 0 ? z : 0) : 1 / (1 + Math.exp(-z))

/** The derivative of the activation, from its output `a`. */
const slope = (activation: Activation, a: number): number =>
  activation === "tanh" ? 1 - a * a : activation === "relu" ? (a > 0 ? 1 : 0) : a * (1 - a)

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z))

const standardisation = (data: Dataset) => {
  const mean = new Float64Array(data.d)
  const scale = new Float64Array(data.d)
  for (let i = 0; i < data.n; i++) for (let j = 0; j < data.d; j++) mean[j]! += data.x[i * data.d + j]! / data.n
  for (let i = 0; i < data.n; i++) {
    for (let j = 0; j < data.d; j++) scale[j]! += (data.x[i * data.d + j]! - mean[j]!) ** 2 / data.n
  }
  for (let j = 0; j < data.d; j++) scale[j] = 1 / Math.max(1e-12, Math.sqrt(scale[j]!))
  return { mean, scale }
}

/** The probability of class 1 for row `i` of `data`; `hiddenOut` receives the hidden activations. */
const forward = (model: Model, data: Dataset, i: number, input: Float64Array, hiddenOut: Float64Array): number => {
  for (let j = 0; j < model.d; j++) input[j] = (data.x[i * data.d + j]! - model.mean[j]!) * model.scale[j]!
  let z2 = model.b2[0]!
  for (let h = 0; h < model.hidden; h++) {
    let z = model.b1[h]!
    const row = h * model.d
    for (let j = 0; j < model.d; j++) z += model.w1[row + j]! * input[j]!
    const a = activate(model.activation, z)
    hiddenOut[h] = a
    z2 += model.w2[h]! * a
  }
  return sigmoid(z2)
}

const initialise = (data: Dataset, hp: Hyperparameters, random: Random.Random): Model => {
  const { mean, scale } = standardisation(data)
  const hidden = Math.max(1, Math.floor(hp.hidden))
  const uniform = (limit: number) => (2 * random.nextDoubleUnsafe() - 1) * limit
  const limit1 = Math.sqrt(6 / (data.d + hidden))
  const limit2 = Math.sqrt(6 / (hidden + 1))
  return {
    d: data.d,
    hidden,
    activation: hp.activation,
    mean,
    scale,
    w1: Float64Array.from({ length: hidden * data.d }, () => uniform(limit1)),
    b1: new Float64Array(hidden),
    w2: Float64Array.from({ length: hidden }, () => uniform(limit2)),
    b2: new Float64Array(1)
  }
}

/** One epoch of mini-batch SGD with momentum; returns the mean training loss. */
const epoch = (
  model: Model,
  data: Dataset,
  hp: Hyperparameters,
  random: Random.Random,
  order: Uint32Array,
  velocity: ReadonlyArray<Float64Array>,
  grads: ReadonlyArray<Float64Array>
): number => {
  for (let i = order.length - 1; i > 0; i--) {
    const k = Math.floor(random.nextDoubleUnsafe() * (i + 1))
    const t = order[i]!
    order[i] = order[k]!
    order[k] = t
  }
  const [gw1, gb1, gw2, gb2] = grads as [Float64Array, Float64Array, Float64Array, Float64Array]
  const params = [model.w1, model.b1, model.w2, model.b2]
  const input = new Float64Array(model.d)
  const hiddenOut = new Float64Array(model.hidden)
  const batch = Math.max(1, Math.floor(hp.batchSize))
  let loss = 0
  for (let start = 0; start < data.n; start += batch) {
    const end = Math.min(data.n, start + batch)
    for (const g of grads) g.fill(0)
    for (let b = start; b < end; b++) {
      const i = order[b]!
      const p = forward(model, data, i, input, hiddenOut)
      const y = data.y[i]!
      loss -= Math.log(Math.min(1 - 1e-12, Math.max(1e-12, y === 1 ? p : 1 - p)))
      const delta = p - y
      gb2[0]! += delta
      for (let h = 0; h < model.hidden; h++) {
        gw2[h]! += delta * hiddenOut[h]!
        const dz = delta * model.w2[h]! * slope(model.activation, hiddenOut[h]!)
        gb1[h]! += dz
        const row = h * model.d
        for (let j = 0; j < model.d; j++) gw1[row + j]! += dz * input[j]!
      }
    }
    const size = end - start
    params.forEach((param, k) => {
      const g = grads[k]!
      const v = velocity[k]!
      // Weight decay on weights only (k even), not on biases.
      const decay = k % 2 === 0 ? hp.l2 : 0
      for (let q = 0; q < param.length; q++) {
        v[q] = MOMENTUM * v[q]! - hp.learningRate * (g[q]! / size + decay * param[q]!)
        param[q]! += v[q]!
      }
    })
  }
  return loss / data.n
}

/**
 * Trains a network on `data` for `hp.epochs` epochs. Reproducible under `Random.withSeed`.
 * A learning rate too high for the data makes the weights diverge; the run still completes and
 * the model then predicts poorly, which is exactly what a tuner should learn to avoid.
 *
 * @example
 * ```ts
 * const model = yield* train(spirals().train, { learningRate: 0.1, l2: 1e-4, hidden: 16, epochs: 30, batchSize: 16, activation: "tanh" })
 * ```
 */
export const train = <E = never, R = never>(
  data: Dataset,
  hp: Hyperparameters,
  options: TrainOptions<E, R> = {}
): Effect.Effect<Model, E, R> =>
  Effect.gen(function* () {
    const random = yield* Effect.service(Random.Random)
    const model = initialise(data, hp, random)
    const order = Uint32Array.from({ length: data.n }, (_, i) => i)
    const shapes = [model.w1, model.b1, model.w2, model.b2]
    const velocity = shapes.map((p) => new Float64Array(p.length))
    const grads = shapes.map((p) => new Float64Array(p.length))
    const epochs = Math.max(1, Math.floor(hp.epochs))
    for (let e = 1; e <= epochs; e++) {
      const loss = epoch(model, data, hp, random, order, velocity, grads)
      if (options.onEpoch !== undefined) yield* options.onEpoch(e, loss)
      else yield* Effect.yieldNow
    }
    return model
  })

/** Accuracy (share of rows classified right) and mean log-loss of `model` on `data`. */
export interface Evaluation {
  readonly accuracy: number
  readonly logLoss: number
}

/**
 * The probability of class 1 for every row of `data` (a diverged model's NaN outputs read 0.5):
 * what an ensemble averages.
 */
export const probabilities = (model: Model, data: Dataset): Float64Array => {
  const input = new Float64Array(model.d)
  const hiddenOut = new Float64Array(model.hidden)
  return Float64Array.from({ length: data.n }, (_, i) => {
    const raw = forward(model, data, i, input, hiddenOut)
    return Number.isFinite(raw) ? raw : 0.5
  })
}

/** Evaluates `model` on `data`. A diverged model (NaN outputs) counts every row as wrong-ish: class 0. */
export const evaluate = (model: Model, data: Dataset): Evaluation => {
  const input = new Float64Array(model.d)
  const hiddenOut = new Float64Array(model.hidden)
  let correct = 0
  let loss = 0
  for (let i = 0; i < data.n; i++) {
    const raw = forward(model, data, i, input, hiddenOut)
    const p = Number.isFinite(raw) ? raw : 0.5
    const y = data.y[i]!
    if ((p > 0.5 ? 1 : 0) === y) correct++
    loss -= Math.log(Math.min(1 - 1e-12, Math.max(1e-12, y === 1 ? p : 1 - p)))
  }
  return { accuracy: correct / data.n, logLoss: loss / data.n }
}
