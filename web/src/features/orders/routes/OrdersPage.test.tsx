import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { order } from "../../../test/commerce";
import { seriousViolations } from "../../../test/axe";
import { json, memberGateway, renderWithApp, TOKENS } from "../../../test/render";
import { clearTokens, storeTokens } from "../../../test/session";
import { OrdersPage } from "./OrdersPage";

const ENTITLEMENT = "00000000-0000-4000-8000-0000000000f1";
const INVOICE = { id: "00000000-0000-4000-8000-0000000000a1", number: "AOS-2026-000123", kind: "invoice" };
const CREDIT_NOTE = { id: "00000000-0000-4000-8000-0000000000a2", number: "AOS-2026-000124", kind: "credit_note" };

const SHIPPED = order("paid", {
  id: "00000000-0000-4000-8000-0000000000d2",
  lines: [
    {
      id: "00000000-0000-4000-8000-0000000000e2",
      product_code: "TOOL_PROGRAMMING_CHARGER",
      name: "Programming charger",
      kind: "TOOL",
      scope: null,
      quantity: 2,
      vin: null,
      unit_net_minor: 20_000,
      net_minor: 40_000,
      vat_rate_bp: 1900,
      vat_minor: 7_600,
      gross_minor: 47_600,
      entitlement_id: null,
      refundable: false,
    },
  ],
  shipping: { net_minor: 690, vat_minor: 131, gross_minor: 821, rule: "domestic" },
  fulfilment: { status: "shipped", carrier: "DHL", tracking_number: "00340434161094042557", shipped_at: "2026-03-11T09:00:00Z", delivered_at: null },
  invoices: [{ id: "00000000-0000-4000-8000-0000000000a3", number: "AOS-2026-000125", kind: "invoice" }],
});

function summary(item: { id: string; number: string; kind: string }) {
  return { ...item, order_id: "o", credited_invoice_id: null, issued_at: "2026-03-10T12:00:05Z", net_minor: 10_000, vat_minor: 1_900, gross_minor: 11_900, currency: "EUR" };
}

function billing(role: string, refund: () => Response = () => json({ entitlement_id: ENTITLEMENT, credit_note: { id: CREDIT_NOTE.id, number: CREDIT_NOTE.number } })) {
  return memberGateway(role, (request) => {
    const url = new URL(request.url);
    if (url.pathname === "/api/billing/orders") return json({ items: [order("paid"), SHIPPED] });
    if (url.pathname === "/api/billing/invoices") {
      const kind = url.searchParams.get("kind");
      const items = [INVOICE, CREDIT_NOTE].filter((item) => kind === null || item.kind === kind).map(summary);
      return json({ items, total: items.length });
    }
    if (url.pathname === `/api/billing/invoices/${INVOICE.id}/pdf`) {
      return new Response("%PDF-1.7 invoice", { headers: { "content-type": "application/pdf", "content-disposition": `attachment; filename="${INVOICE.number}.pdf"` } });
    }
    if (url.pathname === `/api/billing/entitlements/${ENTITLEMENT}/refund`) return refund();
    return json({ title: "Not found", status: 404 }, 404);
  });
}

const saved: { name: string; body: Blob }[] = [];

describe("OrdersPage", { timeout: 20_000 }, () => {
  beforeEach(() => {
    saved.length = 0;
    const blobs = new Map<string, Blob>();
    URL.createObjectURL = (object: Blob | MediaSource) => {
      const url = `blob:portal/${blobs.size}`;
      blobs.set(url, object as Blob);
      return url;
    };
    URL.revokeObjectURL = () => undefined;
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ name: this.download, body: blobs.get(this.getAttribute("href")!)! });
    });
  });
  afterEach(() => {
    clearTokens();
    vi.restoreAllMocks();
  });

  it("lists the orders with status, lines, the shipment's tracking number and the invoices", async () => {
    storeTokens(TOKENS);
    renderWithApp(<OrdersPage />, { handler: billing("owner") });
    const orders = await screen.findAllByTestId("order");
    expect(orders).toHaveLength(2);
    expect(orders[0]).toHaveTextContent("Paid");
    expect(orders[0]).toHaveTextContent("AIR 1 week");
    expect(orders[0]).toHaveTextContent("Invoice AOS-2026-000123");
    expect(within(orders[1]!).getByTestId("fulfilment")).toHaveTextContent("Shipped · DHL tracking number 00340434161094042557");
    // The shipping fee is a row of its own (the total holds it); an order without tools has none.
    expect(within(orders[1]!).getByTestId("order-shipping")).toHaveTextContent("Shipping€8.21");
    expect(within(orders[0]!).queryByTestId("order-shipping")).toBeNull();
  });

  it("downloads an invoice's PDF under its number", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(<OrdersPage />, { handler: billing("owner") });
    await userEvent.click(await screen.findByRole("button", { name: "Download Invoice AOS-2026-000123 as PDF" }));
    await waitFor(() => expect(saved.map((file) => file.name)).toEqual(["AOS-2026-000123.pdf"]));
    expect(await saved[0]!.body.text()).toBe("%PDF-1.7 invoice");
    expect(requests.find((r) => r.url.endsWith("/pdf"))!.headers.get("Authorization")).toBe("Bearer a");
  });

  it("refunds a pass only after the confirm dialog, with an Idempotency-Key, and names the credit note", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(<OrdersPage />, { handler: billing("admin") });
    const refunds = () => requests.filter((r) => r.url.endsWith("/refund"));
    await userEvent.click(await screen.findByRole("button", { name: "Refund: AIR 1 week" }));
    let dialog = await screen.findByRole("dialog", { name: "Refund this pass?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Keep the pass" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(refunds()).toHaveLength(0);

    await userEvent.click(screen.getByRole("button", { name: "Refund: AIR 1 week" }));
    dialog = await screen.findByRole("dialog", { name: "Refund this pass?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Refund the pass" }));
    expect(await screen.findByText(/Credit note AOS-2026-000124/)).toBeInTheDocument();
    expect(refunds()).toHaveLength(1);
    expect(refunds()[0]!.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{36}$/);
    // The shipped tool is no pass: nothing to refund there.
    expect(screen.queryByRole("button", { name: "Refund: Programming charger" })).toBeNull();
  });

  it("sends the same Idempotency-Key again when a refund got no answer", async () => {
    storeTokens(TOKENS);
    let failNext = true;
    const { requests } = renderWithApp(<OrdersPage />, {
      handler: billing("owner", () => {
        if (failNext) {
          failNext = false;
          throw new TypeError("Failed to fetch");
        }
        return json({ entitlement_id: ENTITLEMENT, credit_note: { id: CREDIT_NOTE.id, number: CREDIT_NOTE.number } });
      }),
    });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await userEvent.click(await screen.findByRole("button", { name: "Refund: AIR 1 week" }));
      await userEvent.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Refund the pass" }));
      if (attempt === 0) expect(await screen.findByText(/could not be reached/)).toBeInTheDocument();
    }
    expect(await screen.findByText(/Credit note AOS-2026-000124/)).toBeInTheDocument();
    const keys = requests.filter((r) => r.url.endsWith("/refund")).map((r) => r.headers.get("Idempotency-Key"));
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
  });

  it("says why a PDF could not be downloaded, and saves nothing", async () => {
    storeTokens(TOKENS);
    renderWithApp(<OrdersPage />, {
      handler: memberGateway("owner", (request) =>
        request.url.endsWith("/pdf")
          ? json({ type: "/problems/invoice-not-found", code: "invoice-not-found", title: "Invoice not found", status: 404 }, 404)
          : new URL(request.url).pathname === "/api/billing/orders"
            ? json({ items: [order("paid")] })
            : json({ items: [] }),
      ),
    });
    await userEvent.click(await screen.findByRole("button", { name: "Download Invoice AOS-2026-000123 as PDF" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Invoice not found");
    expect(saved).toEqual([]);
  });

  it("explains a refused refund", async () => {
    storeTokens(TOKENS);
    renderWithApp(<OrdersPage />, {
      handler: billing("owner", () => json({ type: "/problems/pass-used", code: "pass-used", title: "Pass used", status: 409, detail: "Used." }, 409)),
    });
    await userEvent.click(await screen.findByRole("button", { name: "Refund: AIR 1 week" }));
    await userEvent.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Refund the pass" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("This pass was already used");
  });

  it("starts an accountant on the invoices, filters them by kind, and offers no refund", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(<OrdersPage />, { handler: billing("accountant") });
    const table = await screen.findByRole("table", { name: "Invoices and credit notes" });
    await waitFor(() => expect(within(table).getAllByTestId("invoice")).toHaveLength(2));
    await userEvent.click(screen.getByText("Credit notes"));
    await waitFor(() => expect(within(screen.getByRole("table", { name: "Invoices and credit notes" })).getAllByTestId("invoice").map((row) => row.textContent)).toEqual([expect.stringContaining("AOS-2026-000124")]));
    expect(requests.some((r) => new URL(r.url).searchParams.get("kind") === "credit_note")).toBe(true);
    await userEvent.click(screen.getByRole("tab", { name: "Orders" }));
    await screen.findAllByTestId("order");
    expect(screen.queryByRole("button", { name: /^Refund/ })).toBeNull();
  });

  it("pages through many invoices by offset, within billing's limit, until its total", async () => {
    storeTokens(TOKENS);
    // 45 invoices: billing answers at most `limit` of them from `offset`, with the total.
    const all = Array.from({ length: 45 }, (_, index) => summary({ id: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`, number: `AOS-2026-${String(index + 1).padStart(6, "0")}`, kind: "invoice" }));
    const { requests } = renderWithApp(<OrdersPage />, {
      handler: memberGateway("accountant", (request) => {
        const params = new URL(request.url).searchParams;
        const offset = Number(params.get("offset"));
        return json({ items: all.slice(offset, offset + Number(params.get("limit"))), total: all.length });
      }),
    });
    const rows = () => within(screen.getByRole("table", { name: "Invoices and credit notes" })).getAllByTestId("invoice");
    await waitFor(() => expect(rows()).toHaveLength(20));
    await userEvent.click(screen.getByRole("button", { name: "Show more" }));
    await waitFor(() => expect(rows()).toHaveLength(40));
    await userEvent.click(screen.getByRole("button", { name: "Show more" }));
    await waitFor(() => expect(rows()).toHaveLength(45));
    expect(screen.queryByRole("button", { name: "Show more" })).toBeNull();
    const asked = requests.filter((r) => new URL(r.url).pathname === "/api/billing/invoices").map((r) => new URL(r.url).searchParams);
    expect(asked.map((params) => [params.get("offset"), params.get("limit")])).toEqual([["0", "20"], ["20", "20"], ["40", "20"]]);
  });

  it("has no serious accessibility violation in the orders and the invoices", async () => {
    storeTokens(TOKENS);
    const { container } = renderWithApp(<OrdersPage />, { handler: billing("owner") });
    await screen.findAllByTestId("order");
    expect(await seriousViolations(container)).toEqual([]);
    await userEvent.click(screen.getByRole("tab", { name: "Invoices and credit notes" }));
    await screen.findAllByTestId("invoice");
    expect(await seriousViolations(container)).toEqual([]);
  });
});
