// The auth feature's public surface: the session (who is signed in, their tokens) and the
// screens to get there. Other features and the app import from here, never from inside.
export { AuthProvider, type AuthStatus, useAuth } from "./session/AuthProvider";
export { getAccessToken } from "./session/tokens";
export { LoginPage } from "./routes/LoginPage";
export { RegisterPage } from "./routes/RegisterPage";
export { TotpEnrolmentPage } from "./routes/TotpEnrolmentPage";
export { VerifyEmailPage } from "./routes/VerifyEmailPage";
