import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { clearTokens, storeTokens } from "../../../test/session";
import { formatDateTime } from "../../../lib/datetime";
import { json, me, renderWithApp, TOKENS } from "../../../test/render";
import { PassesPage } from "./PassesPage";

const PRODUCT = {
  code: "AIR-1H",
  kind: "PASS",
  scope: "AIR",
  name: "AIR 1 hour",
  description: "",
  duration_seconds: 3600,
  net_minor: 1000,
  currency: "EUR",
  price: { currency: "EUR", net_minor: 1000, vat_minor: 190, gross_minor: 1190, vat_rate_bp: 1900 },
  stock_available: null,
  weight_grams: null,
};

const order = (status: string, paymentId: string | null = null) => ({
  id: "00000000-0000-4000-8000-000000000001",
  lines: [
    {
      id: "00000000-0000-4000-8000-000000000011",
      product_code: PRODUCT.code,
      name: PRODUCT.name,
      kind: "PASS",
      scope: "AIR",
      quantity: 1,
      vin: null,
      unit_net_minor: 1000,
      net_minor: 1000,
      vat_rate_bp: 1900,
      vat_minor: 190,
      gross_minor: 1190,
      entitlement_id: null,
      refundable: false,
    },
  ],
  totals: { net_minor: 1000, vat_minor: 190, gross_minor: 1190, currency: "EUR" },
  status,
  payment_id: paymentId,
  created_at: "2026-03-01T12:00:00Z",
  paid_at: status === "paid" ? "2026-03-01T12:00:01Z" : null,
});

const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
const AIR_HOUR = [{ valid_from: new Date().toISOString(), valid_until: inHours(1), active: true }];

/** The entitlement summary with these AIR windows (none: no pass). */
function summary(windows: { valid_from: string; valid_until: string; active: boolean }[] = []) {
  const end = windows.at(-1)?.valid_until ?? null;
  return {
    as_of: new Date().toISOString(),
    scopes: [
      { scope: "AIR", active: end !== null, valid_until: end, seconds_left: end ? 3600 : 0, windows },
      { scope: "PROGRAMMING", active: false, valid_until: null, seconds_left: 0, windows: [] },
    ],
  };
}

const orderPosts = (requests: Request[]) => requests.filter((r) => r.method === "POST" && new URL(r.url).pathname === "/api/billing/orders");

/** Buy, then confirm in the dialog. */
async function buyAndConfirm() {
  await userEvent.click(await screen.findByRole("button", { name: "Buy: AIR 1 hour" }));
  const dialog = await screen.findByRole("dialog", { name: "Confirm your purchase" });
  await userEvent.click(within(dialog).getByRole("button", { name: "Buy for €11.90" }));
}

/** A fake gateway for billing: the order is paid on the second look. The user is `role`. */
function billing(role = "owner") {
  let looks = 0;
  let paid = false;
  return (request: Request) => {
    const path = new URL(request.url).pathname;
    // The page is shown after a reload: the session is restored with the refresh token.
    if (path === "/api/identity/auth/refresh") return json(TOKENS);
    if (path === "/api/identity/me") return json(me(role));
    if (path === "/api/billing/catalog/products") return json({ items: [PRODUCT] });
    if (path === "/api/billing/entitlements/summary") return json(paid ? summary(AIR_HOUR) : summary());
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

describe("PassesPage", { timeout: 20_000 }, () => {
  afterEach(clearTokens);

  it("lists the catalog with gross prices in the user's locale", async () => {
    storeTokens(TOKENS);
    renderWithApp(<PassesPage />, { handler: billing() });
    const card = (await screen.findByText("AIR 1 hour")).closest<HTMLElement>("[data-testid=product]")!;
    expect(card).toHaveTextContent("€11.90 incl. VAT");
    expect(within(card).getByText("1 hour")).toBeInTheDocument();
    expect(await screen.findByText("You have no active pass.")).toBeInTheDocument();
  });

  it("shows a summary before buying: product, net, VAT, gross and until when the access will run", async () => {
    storeTokens(TOKENS);
    // A day of AIR is running: the hour would be queued behind it.
    const dayEnd = inHours(20);
    const fake = billing();
    const { requests } = renderWithApp(<PassesPage />, {
      handler: (request) =>
        new URL(request.url).pathname === "/api/billing/entitlements/summary"
          ? json(summary([{ valid_from: inHours(-4), valid_until: dayEnd, active: true }]))
          : fake(request),
    });
    await screen.findByTestId("pass-AIR");
    await userEvent.click(await screen.findByRole("button", { name: "Buy: AIR 1 hour" }));
    const dialog = await screen.findByRole("dialog", { name: "Confirm your purchase" });
    expect(within(dialog).getByRole("row", { name: /Pass/ })).toHaveTextContent("AIR 1 hour (1 hour)");
    expect(within(dialog).getByRole("row", { name: /Net/ })).toHaveTextContent("€10.00");
    expect(within(dialog).getByRole("row", { name: /VAT 19 %/ })).toHaveTextContent("€1.90");
    expect(within(dialog).getByRole("row", { name: /Total/ })).toHaveTextContent("€11.90");
    const until = formatDateTime(Date.parse(dayEnd) + 3_600_000, "en");
    expect(within(dialog).getByTestId("purchase-window")).toHaveTextContent(`AIR access until ${until}`);
    expect(orderPosts(requests)).toHaveLength(0);
  });

  it("does not buy on Enter or Escape in the summary, only on the confirm button", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(<PassesPage />, { handler: billing() });
    await userEvent.click(await screen.findByRole("button", { name: "Buy: AIR 1 hour" }));
    let dialog = await screen.findByRole("dialog", { name: "Confirm your purchase" });
    await waitFor(() => expect(within(dialog).getByRole("button", { name: "Cancel" })).toHaveFocus());
    await userEvent.keyboard("{Enter}");
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    await userEvent.click(screen.getByRole("button", { name: "Buy: AIR 1 hour" }));
    dialog = await screen.findByRole("dialog", { name: "Confirm your purchase" });
    await userEvent.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(orderPosts(requests)).toHaveLength(0);
    expect(screen.queryByText("Payment received: your pass is active.")).toBeNull();
  });

  it("buys once on a double click of the confirm button, pays, waits for the payment and shows the new pass", async () => {
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
    await userEvent.click(await screen.findByRole("button", { name: "Buy: AIR 1 hour" }));
    const dialog = await screen.findByRole("dialog", { name: "Confirm your purchase" });
    await userEvent.dblClick(within(dialog).getByRole("button", { name: "Buy for €11.90" }));
    release();
    expect(await screen.findByText("Payment received: your pass is active.")).toBeInTheDocument();
    const orders = orderPosts(requests);
    expect(orders).toHaveLength(1);
    expect(orders[0]!.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{36}$/);
    expect(orders[0]!.headers.get("Authorization")).toBe("Bearer a");
    const payments = requests.filter((r) => r.url.endsWith("/payment"));
    expect(payments).toHaveLength(1);
    expect(await screen.findByRole("timer")).toHaveTextContent(/left$/);
  });

  it("shows time bought on top of a running pass: the combined end and the queued window", async () => {
    storeTokens(TOKENS);
    const dayStart = inHours(-4);
    const dayEnd = inHours(20);
    const hourEnd = inHours(21);
    const fake = billing();
    renderWithApp(<PassesPage />, {
      handler: (request) =>
        new URL(request.url).pathname === "/api/billing/entitlements/summary"
          ? json(
              summary([
                { valid_from: dayStart, valid_until: dayEnd, active: true },
                { valid_from: dayEnd, valid_until: hourEnd, active: false },
              ]),
            )
          : fake(request),
    });
    const air = await screen.findByTestId("pass-AIR");
    const at = (iso: string) => formatDateTime(iso, "en");
    expect(air).toHaveTextContent(`Access without a break until ${at(hourEnd)}`);
    expect(within(air).getByRole("timer")).toHaveTextContent(/^20h 59m \d\ds left$/);
    const windows = within(within(air).getByRole("list", { name: "Time bought for AIR repair information" })).getAllByRole("listitem");
    expect(windows.map((item) => item.textContent)).toEqual([`running${at(dayStart)} – ${at(dayEnd)}`, `queued${at(dayEnd)} – ${at(hourEnd)}`]);
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
    await buyAndConfirm();
    expect(await screen.findByText(/could not be reached/)).toBeInTheDocument();
    await buyAndConfirm();
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
    await buyAndConfirm();
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Product unavailable");
    expect(alert).toHaveTextContent("AIR-1H is not sold any more.");
    await waitFor(() => expect(screen.getByRole("button", { name: "Buy: AIR 1 hour" })).toBeEnabled());
  });

  it("shows a technician the paid time but no catalog and no buying, and says who buys", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(<PassesPage />, { handler: billing("technician") });
    expect(await screen.findByText("Buying passes is for: Owner, Admin, or Accountant.", { exact: false })).toBeInTheDocument();
    expect(await screen.findByText("You have no active pass.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /^Buy/ })).not.toBeInTheDocument();
    expect(requests.some((r) => new URL(r.url).pathname === "/api/billing/catalog/products")).toBe(false);
  });

  it("lets an accountant buy", async () => {
    storeTokens(TOKENS);
    renderWithApp(<PassesPage />, { handler: billing("accountant") });
    expect(await screen.findByRole("button", { name: "Buy: AIR 1 hour" })).toBeEnabled();
  });
});
