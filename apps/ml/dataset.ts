/**
 * Tabular binary-classification datasets for the model in `mlp.ts`: the in-memory layout, a CSV
 * reader and writer, and the generator of the `spirals` dataset shipped in `data/spirals.csv`.
 *
 * About the data, honestly: no public dataset could be downloaded when this was written, so the
 * shipped dataset is synthetic. It is generated once from a fixed seed by `generateSpirals` and
 * committed as CSV text; a test regenerates it and checks it is byte-for-byte the same. The task
 * is not trivial: two interleaved spirals (1.25 turns, Gaussian jitter) are only separable by a
 * non-linear model, three of the five features are irrelevant (one on a scale 100× the others),
 * and 3% of the labels are flipped, so no model can reach 100% and overfitting is punished.
 *
 * @since 0.1.0
 */
import { Effect, Random } from "effect"

/** A dataset in row-major layout: `x[i * d + j]` is feature `j` of row `i`, `y[i]` is 0 or 1. */
export interface Dataset {
  readonly features: ReadonlyArray<string>
  readonly n: number
  readonly d: number
  readonly x: Float64Array
  readonly y: Uint8Array
}

/** Options of `generateSpirals`; the shipped dataset uses the defaults. */
export interface SpiralsOptions {
  readonly rows?: number
  readonly turns?: number
  readonly jitter?: number
  readonly labelNoise?: number
}

const gaussian = (random: Random.Random): number => {
  const u = 1 - random.nextDoubleUnsafe()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDoubleUnsafe())
}

/** The feature names of the spirals dataset. */
export const spiralFeatures: ReadonlyArray<string> = ["x", "y", "noise_a", "noise_b", "noise_wide"]

/**
 * Generates the two-spirals dataset from the `Random` service (seed it with `Random.withSeed`):
 * rows alternate classes, then are shuffled. The shipped data is `generateSpirals()` under
 * `Random.withSeed("mabeam-spirals-v1")`, written with `toCsv`.
 */
export const generateSpirals = (options: SpiralsOptions = {}): Effect.Effect<Dataset> =>
  Effect.map(Effect.service(Random.Random), (random) => {
    const rows = options.rows ?? 900
    const turns = options.turns ?? 1.25
    const jitter = options.jitter ?? 0.06
    const labelNoise = options.labelNoise ?? 0.03
    const d = spiralFeatures.length
    const x = new Float64Array(rows * d)
    const y = new Uint8Array(rows)
    for (let i = 0; i < rows; i++) {
      const label = i % 2
      // sqrt makes points uniform along the spiral's length rather than bunched at the centre.
      const t = Math.sqrt(random.nextDoubleUnsafe()) * turns * 2 * Math.PI
      const r = t / (turns * 2 * Math.PI)
      const angle = t + label * Math.PI
      const row = [
        r * Math.cos(angle) + jitter * gaussian(random),
        r * Math.sin(angle) + jitter * gaussian(random),
        gaussian(random),
        2 * random.nextDoubleUnsafe() - 1,
        100 * gaussian(random)
      ]
      row.forEach((v, j) => {
        x[i * d + j] = v
      })
      y[i] = random.nextDoubleUnsafe() < labelNoise ? 1 - label : label
    }
    for (let i = rows - 1; i > 0; i--) {
      const k = Math.floor(random.nextDoubleUnsafe() * (i + 1))
      for (let j = 0; j < d; j++) {
        const tmp = x[i * d + j]!
        x[i * d + j] = x[k * d + j]!
        x[k * d + j] = tmp
      }
      const label = y[i]!
      y[i] = y[k]!
      y[k] = label
    }
    return { features: spiralFeatures, n: rows, d, x, y }
  })

/** Writes a dataset as CSV: a header of the feature names and `label`, values with 4 decimals. */
export const toCsv = (data: Dataset): string => {
  const lines = [[...data.features, "label"].join(",")]
  for (let i = 0; i < data.n; i++) {
    const row: Array<string> = []
    for (let j = 0; j < data.d; j++) row.push(data.x[i * data.d + j]!.toFixed(4))
    row.push(String(data.y[i]))
    lines.push(row.join(","))
  }
  return lines.join("\n") + "\n"
}

/**
 * Reads CSV written by `toCsv` (last column the 0/1 label). The CSV is trusted repository data:
 * a malformed file is a defect, reported by throwing with the line number.
 */
export const fromCsv = (csv: string): Dataset => {
  const lines = csv.trim().split("\n")
  const header = lines[0]!.split(",")
  const d = header.length - 1
  const n = lines.length - 1
  const x = new Float64Array(n * d)
  const y = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    const cells = lines[i + 1]!.split(",")
    if (cells.length !== d + 1) throw new Error(`CSV line ${i + 2}: expected ${d + 1} cells, got ${cells.length}`)
    for (let j = 0; j < d; j++) x[i * d + j] = Number(cells[j])
    const label = Number(cells[d])
    if (label !== 0 && label !== 1) throw new Error(`CSV line ${i + 2}: label must be 0 or 1, got ${cells[d]}`)
    y[i] = label
  }
  return { features: header.slice(0, d), n, d, x, y }
}

/** Rows `[from, to)` of a dataset, as a new dataset. */
export const slice = (data: Dataset, from: number, to: number): Dataset => ({
  features: data.features,
  n: to - from,
  d: data.d,
  x: data.x.slice(from * data.d, to * data.d),
  y: data.y.slice(from, to)
})
