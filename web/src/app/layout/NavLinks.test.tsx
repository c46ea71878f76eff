import { screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { json, memberGateway, renderWithApp, TOKENS } from "../../test/render";
import { clearTokens, storeTokens } from "../../test/session";
import { NavLinks } from "./NavLinks";

function navAs(role: string) {
  storeTokens(TOKENS);
  return renderWithApp(<NavLinks />, { handler: memberGateway(role) });
}

const linkNames = () => screen.queryAllByRole("link").map((link) => link.textContent);

describe("NavLinks per role", () => {
  afterEach(clearTokens);

  it.each([
    ["owner", ["Passes", "Shop", "Orders", "Usage", "Repair information", "Programming", "Members", "Company", "My account"]],
    ["admin", ["Passes", "Shop", "Orders", "Usage", "Repair information", "Programming", "Members", "Company", "My account"]],
    ["technician", ["Passes", "Repair information", "Programming", "Company", "My account"]],
    ["accountant", ["Passes", "Shop", "Orders", "Usage", "Company", "My account"]],
  ])("shows a %s only what the role may use", async (role, expected) => {
    navAs(role);
    await waitFor(() => expect(linkNames()).toEqual(expected));
  });

  it("offers nothing role-bound while the role is not known yet", async () => {
    storeTokens(TOKENS);
    // The session is restored, but identity has not said who this is yet.
    const { requests } = renderWithApp(<NavLinks />, {
      handler: (request) => (new URL(request.url).pathname === "/api/identity/me" ? new Promise<Response>(() => undefined) : json(TOKENS)),
    });
    await waitFor(() => expect(requests.some((r) => new URL(r.url).pathname === "/api/identity/me")).toBe(true));
    expect(linkNames()).toEqual([]);
  });

  it("offers a visitor login and registration", () => {
    renderWithApp(<NavLinks />);
    expect(linkNames()).toEqual(["Log in", "Register"]);
  });
});
