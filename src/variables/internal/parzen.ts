/**
 * Parzen-window densities on the unit cube, the model inside TPE. A density is a weighted mixture
 * of product kernels, one per observed point plus a uniform prior: truncated Gaussians on `[0, 1]`
 * for numeric dimensions, an Aitchison–Aitken kernel (mass `1 - α + α/k` on the point's own
 * category, `α/k` on each other) for categorical ones. Internal to `variables/`.
 *
 * @since 0.1.0
 */
import type { Random } from "effect"

/** One dimension of the cube: numeric, or categorical with `k` cells of width `1/k`. */
export type Dimension = { readonly kind: "numeric" } | { readonly kind: "categorical"; readonly k: number }

/** A mixture fitted to some points. */
export interface Mixture {
  readonly dims: ReadonlyArray<Dimension>
  readonly points: ReadonlyArray<ReadonlyArray<number>>
  /** Kernel width per dimension (numeric dimensions only). */
  readonly sigma: number
  /** Weight of the uniform prior component; every point weighs 1. */
  readonly priorWeight: number
  /** Categorical smoothing `α` in `[0, 1]`. */
  readonly alpha: number
}

const SQRT2 = Math.SQRT2
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI)

/** erf, Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7), plenty for density ratios. */
const erf = (x: number): number => {
  const sign = x < 0 ? -1 : 1
  const a = Math.abs(x)
  const t = 1 / (1 + 0.3275911 * a)
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t *
      Math.exp(-a * a)
  return sign * y
}
const cdf = (z: number): number => 0.5 * (1 + erf(z / SQRT2))

const cell = (u: number, k: number): number => Math.min(k - 1, Math.max(0, Math.floor(u * k)))

const logKernel = (mixture: Mixture, center: ReadonlyArray<number>, x: ReadonlyArray<number>): number => {
  let total = 0
  mixture.dims.forEach((dim, i) => {
    const c = center[i]!
    const v = x[i]!
    if (dim.kind === "numeric") {
      const s = mixture.sigma
      const z = (v - c) / s
      const mass = Math.max(1e-12, cdf((1 - c) / s) - cdf(-c / s))
      total += -0.5 * z * z - LOG_SQRT_2PI - Math.log(s) - Math.log(mass)
    } else {
      const same = cell(v, dim.k) === cell(c, dim.k)
      total += Math.log(same ? 1 - mixture.alpha + mixture.alpha / dim.k : mixture.alpha / dim.k)
    }
  })
  return total
}

const logPrior = (mixture: Mixture): number =>
  mixture.dims.reduce((sum, dim) => dim.kind === "numeric" ? sum : sum - Math.log(dim.k), 0)

/** The log density of the mixture at `x` (log-sum-exp over its components). */
export const logDensity = (mixture: Mixture, x: ReadonlyArray<number>): number => {
  const terms = mixture.points.map((p) => logKernel(mixture, p, x))
  terms.push(Math.log(mixture.priorWeight) + logPrior(mixture))
  const max = Math.max(...terms)
  let sum = 0
  for (const t of terms) sum += Math.exp(t - max)
  return max + Math.log(sum) - Math.log(mixture.points.length + mixture.priorWeight)
}

const gaussian = (random: Random.Random): number => {
  const u = 1 - random.nextDoubleUnsafe()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDoubleUnsafe())
}

/** Draws one point from the mixture: picks a component by weight, then samples its kernel. */
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
