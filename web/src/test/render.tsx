import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter } from "react-router";
import { createApiClient } from "../lib/api/client";
import i18n from "../lib/i18n";
import { getAccessToken } from "./session";
import { newQueryClient, Providers } from "../app/Providers";

type Handler = (request: Request) => Response | Promise<Response>;

/** Tokens of a signed-in user, as login and refresh answer them. */
export const TOKENS = { access_token: "a", expires_in: 900, refresh_expires_in: 86400, token_type: "Bearer" as const };

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

const NO_REFRESH_COOKIE = {
  type: "/problems/refresh-token-invalid",
  code: "refresh-token-invalid",
  title: "Invalid refresh token",
  status: 401,
  detail: "No refresh cookie came with this request: log in (the login sets it).",
};

interface RenderOptions {
  handler?: Handler;
  route?: string | { pathname: string; state?: unknown };
  /**
   * Whether the browser holds a refresh cookie. "none" (the default): the refresh AuthProvider
   * tries at start-up is answered as identity answers it without a cookie (401), and is neither
   * passed to `handler` nor recorded. "handler": refreshes go to `handler` like any call.
   */
  refreshCookie?: "none" | "handler";
}

/** A component with every provider; API calls go to `handler` (the fake gateway). */
export function renderWithApp(ui: ReactElement, { handler, route = "/", refreshCookie = "none" }: RenderOptions = {}) {
  const requests: Request[] = [];
  const client = createApiClient({
    baseUrl: "http://portal.test",
    accessToken: getAccessToken,
    language: () => i18n.language,
    fetch: async (request) => {
      if (refreshCookie === "none" && new URL(request.url).pathname === "/api/identity/auth/refresh") {
        return json(NO_REFRESH_COOKIE, 401);
      }
      requests.push(request.clone());
      if (!handler) throw new TypeError("no fake gateway in this test");
      return handler(request);
    },
  });
  const queryClient = newQueryClient();
  // As in the app (staleTime and all), but a failed request is not tried again.
  queryClient.setDefaultOptions({ queries: { ...queryClient.getDefaultOptions().queries, retry: false } });
  const result = render(
    <Providers client={client} queryClient={queryClient}>
      <MemoryRouter initialEntries={[route]}>{ui}</MemoryRouter>
    </Providers>,
  );
  return { ...result, requests };
}

/** What GET /api/identity/me answers for a member with `role`. */
export function me(role: string) {
  return {
    user: { id: "00000000-0000-4000-8000-00000000000u", email: `${role}@example.com`, name: `A ${role}`, role, email_verified: true, totp_enabled: true },
    organization: { id: "00000000-0000-4000-8000-00000000000o", name: "Werkstatt Muster GmbH", country: "DE", vat_id: "DE123456789" },
  };
}

/**
 * A fake gateway for a signed-in member with `role`: the session is restored (refresh), GET
 * /api/identity/me answers the role, and `rest` (404 by default) answers everything else.
 */
export function memberGateway(role: string, rest?: Handler): Handler {
  return (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/api/identity/auth/refresh") return json(TOKENS);
    if (path === "/api/identity/me") return json(me(role));
    return rest ? rest(request) : json({ title: "Not found", status: 404, detail: `no fake for ${path}` }, 404);
  };
}
