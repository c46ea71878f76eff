// Tests of any feature put a session in place (or take it away) through here, so that they need
// no import from inside the auth feature.
export { clearTokens, getAccessToken, storeTokens } from "../features/auth/session/tokens";
