import type { Schemas } from "../../../lib/api/client";

/**
 * Where the tokens live.
 *
 * The access token is kept only in memory (this module), so no script can read it from storage.
 * The refresh token is kept in sessionStorage so that a reload keeps the user signed in:
 * sessionStorage is readable only by scripts of this same origin (the gateway serves the SPA
 * and the API on one origin, and the SPA loads no third-party scripts), lives only as long as
 * the tab, and is not shared with other tabs. localStorage is never used for tokens: it outlives
 * the session and is shared by every tab of the origin.
 */
export const REFRESH_TOKEN_KEY = "aos.refreshToken";

let accessToken: string | null = null;

export function getAccessToken(): string | null {
  return accessToken;
}

export function getRefreshToken(): string | null {
  try {
    return window.sessionStorage.getItem(REFRESH_TOKEN_KEY);
  } catch {
    return null; // storage disabled: the user signs in again after a reload
  }
}

export function storeTokens(tokens: Schemas["TokenRead"]): void {
  accessToken = tokens.access_token;
  try {
    window.sessionStorage.setItem(REFRESH_TOKEN_KEY, tokens.refresh_token);
  } catch {
    // storage disabled: signed in for this page only
  }
}

export function clearTokens(): void {
  accessToken = null;
  try {
    window.sessionStorage.removeItem(REFRESH_TOKEN_KEY);
  } catch {
    // nothing stored
  }
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
