import type { Schemas } from "../../../lib/api/client";

/**
 * Where the tokens live.
 *
 * The access token is kept only in memory (this module), so no script can read it from storage.
 * The refresh token is not in reach of any script at all: the server sets it as an HttpOnly
 * cookie (SameSite=Strict, scoped to /api/identity/auth), the browser sends it with the refresh
 * and logout calls, and every tab of the portal shares it. A reload or a second tab therefore
 * starts without an access token and gets one by a refresh (see AuthProvider).
 */
let accessToken: string | null = null;

export function getAccessToken(): string | null {
  return accessToken;
}

export function storeTokens(tokens: Schemas["TokenRead"]): void {
  accessToken = tokens.access_token;
}

export function clearTokens(): void {
  accessToken = null;
}

/**
 * Milliseconds after receiving an access token valid for `expiresInSeconds` to refresh it:
 * a minute before it expires, or at 80 % of its life when that is later (short tokens), but
 * not sooner than 5 s.
 */
export function refreshDelayMs(expiresInSeconds: number): number {
  const early = Math.max(expiresInSeconds - 60, expiresInSeconds * 0.8);
  return Math.max(5, early) * 1000;
}
