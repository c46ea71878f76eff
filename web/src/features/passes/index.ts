// The passes feature's public surface. The paid-time summary is shared: programming shows the
// PROGRAMMING time from the same query; the buy link goes wherever time runs short.
export { entitlementSummaryQueryOptions } from "./api/get-entitlement-summary";
export { BuyPassLink } from "./components/BuyPassLink";
export { PassesPage } from "./routes/PassesPage";
