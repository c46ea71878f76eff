import { screen, waitFor } from "@testing-library/react";
import { Route, Routes } from "react-router";
import { afterEach, describe, expect, it } from "vitest";
import { LoginPage } from "../features/auth";
import { json, me, renderWithApp, TOKENS } from "../test/render";
import { clearTokens, getAccessToken, storeTokens } from "../test/session";
import { RequireAuth } from "./RequireAuth";

const REVOKED = { type: "/problems/token-revoked", code: "token-revoked", title: "Token revoked", status: 401 };
const DEACTIVATED = { type: "/problems/account-deactivated", code: "account-deactivated", title: "Account deactivated", status: 403 };

function Page() {
  return <p>the members page</p>;
}

const app = (
  <Routes>
    <Route path="/login" element={<LoginPage />} />
    <Route
      path="/members"
      element={
        <RequireAuth area="members">
          <Page />
        </RequireAuth>
      }
    />
  </Routes>
);

const path = (request: Request) => new URL(request.url).pathname;

describe("a revoked access token", { timeout: 20_000 }, () => {
  afterEach(clearTokens);

  it("of a deactivated member: the refresh is refused, and the login page says why", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(app, {
      route: "/members",
      refreshCookie: "handler",
      handler: (request) => {
        if (path(request) === "/api/identity/me") return json(REVOKED, 401);
        if (path(request) === "/api/identity/auth/refresh") return json(DEACTIVATED, 403);
        return json({ title: "Not found", status: 404 }, 404);
      },
    });
    expect(await screen.findByRole("heading", { name: "Log in" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("Your account is deactivated");
    expect(requests.filter((request) => path(request) === "/api/identity/auth/refresh")).toHaveLength(1);
    expect(getAccessToken()).toBeNull();
  });

  it("whose refresh token is gone too: the login page says the access has changed", async () => {
    storeTokens(TOKENS);
    renderWithApp(app, {
      route: "/members",
      refreshCookie: "handler",
      handler: (request) => {
        if (path(request) === "/api/identity/me") return json(REVOKED, 401);
        if (path(request) === "/api/identity/auth/refresh")
          return json({ type: "/problems/refresh-token-invalid", code: "refresh-token-invalid", title: "Invalid refresh token", status: 401 }, 401);
        return json({ title: "Not found", status: 404 }, 404);
      },
    });
    expect(await screen.findByRole("heading", { name: "Log in" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("Your access has changed");
  });

  it("after a role change: the refresh gives a token for the new role and the page is shown", async () => {
    storeTokens({ ...TOKENS, access_token: "old" });
    renderWithApp(app, {
      route: "/members",
      refreshCookie: "handler",
      handler: (request) => {
        if (path(request) === "/api/identity/auth/refresh") return json({ ...TOKENS, access_token: "new" });
        const old = request.headers.get("Authorization") === "Bearer old";
        if (path(request) === "/api/identity/me") return old ? json(REVOKED, 401) : json(me("admin"));
        return json({ title: "Not found", status: 404 }, 404);
      },
    });
    expect(await screen.findByText("the members page")).toBeInTheDocument();
    await waitFor(() => expect(getAccessToken()).toBe("new"));
  });
});
