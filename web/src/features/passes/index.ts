// The passes feature's public surface. The paid-time summary is shared: programming shows the
// PROGRAMMING time from the same query; the buy link goes wherever time runs short; the expiry
// banner sits in the app shell and the expiry e-mail setting on the company page.
export { entitlementSummaryQueryOptions, type EntitlementSummary } from "./api/get-entitlement-summary";
export { BuyPassLink } from "./components/BuyPassLink";
export { ExpiryBanner } from "./components/ExpiryBanner";
export { ExpiryEmailSettings } from "./components/ExpiryEmailSettings";
export { PassesPage } from "./routes/PassesPage";
