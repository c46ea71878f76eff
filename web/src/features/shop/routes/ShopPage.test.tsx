import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { AIR_VIN, CART_KEY, CATALOG, CHARGER, ICOM, storedCart, VIN } from "../../../test/commerce";
import { seriousViolations } from "../../../test/axe";
import { json, memberGateway, renderWithApp, TOKENS } from "../../../test/render";
import { clearTokens, storeTokens } from "../../../test/session";
import { ShopPage } from "./ShopPage";

const gateway = memberGateway("accountant", (request) =>
  new URL(request.url).pathname === "/api/billing/catalog/products" ? json({ items: CATALOG }) : json({ title: "Not found", status: 404 }, 404),
);

const card = async (name: string) => screen.findByRole("article", { name });

describe("ShopPage", { timeout: 20_000 }, () => {
  afterEach(() => {
    clearTokens();
    window.localStorage.clear();
  });

  it("lists the tools with net and gross price and their stock", async () => {
    storeTokens(TOKENS);
    renderWithApp(<ShopPage />, { handler: gateway });
    const tools = await screen.findByRole("region", { name: "Tools and equipment" });
    const icom = await card("ICOM VCI");
    expect(within(icom).getByTestId("product-price")).toHaveTextContent("€1,071.00 incl. 19 % VAT · €900.00 net");
    expect(icom).toHaveTextContent("In stock");
    expect(await card("Programming charger")).toHaveTextContent("Only 3 left");
    const cable = await card("ENET cable");
    expect(cable).toHaveTextContent("Sold out");
    expect(within(cable).getByRole("button", { name: "Add to cart: ENET cable" })).toBeDisabled();
    expect(within(tools).getAllByRole("article")).toHaveLength(3);
    expect(screen.getByRole("region", { name: "Time passes" })).toHaveTextContent("AIR 1 week");
  });

  it("keeps the cart per organisation: quantities add up, stop at the stock, and lines can be removed", async () => {
    storeTokens(TOKENS);
    renderWithApp(<ShopPage />, { handler: gateway });
    const charger = await card("Programming charger");
    const add = within(charger).getByRole("button", { name: "Add to cart: Programming charger" });
    await waitFor(() => expect(add).toBeEnabled());
    await userEvent.click(add);
    await userEvent.click(add);
    await userEvent.click(within(await card("ICOM VCI")).getByRole("button", { name: "Add to cart: ICOM VCI" }));
    expect(storedCart()).toEqual([
      { product_code: CHARGER.code, quantity: 2, vin: null },
      { product_code: ICOM.code, quantity: 1, vin: null },
    ]);
    expect(window.localStorage.key(0)).toBe(CART_KEY);
    expect(screen.getByRole("heading", { name: "Cart (3 items)" })).toBeInTheDocument();
    // 2 × 238.00 + 1 071.00
    expect(screen.getByTestId("cart-total")).toHaveTextContent("Total incl. VAT: €1,547.00");

    await userEvent.click(add);
    await userEvent.click(add);
    expect(storedCart()).toContainEqual({ product_code: CHARGER.code, quantity: 3, vin: null });

    const quantity = screen.getByRole("textbox", { name: "Quantity of ICOM VCI" });
    await userEvent.clear(quantity);
    await userEvent.type(quantity, "4");
    await waitFor(() => expect(storedCart()).toContainEqual({ product_code: ICOM.code, quantity: 4, vin: null }));

    await userEvent.click(screen.getByRole("button", { name: "Remove: Programming charger" }));
    expect(storedCart()).toEqual([{ product_code: ICOM.code, quantity: 4, vin: null }]);
  });

  it("puts a per-VIN pass into the cart only with a valid VIN", async () => {
    storeTokens(TOKENS);
    renderWithApp(<ShopPage />, { handler: gateway });
    const vinPass = await card(AIR_VIN.name);
    const add = within(vinPass).getByRole("button", { name: `Add to cart: ${AIR_VIN.name}` });
    expect(add).toBeDisabled();
    await userEvent.type(within(vinPass).getByRole("textbox", { name: "VIN" }), VIN.slice(0, 16));
    expect(add).toBeDisabled();
    await userEvent.type(within(vinPass).getByRole("textbox", { name: "VIN" }), VIN.slice(16));
    await userEvent.click(add);
    expect(storedCart()).toEqual([{ product_code: AIR_VIN.code, quantity: 1, vin: VIN }]);
    expect(within(screen.getByRole("region", { name: /Cart/ })).getByText(VIN)).toBeInTheDocument();
  });

  it("shows a cart kept by another organisation's member to nobody else", async () => {
    storeTokens(TOKENS);
    window.localStorage.setItem("aos.cart.00000000-0000-4000-8000-0000000000zz", JSON.stringify({ version: 1, lines: [{ product_code: ICOM.code, quantity: 2, vin: null }] }));
    renderWithApp(<ShopPage />, { handler: gateway });
    expect(await screen.findByText("Your cart is empty.")).toBeInTheDocument();
  });

  it("has no serious accessibility violation with a filled cart", async () => {
    storeTokens(TOKENS);
    window.localStorage.setItem(CART_KEY, JSON.stringify({ version: 1, lines: [{ product_code: CHARGER.code, quantity: 2, vin: null }, { product_code: AIR_VIN.code, quantity: 1, vin: VIN }] }));
    const { container } = renderWithApp(<ShopPage />, { handler: gateway });
    await screen.findByRole("textbox", { name: "Quantity of Programming charger" });
    expect(await seriousViolations(container)).toEqual([]);
  });
});
