/** Type declarations for the two mljs packages that ship none (only what mabeam uses). */
declare module "ml-knn" {
  /** k-nearest-neighbours classifier. */
  export default class KNN {
    constructor(dataset: Array<Array<number>>, labels: Array<number>, options?: { readonly k?: number })
    predict(dataset: Array<Array<number>>): Array<number>
  }
}

declare module "ml-logistic-regression" {
  import type { Matrix } from "ml-matrix"
  /** Multinomial logistic regression trained by gradient descent (one-vs-rest). */
  export default class LogisticRegression {
    constructor(options?: { readonly numSteps?: number; readonly learningRate?: number })
    train(features: Matrix, target: Matrix): void
    predict(features: Matrix): Array<number>
  }
}
