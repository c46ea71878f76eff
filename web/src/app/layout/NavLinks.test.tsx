import { act, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { CART_KEY } from "../../test/commerce";
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
    ["owner", ["Passes", "Shop", "Orders", "Usage", "Repair information", "Programming", "Downloads", "Members", "Company", "My account"]],
    ["admin", ["Passes", "Shop", "Orders", "Usage", "Repair information", "Programming", "Downloads", "Members", "Company", "My account"]],
    ["technician", ["Passes", "Repair information", "Programming", "Downloads", "Company", "My account"]],
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

  it("says how much is in the organisation's cart, and follows a change made in another tab", async () => {
    window.localStorage.setItem(CART_KEY, JSON.stringify({ version: 1, lines: [{ product_code: "TOOL_ICOM_VCI", quantity: 2, vin: null }] }));
    navAs("accountant");
    await waitFor(() => expect(linkNames()).toContain("Shop (2 in the cart)"));
    // Another tab adds a pass: the browser tells this tab with a storage event.
    window.localStorage.setItem(CART_KEY, JSON.stringify({ version: 1, lines: [{ product_code: "TOOL_ICOM_VCI", quantity: 2, vin: null }, { product_code: "AIR_1W", quantity: 1, vin: null }] }));
    act(() => void window.dispatchEvent(new StorageEvent("storage", { key: CART_KEY })));
    await waitFor(() => expect(linkNames()).toContain("Shop (3 in the cart)"));
    window.localStorage.clear();
  });

  it("offers a visitor login and registration", () => {
    renderWithApp(<NavLinks />);
    expect(linkNames()).toEqual(["Log in", "Register"]);
  });
});
