/**
 * Reputation: scores from rated outcomes, decaying on Clock, with bounded influence per rater.
 *
 * @since 0.1.0
 */
export { Rating, Reputation, type ReputationOptions, SelfRating, type Standing } from "./Reputation.ts"
