import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes, useLocation } from "react-router";
import { afterEach, describe, expect, it } from "vitest";
import { formatDateTime } from "../../../lib/datetime";
import { AIR_WEEK, CATALOG, storedCart, VIN } from "../../../test/commerce";
import { json, memberGateway, renderWithApp, TOKENS } from "../../../test/render";
import { clearTokens, storeTokens } from "../../../test/session";
import { PassesPage } from "./PassesPage";

const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

/** The entitlement summary with these AIR windows and per-VIN passes. */
function summary(windows: { valid_from: string; valid_until: string; active: boolean }[] = [], vinPasses: { scope: string; vin: string; valid_until: string }[] = []) {
  const end = windows.at(-1)?.valid_until ?? null;
  return {
    as_of: new Date().toISOString(),
    scopes: [
      { scope: "AIR", active: end !== null, valid_until: end, seconds_left: end ? 3600 : 0, windows },
      { scope: "PROGRAMMING", active: false, valid_until: null, seconds_left: 0, windows: [] },
    ],
    vin_passes: vinPasses,
  };
}

function billing(role = "owner", entitlements = summary()) {
  return memberGateway(role, (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/api/billing/catalog/products") return json({ items: CATALOG });
    if (path === "/api/billing/entitlements/summary") return json(entitlements);
    return json({ title: "Not found", status: 404, detail: `no fake for ${path}` }, 404);
  });
}

function CheckoutProbe() {
  const state = useLocation().state as unknown;
  return <pre data-testid="checkout-state">{JSON.stringify(state)}</pre>;
}

const withCheckout = (
  <Routes>
    <Route path="/" element={<PassesPage />} />
    <Route path="/checkout" element={<CheckoutProbe />} />
  </Routes>
);

describe("PassesPage", { timeout: 20_000 }, () => {
  afterEach(() => {
    clearTokens();
    window.localStorage.clear();
  });

  it("lists only the time passes, with gross prices and durations", async () => {
    storeTokens(TOKENS);
    renderWithApp(<PassesPage />, { handler: billing() });
    const cards = await screen.findAllByTestId("product");
    expect(cards).toHaveLength(1);
    expect(cards[0]).toHaveTextContent("AIR 1 week");
    expect(cards[0]).toHaveTextContent("7 days");
    expect(cards[0]).toHaveTextContent("€119.00 incl. VAT");
    expect(await screen.findByText("You have no active pass.")).toBeInTheDocument();
  });

  it("buys a pass through the checkout with that one pass, leaving the cart alone", async () => {
    storeTokens(TOKENS);
    renderWithApp(withCheckout, { handler: billing() });
    await userEvent.click(await screen.findByRole("button", { name: "Buy: AIR 1 week" }));
    expect(JSON.parse((await screen.findByTestId("checkout-state")).textContent!)).toEqual({ checkout: [{ product_code: AIR_WEEK.code, quantity: 1, vin: null }] });
    expect(storedCart()).toBeNull();
  });

  it("adds a pass to the cart once", async () => {
    storeTokens(TOKENS);
    renderWithApp(<PassesPage />, { handler: billing("accountant") });
    const add = await screen.findByRole("button", { name: "Add to cart: AIR 1 week" });
    await waitFor(() => expect(add).toBeEnabled());
    await userEvent.click(add);
    expect(storedCart()).toEqual([{ product_code: AIR_WEEK.code, quantity: 1, vin: null }]);
    // Its name follows its text (label in name): it says the pass is in the cart.
    expect(screen.getByRole("button", { name: "In the cart: AIR 1 week" })).toBeDisabled();
  });

  it("shows time bought on top of a running pass, and the passes for single vehicles", async () => {
    storeTokens(TOKENS);
    const dayStart = inHours(-4);
    const dayEnd = inHours(20);
    const hourEnd = inHours(21);
    const vinEnd = inHours(10);
    renderWithApp(<PassesPage />, {
      handler: billing(
        "owner",
        summary(
          [
            { valid_from: dayStart, valid_until: dayEnd, active: true },
            { valid_from: dayEnd, valid_until: hourEnd, active: false },
          ],
          [{ scope: "PROGRAMMING", vin: VIN, valid_until: vinEnd }],
        ),
      ),
    });
    const air = await screen.findByTestId("pass-AIR");
    const at = (iso: string) => formatDateTime(iso, "en");
    expect(air).toHaveTextContent(`Access without a break until ${at(hourEnd)}`);
    const windows = within(within(air).getByRole("list", { name: "Time bought for AIR repair information" })).getAllByRole("listitem");
    expect(windows.map((item) => item.textContent)).toEqual([`running${at(dayStart)} – ${at(dayEnd)}`, `queued${at(dayEnd)} – ${at(hourEnd)}`]);
    expect(screen.getByTestId("vin-passes")).toHaveTextContent(`ECU programming for ${VIN} until ${at(vinEnd)}`);
  });

  it("shows a technician the paid time but no catalog and no buying, and says who buys", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(<PassesPage />, { handler: billing("technician") });
    expect(await screen.findByText("Buying passes is for: Owner, Admin, or Accountant.", { exact: false })).toBeInTheDocument();
    expect(await screen.findByText("You have no active pass.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /^Buy/ })).not.toBeInTheDocument();
    expect(requests.some((r) => new URL(r.url).pathname === "/api/billing/catalog/products")).toBe(false);
  });
});
