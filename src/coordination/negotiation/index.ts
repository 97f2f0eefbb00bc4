/** Negotiation: contract-net (announce, bid, award with deadlines) and alternating-offers bargaining. */
export {
  type Bid,
  bestBid,
  type ContractMessage,
  type ContractorState,
  contractorStep,
  isContractMessage,
  makeManager,
  type ManagerConfig,
  type ManagerEmit,
  type ManagerState,
  managerStep
} from "./ContractNet.ts"
export {
  acceptable,
  type BargainEmit,
  type Bargainer,
  type BargainMessage,
  type BargainState,
  bargainStep,
  isBargainMessage,
  makeBargainer,
  offerAt
} from "./AlternatingOffers.ts"
