// The passes feature's public surface. The paid-time summary is shared: programming shows the
// PROGRAMMING time from the same query.
export { entitlementSummaryQueryOptions } from "./api/get-entitlement-summary";
export { PassesPage } from "./routes/PassesPage";
