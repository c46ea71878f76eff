// The auth feature's public surface: the session (who is signed in, their tokens, their role)
// and the screens to get there. Other features and the app import from here, never from inside.
export { useMe } from "./api/get-me";
export { RoleForbidden } from "./components/RoleForbidden";
export { useCountryOptions } from "./hooks/useCountryOptions";
export { useRole } from "./hooks/useRole";
export { useRoleNames } from "./hooks/useRoleNames";
export { type Area, mayUse, type Role, ROLES, rolesFor } from "./roles";
export { AcceptInvitationPage } from "./routes/AcceptInvitationPage";
export { LoginPage } from "./routes/LoginPage";
export { RegisterPage } from "./routes/RegisterPage";
export { TotpEnrolmentPage } from "./routes/TotpEnrolmentPage";
export { VerifyEmailPage } from "./routes/VerifyEmailPage";
export { AuthProvider, type AuthStatus, useAuth } from "./session/AuthProvider";
export { getAccessToken } from "./session/tokens";
