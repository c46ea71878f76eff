import { act, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, renderWithApp } from "../../../test/render";
import { useAuth } from "./AuthProvider";
import { clearTokens, getAccessToken, storeTokens } from "./tokens";

function Status() {
  const auth = useAuth();
  return (
    <>
      <p>status: {auth.status}</p>
      <button type="button" onClick={() => void auth.signOut()}>
        out
      </button>
    </>
  );
}

const tokens = (n: number, expiresIn = 900) => ({
  access_token: `access-${n}`,
  expires_in: expiresIn,
  refresh_expires_in: 86_400,
  token_type: "Bearer" as const,
});

const refused = () => json({ type: "/problems/refresh-token-invalid", code: "refresh-token-invalid", title: "Invalid refresh token", status: 401 }, 401);

function path(request: Request): string {
  return new URL(request.url).pathname;
}

describe("AuthProvider", () => {
  afterEach(() => {
    clearTokens();
    vi.useRealTimers();
  });

  it("on start-up signs in from the refresh cookie, so a reload or a second tab is signed in", async () => {
    const { requests } = renderWithApp(<Status />, { refreshCookie: "handler", handler: () => json(tokens(1)) });
    expect(screen.getByText("status: restoring")).toBeInTheDocument();
    await screen.findByText("status: signed-in");
    expect(requests).toHaveLength(1);
    const [refresh] = requests;
    expect(path(refresh!)).toBe("/api/identity/auth/refresh");
    expect(refresh!.method).toBe("POST");
    // The cookie goes with it (same origin), the CSRF header proves the call is the portal's,
    // and no token is in the body.
    expect(refresh!.credentials).toBe("same-origin");
    expect(refresh!.headers.get("X-AOS-CSRF")).toBe("1");
    expect(await refresh!.text()).toBe("");
    expect(getAccessToken()).toBe("access-1");
  });

  it("is anonymous when there is no login to restore", async () => {
    renderWithApp(<Status />, { refreshCookie: "handler", handler: refused });
    await screen.findByText("status: anonymous");
    expect(getAccessToken()).toBeNull();
  });

  it("refreshes the access token before it expires", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let issued = 0;
    const { requests } = renderWithApp(<Status />, {
      refreshCookie: "handler",
      handler: () => {
        issued += 1;
        return json(tokens(issued, 120));
      },
    });
    await screen.findByText("status: signed-in");
    expect(getAccessToken()).toBe("access-1");
    await act(() => vi.advanceTimersByTimeAsync(96_000)); // 80 % of 120 s
    await waitFor(() => expect(getAccessToken()).toBe("access-2"));
    expect(requests.map(path)).toEqual(["/api/identity/auth/refresh", "/api/identity/auth/refresh"]);
    expect(requests[1]!.headers.get("X-AOS-CSRF")).toBe("1");
  });

  it("logs out at the server and forgets the access token", async () => {
    storeTokens(tokens(5));
    const { requests } = renderWithApp(<Status />, {
      refreshCookie: "handler",
      handler: (request) => (request.url.endsWith("/logout") ? new Response(null, { status: 204 }) : json(tokens(6))),
    });
    await screen.findByText("status: signed-in");
    await userEvent.click(screen.getByRole("button", { name: "out" }));
    await screen.findByText("status: anonymous");
    await waitFor(() => expect(requests.some((r) => path(r) === "/api/identity/auth/logout")).toBe(true));
    const logout = requests.find((r) => path(r) === "/api/identity/auth/logout")!;
    expect(logout.headers.get("X-AOS-CSRF")).toBe("1");
    expect(logout.credentials).toBe("same-origin");
    expect(getAccessToken()).toBeNull();
  });
});
