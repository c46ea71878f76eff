// The account feature: my account (every member) and the public pages that recover one.
export { AccountPage } from "./routes/AccountPage";
export { ConfirmEmailChangePage } from "./routes/ConfirmEmailChangePage";
export { ForgotPasswordPage } from "./routes/ForgotPasswordPage";
export { ResetPasswordPage } from "./routes/ResetPasswordPage";
export { TotpResetPage } from "./routes/TotpResetPage";
