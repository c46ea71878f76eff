import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { clearTokens, storeTokens } from "../auth/tokens";
import { json, renderWithApp, TOKENS } from "../test/render";
import { PassesPage } from "./PassesPage";

const PRODUCT = {
  code: "AIR-1H",
  scope: "AIR",
  name: "AIR 1 hour",
  duration_seconds: 3600,
  price: { currency: "EUR", net_minor: 1000, vat_minor: 190, gross_minor: 1190, vat_rate_percent: 19 },
};

const order = (status: string, paymentId: string | null = null) => ({
  id: "00000000-0000-4000-8000-000000000001",
  organization_id: "00000000-0000-4000-8000-0000000000aa",
  user_id: "00000000-0000-4000-8000-0000000000bb",
  product_code: PRODUCT.code,
  scope: "AIR",
  duration_seconds: 3600,
  amounts: { net_minor: 1000, vat_minor: 190, gross_minor: 1190, vat_rate_percent: 19 },
  currency: "EUR",
  status,
  payment_id: paymentId,
  created_at: "2026-03-01T12:00:00Z",
  paid_at: status === "paid" ? "2026-03-01T12:00:01Z" : null,
});

/** A fake gateway for billing: the order is paid on the second look. */
function billing() {
  let looks = 0;
  let paid = false;
  return (request: Request) => {
    const path = new URL(request.url).pathname;
    // The page is shown after a reload: the session is restored with the refresh token.
    if (path === "/api/identity/auth/refresh") return json(TOKENS);
    if (path === "/api/billing/catalog/products") return json({ items: [PRODUCT] });
    if (path === "/api/billing/entitlements") {
      const items = paid
        ? [{ id: "e1", scope: "AIR", order_id: "o1", valid_from: "2026-03-01T12:00:01Z", valid_until: new Date(Date.now() + 3_600_000).toISOString(), seconds_left: 3600, active: true }]
        : [];
      return json({ items });
    }
    if (path === "/api/billing/orders" && request.method === "POST") return json(order("pending_payment"), 201);
    if (path.endsWith("/payment")) return json({ payment_id: "p1", status: "pending", order_id: "o1" }, 202);
    if (path.startsWith("/api/billing/orders/")) {
      looks += 1;
      paid = looks >= 2;
      return json(order(paid ? "paid" : "pending_payment", "p1"));
    }
    return json({ title: "Not found", status: 404, detail: `no fake for ${path}` }, 404);
  };
}

describe("PassesPage", () => {
  afterEach(clearTokens);

  it("lists the catalog with gross prices in the user's locale", async () => {
    storeTokens(TOKENS);
    renderWithApp(<PassesPage />, { handler: billing() });
    const row = (await screen.findByText("AIR 1 hour")).closest("tr")!;
    expect(within(row).getByText("€11.90")).toBeInTheDocument();
    expect(within(row).getByText("1 hour")).toBeInTheDocument();
    expect(await screen.findByText("You have no active pass.")).toBeInTheDocument();
  });

  it("buys once on a double click, pays, waits for the payment and shows the new pass", async () => {
    storeTokens(TOKENS);
    // The order's answer is held back until all clicks are done, as on a slow connection.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const fake = billing();
    const { requests } = renderWithApp(<PassesPage purchase={{ pollMs: 5 }} />, {
      handler: async (request) => {
        if (request.method === "POST" && new URL(request.url).pathname === "/api/billing/orders") await held;
        return fake(request);
      },
    });
    const buy = await screen.findByRole("button", { name: "Buy: AIR 1 hour" });
    await userEvent.dblClick(buy);
    await userEvent.click(buy);
    release();
    expect(await screen.findByText("Payment received: your pass is active.")).toBeInTheDocument();
    const orders = requests.filter((r) => r.method === "POST" && new URL(r.url).pathname === "/api/billing/orders");
    expect(orders).toHaveLength(1);
    expect(orders[0]!.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{36}$/);
    expect(orders[0]!.headers.get("Authorization")).toBe("Bearer a");
    const payments = requests.filter((r) => r.url.endsWith("/payment"));
    expect(payments).toHaveLength(1);
    expect(await screen.findByRole("timer")).toHaveTextContent(/left$/);
  });

  it("reuses the Idempotency-Key when the connection failed before an answer", async () => {
    storeTokens(TOKENS);
    const fake = billing();
    let failNext = true;
    const { requests } = renderWithApp(<PassesPage purchase={{ pollMs: 5 }} />, {
      handler: (request) => {
        if (request.method === "POST" && new URL(request.url).pathname === "/api/billing/orders" && failNext) {
          failNext = false;
          throw new TypeError("Failed to fetch");
        }
        return fake(request);
      },
    });
    const buy = await screen.findByRole("button", { name: "Buy: AIR 1 hour" });
    await userEvent.click(buy);
    expect(await screen.findByText(/could not be reached/)).toBeInTheDocument();
    await userEvent.click(buy);
    await screen.findByText("Payment received: your pass is active.");
    const keys = requests
      .filter((r) => r.method === "POST" && new URL(r.url).pathname === "/api/billing/orders")
      .map((r) => r.headers.get("Idempotency-Key"));
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
  });

  it("shows the problem when buying is refused", async () => {
    storeTokens(TOKENS);
    const fake = billing();
    renderWithApp(<PassesPage />, {
      handler: (request) =>
        request.method === "POST" && request.url.endsWith("/api/billing/orders")
          ? json({ type: "/problems/product-unavailable", title: "Product unavailable", status: 409, detail: "AIR-1H is not sold any more." }, 409)
          : fake(request),
    });
    await userEvent.click(await screen.findByRole("button", { name: "Buy: AIR 1 hour" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Product unavailable");
    expect(alert).toHaveTextContent("AIR-1H is not sold any more.");
    await waitFor(() => expect(screen.getByRole("button", { name: "Buy: AIR 1 hour" })).toBeEnabled());
  });
});
