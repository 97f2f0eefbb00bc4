/**
 * Parzen-window densities on the unit cube, the model inside TPE. A density is a weighted mixture
 * of product kernels, one per observed point plus a uniform prior: truncated Gaussians on `[0, 1]`
 * for numeric dimensions, an Aitchison–Aitken kernel (mass `1 - α + α/k` on the point's own
 * category, `α/k` on each other) for categorical ones. Internal to `variables/`.
 *
 * `fit` precomputes each component's normalising constant, so evaluating a density costs one
 * multiply-add per dimension and component, and one `exp` per component.
 *
 * @since 0.1.0
 */
import type { Random } from "effect"

/**
 * One dimension of the cube: numeric, or categorical with `k` cells of width `1/k`.
 *
 * @since 0.1.0
 * @category models
 */
export type Dimension = { readonly kind: "numeric" } | { readonly kind: "categorical"; readonly k: number }

/**
 * A mixture fitted by `fit`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Mixture {
  readonly dims: ReadonlyArray<Dimension>
  readonly points: ReadonlyArray<ReadonlyArray<number>>
  /** Kernel width (numeric dimensions). */
  readonly sigma: number
  /** Weight of the uniform prior component; every point weighs 1. */
  readonly priorWeight: number
  /** Categorical smoothing `α` in `[0, 1]`. */
  readonly alpha: number
  /** Per point: the log normaliser of its kernel (truncation masses, Gaussian constants). */
  readonly offsets: Float64Array
  /** The log of the prior component's weighted density, minus the log of the total weight. */
  readonly logPrior: number
  readonly logTotal: number
  /** Per dimension: the log mass on the centre's own category, and on any other one. */
  readonly logSame: Float64Array
  readonly logOther: Float64Array
  /** Per point and dimension (row-major): the category cell of the point. */
  readonly cells: Int32Array
}

const SQRT2 = Math.SQRT2
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI)

/** erf, Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7), plenty for density ratios. */
const erf = (x: number): number => {
  const sign = x < 0 ? -1 : 1
  const a = Math.abs(x)
  const t = 1 / (1 + 0.3275911 * a)
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a)
  return sign * y
}
const cdf = (z: number): number => 0.5 * (1 + erf(z / SQRT2))

const cell = (u: number, k: number): number => Math.min(k - 1, Math.max(0, Math.floor(u * k)))

/**
 * Fits a mixture to `points` (unit-cube coordinates, one per dimension).
 *
 * @since 0.1.0
 * @category utils
 */
export const fit = (
  dims: ReadonlyArray<Dimension>,
  points: ReadonlyArray<ReadonlyArray<number>>,
  sigma: number,
  priorWeight: number,
  alpha: number
): Mixture => {
  const offsets = new Float64Array(points.length)
  points.forEach((p, n) => {
    let offset = 0
    dims.forEach((dim, i) => {
      if (dim.kind === "numeric") {
        const c = p[i]!
        const mass = Math.max(1e-12, cdf((1 - c) / sigma) - cdf(-c / sigma))
        offset -= LOG_SQRT_2PI + Math.log(sigma) + Math.log(mass)
      }
    })
    offsets[n] = offset
  })
  const logSame = Float64Array.from(dims, (dim) => (dim.kind === "numeric" ? 0 : Math.log(1 - alpha + alpha / dim.k)))
  const logOther = Float64Array.from(dims, (dim) => (dim.kind === "numeric" ? 0 : Math.log(alpha / dim.k)))
  const cells = new Int32Array(points.length * dims.length)
  points.forEach((p, n) =>
    dims.forEach((dim, i) => {
      cells[n * dims.length + i] = dim.kind === "numeric" ? 0 : cell(p[i]!, dim.k)
    })
  )
  const uniform = dims.reduce((sum, dim) => (dim.kind === "numeric" ? sum : sum - Math.log(dim.k)), 0)
  return {
    dims,
    points,
    sigma,
    priorWeight,
    alpha,
    offsets,
    logPrior: Math.log(priorWeight) + uniform,
    logTotal: Math.log(points.length + priorWeight),
    logSame,
    logOther,
    cells
  }
}

/**
 * The log density of the mixture at `x` (log-sum-exp over its components).
 *
 * @since 0.1.0
 * @category utils
 */
export const logDensity = (mixture: Mixture, x: ReadonlyArray<number>): number => {
  const { cells, dims, logOther, logSame, points, sigma } = mixture
  const d = dims.length
  const inv = 1 / (2 * sigma * sigma)
  const xCells = dims.map((dim, i) => (dim.kind === "numeric" ? 0 : cell(x[i]!, dim.k)))
  const terms = new Float64Array(points.length + 1)
  let max = mixture.logPrior
  for (let n = 0; n < points.length; n++) {
    const p = points[n]!
    let t = mixture.offsets[n]!
    for (let i = 0; i < d; i++) {
      if (dims[i]!.kind === "numeric") {
        const z = x[i]! - p[i]!
        t -= z * z * inv
      } else {
        t += xCells[i] === cells[n * d + i] ? logSame[i]! : logOther[i]!
      }
    }
    terms[n] = t
    if (t > max) max = t
  }
  terms[points.length] = mixture.logPrior
  let sum = 0
  for (let n = 0; n < terms.length; n++) sum += Math.exp(terms[n]! - max)
  return max + Math.log(sum) - mixture.logTotal
}

const gaussian = (random: Random.Random): number => {
  const u = 1 - random.nextDoubleUnsafe()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDoubleUnsafe())
}

/**
 * Draws one point from the mixture: picks a component by weight, then samples its kernel.
 *
 * @since 0.1.0
 * @category utils
 */
export const draw = (mixture: Mixture, random: Random.Random): Array<number> => {
  const pick = random.nextDoubleUnsafe() * (mixture.points.length + mixture.priorWeight)
  const center = pick < mixture.points.length ? mixture.points[Math.floor(pick)] : undefined
  return mixture.dims.map((dim, i) => {
    if (center === undefined) return random.nextDoubleUnsafe()
    const c = center[i]!
    if (dim.kind === "categorical") {
      const k = random.nextDoubleUnsafe() < mixture.alpha ? cell(random.nextDoubleUnsafe(), dim.k) : cell(c, dim.k)
      return (k + 0.5) / dim.k
    }
    // Rejection sampling of the truncated Gaussian; after 32 misses the kernel is mostly outside
    // the cube, and clamping is as good an answer as any.
    for (let attempt = 0; attempt < 32; attempt++) {
      const v = c + mixture.sigma * gaussian(random)
      if (v >= 0 && v <= 1) return v
    }
    return Math.min(1, Math.max(0, c))
  })
}
