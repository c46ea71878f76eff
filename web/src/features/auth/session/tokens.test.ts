import { afterEach, describe, expect, it } from "vitest";
import { clearTokens, getAccessToken, refreshDelayMs, storeTokens } from "./tokens";

const TOKENS = { access_token: "access-1", expires_in: 900, refresh_expires_in: 86_400, token_type: "Bearer" as const };

describe("token storage", () => {
  afterEach(clearTokens);

  it("keeps the access token in memory only", () => {
    storeTokens(TOKENS);
    expect(getAccessToken()).toBe("access-1");
    const stored = [...Object.values({ ...window.sessionStorage }), ...Object.values({ ...window.localStorage })];
    expect(stored).not.toContain("access-1");
  });

  it("stores nothing in web storage: the refresh token is the server's HttpOnly cookie", () => {
    storeTokens(TOKENS);
    expect(window.sessionStorage).toHaveLength(0);
    expect(window.localStorage).toHaveLength(0);
  });

  it("forgets the access token on clear", () => {
    storeTokens(TOKENS);
    clearTokens();
    expect(getAccessToken()).toBeNull();
  });
});

describe("refreshDelayMs", () => {
  it("refreshes a 15-minute token a minute before it expires", () => {
    expect(refreshDelayMs(900)).toBe(840_000);
  });

  it("refreshes a short token at 80 % of its life", () => {
    expect(refreshDelayMs(60)).toBe(48_000);
  });

  it("never waits less than 5 seconds", () => {
    expect(refreshDelayMs(2)).toBe(5_000);
  });
});
