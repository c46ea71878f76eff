import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { formatDateTime } from "../../../lib/datetime";
import i18n from "../../../lib/i18n";
import { AIR_VIN, AIR_WEEK, CATALOG, CHARGER, COMPANY_ADDRESS, order, ORDER_ID, quoteFor, REVERSE_CHARGE, storeCart, storedCart, VIN, WINDOW } from "../../../test/commerce";
import { seriousViolations } from "../../../test/axe";
import { json, memberGateway, renderWithApp, TOKENS } from "../../../test/render";
import { clearTokens, storeTokens } from "../../../test/session";
import { CheckoutPage } from "./CheckoutPage";

type Handler = (request: Request) => Response | Promise<Response>;

/** Billing for the checkout: quotes from the request, the order paid on the second look. */
function billing({ tax, override }: { tax?: Parameters<typeof quoteFor>[1]; override?: Handler } = {}): Handler {
  let looks = 0;
  return memberGateway("owner", async (request) => {
    const answer = await override?.(request);
    if (answer) return answer;
    const path = new URL(request.url).pathname;
    if (path === "/api/billing/catalog/products") return json({ items: CATALOG });
    if (path === "/api/billing/checkout/quote") return json(quoteFor(await request.json(), tax));
    if (path === "/api/billing/checkout") return json({ order: order("pending_payment"), payment: { payment_id: "p1", status: "pending" } }, 201);
    if (path === `/api/billing/orders/${ORDER_ID}`) {
      looks += 1;
      return json(order(looks >= 2 ? "paid" : "pending_payment"));
    }
    return json({ title: "Not found", status: 404, detail: `no fake for ${path}` }, 404);
  });
}

const posts = (requests: Request[], path: string) => requests.filter((r) => r.method === "POST" && new URL(r.url).pathname === path);
const buyButton = () => screen.findByRole("button", { name: /^Buy now, pay/ });
const buyButtonDe = () => screen.findByRole("button", { name: /^Jetzt kaufen/ });

describe("CheckoutPage", { timeout: 20_000 }, () => {
  afterEach(() => {
    clearTokens();
    window.localStorage.clear();
  });

  it("shows billing's quote of the cart: lines, the VIN, the window a pass gives, VAT per rate, the tax note", async () => {
    storeTokens(TOKENS);
    storeCart([
      { product_code: AIR_WEEK.code, quantity: 1, vin: null },
      { product_code: AIR_VIN.code, quantity: 1, vin: VIN },
    ]);
    const { requests } = renderWithApp(<CheckoutPage />, { handler: billing({ tax: REVERSE_CHARGE }) });
    const lines = await screen.findAllByTestId("quote-line");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toHaveTextContent(`For the vehicle ${VIN}`);
    const window = `Access from ${formatDateTime(WINDOW.valid_from, "en")} until ${formatDateTime(WINDOW.valid_until, "en")}`;
    expect(within(lines[0]!).getByTestId("quote-window")).toHaveTextContent(window);
    const totals = screen.getByRole("table", { name: "Totals" });
    expect(within(totals).getByRole("row", { name: /^Net/ })).toHaveTextContent("€110.00");
    expect(within(totals).getByRole("row", { name: /VAT 0 % on €110.00/ })).toHaveTextContent("€0.00");
    expect(within(totals).getByRole("row", { name: /Total/ })).toHaveTextContent("€110.00");
    expect(screen.getByTestId("tax-note")).toHaveTextContent("Reverse charge");
    expect(screen.getByTestId("vat-id")).toHaveTextContent("VAT ID ATU12345678: valid");
    expect(screen.getByRole("link", { name: "Change the cart" })).toHaveAttribute("href", "/shop");
    // Passes only: no shipping address asked for.
    expect(screen.queryByRole("group", { name: "Shipping address" })).toBeNull();
    const body = (await posts(requests, "/api/billing/checkout/quote")[0]!.json()) as unknown;
    expect(body).toEqual({ lines: [{ product_code: "AIR_1W", quantity: 1 }, { product_code: "AIR_VIN_24H", quantity: 1, vin: VIN }] });
  });

  it("buys only with the terms accepted, once on a double click, follows the order until paid and empties the cart", async () => {
    storeTokens(TOKENS);
    storeCart([{ product_code: AIR_WEEK.code, quantity: 1, vin: null }]);
    // The order's answer is held back until all clicks are done, as on a slow connection.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const fake = billing();
    const { requests } = renderWithApp(<CheckoutPage follow={{ pollMs: 5 }} />, {
      handler: async (request) => {
        if (new URL(request.url).pathname === "/api/billing/checkout") await held;
        return fake(request);
      },
    });
    const buy = await buyButton();
    expect(buy).toHaveTextContent("Buy now, pay €119.00");
    expect(buy).toBeDisabled();
    await userEvent.click(screen.getByRole("checkbox", { name: /I accept the terms of sale \(version 2026-01\)/ }));
    await waitFor(() => expect(buy).toBeEnabled());
    await userEvent.dblClick(buy);
    release();
    expect(await screen.findByText("Payment received")).toBeInTheDocument();
    const checkouts = posts(requests, "/api/billing/checkout");
    expect(checkouts).toHaveLength(1);
    expect(checkouts[0]!.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await checkouts[0]!.json()).toEqual({ lines: [{ product_code: "AIR_1W", quantity: 1 }], accept_terms: true, terms_version: "2026-01" });
    expect(requests.filter((r) => new URL(r.url).pathname === `/api/billing/orders/${ORDER_ID}`).length).toBeGreaterThanOrEqual(2);
    expect(storedCart()).toBeNull();
  });

  it("sends the same Idempotency-Key again when the connection failed before an answer", async () => {
    storeTokens(TOKENS);
    storeCart([{ product_code: AIR_WEEK.code, quantity: 1, vin: null }]);
    let failNext = true;
    const { requests } = renderWithApp(<CheckoutPage follow={{ pollMs: 5 }} />, {
      handler: billing({
        override: (request) => {
          if (new URL(request.url).pathname === "/api/billing/checkout" && failNext) {
            failNext = false;
            throw new TypeError("Failed to fetch");
          }
          return undefined as unknown as Response;
        },
      }),
    });
    await userEvent.click(await screen.findByRole("checkbox", { name: /I accept the terms/ }));
    await userEvent.click(await buyButton());
    expect(await screen.findByText(/could not be reached/)).toBeInTheDocument();
    // Nothing was placed: the cart is still there.
    expect(storedCart()).toEqual([{ product_code: "AIR_1W", quantity: 1, vin: null }]);
    await userEvent.click(await buyButton());
    await screen.findByText("Payment received");
    const keys = posts(requests, "/api/billing/checkout").map((r) => r.headers.get("Idempotency-Key"));
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
  });

  it("proposes the company address for tools, and quotes and orders with the address as changed", async () => {
    storeTokens(TOKENS);
    storeCart([{ product_code: CHARGER.code, quantity: 2, vin: null }]);
    const { requests } = renderWithApp(<CheckoutPage follow={{ pollMs: 5 }} />, { handler: billing() });
    const city = await screen.findByRole("textbox", { name: "City" });
    expect(city).toHaveValue(COMPANY_ADDRESS.city);
    expect(await screen.findByTestId("quote-shipping")).toHaveTextContent("€11.78");
    await userEvent.clear(city);
    await userEvent.type(city, "Hamburg");
    await waitFor(async () => {
      const last = posts(requests, "/api/billing/checkout/quote").at(-1)!;
      expect(((await last.clone().json()) as { shipping_address?: { city: string } }).shipping_address?.city).toBe("Hamburg");
    });
    await userEvent.click(screen.getByRole("checkbox", { name: /I accept the terms/ }));
    await waitFor(async () => expect(await buyButton()).toBeEnabled());
    await userEvent.click(await buyButton());
    await screen.findByText("Payment received");
    const placed = (await posts(requests, "/api/billing/checkout")[0]!.json()) as { shipping_address: unknown; lines: unknown };
    expect(placed.lines).toEqual([{ product_code: CHARGER.code, quantity: 2 }]);
    expect(placed.shipping_address).toEqual({ ...COMPANY_ADDRESS, city: "Hamburg" });
  });

  it("offers no confirm while a newer quote is on its way, so what is bought is what is shown", async () => {
    storeTokens(TOKENS);
    storeCart([{ product_code: CHARGER.code, quantity: 1, vin: null }]);
    let release = () => {};
    let quotes = 0;
    const { requests } = renderWithApp(<CheckoutPage />, {
      handler: billing({
        override: async (request) => {
          if (new URL(request.url).pathname !== "/api/billing/checkout/quote") return undefined as unknown as Response;
          quotes += 1;
          // The first quote answers at once, the next one only when released.
          if (quotes > 1) await new Promise<void>((resolve) => (release = resolve));
          return json(quoteFor(await request.json()));
        },
      }),
    });
    await userEvent.click(await screen.findByRole("checkbox", { name: /I accept the terms/ }));
    await waitFor(async () => expect(await buyButton()).toBeEnabled());
    await userEvent.type(screen.getByRole("textbox", { name: "Street and number" }), "a");
    expect(await buyButton()).toBeDisabled();
    await waitFor(() => expect(quotes).toBe(2));
    expect(await buyButton()).toBeDisabled();
    release();
    await waitFor(async () => expect(await buyButton()).toBeEnabled());
    expect(posts(requests, "/api/billing/checkout")).toHaveLength(0);
  });

  it("shows what is left when a tool sold out meanwhile, and keeps the cart", async () => {
    storeTokens(TOKENS);
    storeCart([{ product_code: CHARGER.code, quantity: 3, vin: null }]);
    renderWithApp(<CheckoutPage />, {
      handler: billing({
        override: (request) =>
          new URL(request.url).pathname === "/api/billing/checkout"
            ? json({ type: "/problems/out-of-stock", code: "out-of-stock", title: "Out of stock", status: 409, detail: "Only 1 left.", product_code: CHARGER.code, available: 1 }, 409)
            : (undefined as unknown as Response),
      }),
    });
    await userEvent.click(await screen.findByRole("checkbox", { name: /I accept the terms/ }));
    await userEvent.click(await buyButton());
    expect(await screen.findByRole("alert")).toHaveTextContent("Not enough in stock");
    expect(storedCart()).toEqual([{ product_code: CHARGER.code, quantity: 3, vin: null }]);
  });

  it("buys a single pass handed over by the passes page without touching the cart", async () => {
    storeTokens(TOKENS);
    storeCart([{ product_code: CHARGER.code, quantity: 1, vin: null }]);
    const { requests } = renderWithApp(<CheckoutPage follow={{ pollMs: 5 }} />, {
      handler: billing(),
      route: { pathname: "/checkout", state: { checkout: [{ product_code: AIR_WEEK.code, quantity: 1, vin: null }] } },
    });
    await userEvent.click(await screen.findByRole("checkbox", { name: /I accept the terms/ }));
    // The one pass is bought as it is: the cart is not this checkout's to change.
    expect(screen.queryByRole("link", { name: "Change the cart" })).toBeNull();
    expect(screen.getAllByTestId("quote-line")).toHaveLength(1);
    await userEvent.click(await buyButton());
    await screen.findByText("Payment received");
    expect(((await posts(requests, "/api/billing/checkout")[0]!.json()) as { lines: unknown }).lines).toEqual([{ product_code: "AIR_1W", quantity: 1 }]);
    expect(storedCart()).toEqual([{ product_code: CHARGER.code, quantity: 1, vin: null }]);
  });

  it("keeps to the placed order when a look at it fails: the cart is that order now, and Orders shows it", async () => {
    storeTokens(TOKENS);
    storeCart([{ product_code: AIR_WEEK.code, quantity: 1, vin: null }]);
    const { requests } = renderWithApp(<CheckoutPage follow={{ pollMs: 5 }} />, {
      handler: billing({
        override: (request) => {
          if (new URL(request.url).pathname === `/api/billing/orders/${ORDER_ID}`) throw new TypeError("Failed to fetch");
          return undefined as unknown as Response;
        },
      }),
    });
    await userEvent.click(await screen.findByRole("checkbox", { name: /I accept the terms/ }));
    await userEvent.click(await buyButton());
    expect(await screen.findByText(/could not be reached/)).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "See your orders" })).toHaveAttribute("href", "/orders");
    expect(screen.queryByRole("button", { name: /^Buy now/ })).toBeNull();
    expect(storedCart()).toBeNull();
    expect(posts(requests, "/api/billing/checkout")).toHaveLength(1);
  });

  it("tries a failed payment again on the same order", async () => {
    storeTokens(TOKENS);
    storeCart([{ product_code: AIR_WEEK.code, quantity: 1, vin: null }]);
    let paid = false;
    const { requests } = renderWithApp(<CheckoutPage follow={{ pollMs: 5 }} />, {
      handler: billing({
        override: (request) => {
          const path = new URL(request.url).pathname;
          if (path === `/api/billing/orders/${ORDER_ID}/payment`) {
            paid = true;
            return json({ payment_id: "p2", status: "pending" }, 202);
          }
          if (path === `/api/billing/orders/${ORDER_ID}`) return json(order(paid ? "paid" : "failed"));
          return undefined as unknown as Response;
        },
      }),
    });
    await userEvent.click(await screen.findByRole("checkbox", { name: /I accept the terms/ }));
    await userEvent.click(await buyButton());
    await userEvent.click(await screen.findByRole("button", { name: "Try the payment again" }));
    expect(await screen.findByText("Payment received")).toBeInTheDocument();
    expect(posts(requests, "/api/billing/checkout")).toHaveLength(1);
    expect(posts(requests, `/api/billing/orders/${ORDER_ID}/payment`)).toHaveLength(1);
  });

  it("speaks German: the summary, the reverse-charge note from billing and the confirm with the German amount", async () => {
    storeTokens(TOKENS);
    await i18n.changeLanguage("de");
    storeCart([{ product_code: CHARGER.code, quantity: 1, vin: null }]);
    renderWithApp(<CheckoutPage />, { handler: billing({ tax: REVERSE_CHARGE }) });
    expect(await screen.findByRole("textbox", { name: "Ort" })).toHaveValue(COMPANY_ADDRESS.city);
    const totals = screen.getByRole("table", { name: "Summen" });
    expect(within(totals).getByRole("row", { name: /MwSt\. 0 % auf/ })).toHaveTextContent("0,00 €");
    expect(screen.getByTestId("vat-id")).toHaveTextContent("USt-IdNr. ATU12345678: gültig");
    expect(screen.getByRole("checkbox", { name: /Ich akzeptiere die Verkaufsbedingungen \(Fassung 2026-01\)/ })).toBeInTheDocument();
    expect(await buyButtonDe()).toHaveTextContent("Jetzt kaufen, 209,90 € zahlen");
  });

  it("has no serious accessibility violation with tools, a per-VIN pass and the address form", async () => {
    storeTokens(TOKENS);
    storeCart([
      { product_code: CHARGER.code, quantity: 1, vin: null },
      { product_code: AIR_VIN.code, quantity: 1, vin: VIN },
    ]);
    const { container } = renderWithApp(<CheckoutPage />, { handler: billing({ tax: REVERSE_CHARGE }) });
    await screen.findByRole("textbox", { name: "City" });
    expect(await seriousViolations(container)).toEqual([]);
  });

  it("says so when the cart is empty and asks billing nothing", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(<CheckoutPage />, { handler: billing() });
    expect(await screen.findByText("Your cart is empty.")).toBeInTheDocument();
    expect(posts(requests, "/api/billing/checkout/quote")).toHaveLength(0);
  });
});
