import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import i18n from "../../../lib/i18n";
import { json, memberGateway, renderWithApp, TOKENS } from "../../../test/render";
import { seriousViolations } from "../../../test/axe";
import { clearTokens, storeTokens } from "../../../test/session";
import { UsagePage } from "./UsagePage";

const NOW = () => new Date(2026, 2, 10, 15, 0);
const VIN = "WBA3A5C50CF256985";

const gateway = memberGateway("accountant", (request) => {
  const url = new URL(request.url);
  const params = url.searchParams;
  if (url.pathname === "/api/billing/usage") {
    if (params.get("from") === "2025-01-01") {
      // Billing's answer to a period longer than it reports.
      const error = { field: "query.to", code: "period-too-long", message: "the period spans 434 days; at most 366 are allowed", params: { days: 434, max_days: 366 } };
      return json({ type: "/problems/usage-period-invalid", code: "usage-period-invalid", title: "Invalid report period", status: 422, errors: [error] }, 422);
    }
    const counts = { air_searches: 12, air_documents: 30, programming_sessions: 2, programming_jobs: 7 };
    if (params.get("group_by") === "member") {
      return json({ items: [{ key: "00000000-0000-4000-8000-000000000077", member_name: "Tim Technik", member_email: "tim@werkstatt.example", ...counts }], from: params.get("from"), to: params.get("to") });
    }
    const key = params.get("group_by") === "vin" ? VIN : "2026-03-09";
    return json({ items: [{ key, ...counts }], from: params.get("from"), to: params.get("to") });
  }
  if (url.pathname === "/api/billing/usage.csv") {
    return new Response(`key,air_searches\n${params.get("group_by")},12\n`, {
      headers: { "content-type": "text/csv", "content-disposition": `attachment; filename="usage-${params.get("from")}-${params.get("to")}.csv"` },
    });
  }
  if (url.pathname === "/api/billing/usage/passes") {
    return json({
      items: [{ entitlement_id: "e1", scope: "AIR", vin: null, valid_from: "2026-03-01T08:00:00Z", valid_until: "2026-03-02T08:00:00Z", bought_seconds: 86_400, used_seconds: 21_600 }],
    });
  }
  return json({ title: "Not found", status: 404 }, 404);
});

const usageRequests = (requests: Request[], path: string) => requests.filter((r) => new URL(r.url).pathname === path).map((r) => new URL(r.url).searchParams);

describe("UsagePage", { timeout: 20_000 }, () => {
  const saved: { name: string; blob: Blob }[] = [];
  beforeEach(() => {
    saved.length = 0;
    let current: Blob | null = null;
    URL.createObjectURL = (object: Blob | MediaSource) => {
      current = object as Blob;
      return "blob:portal/csv";
    };
    URL.revokeObjectURL = () => undefined;
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ name: this.download, blob: current! });
    });
  });
  afterEach(() => {
    clearTokens();
    vi.restoreAllMocks();
  });

  it("shows the last 30 days by day, then by VIN, with the four counts", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(<UsagePage now={NOW} />, { handler: gateway });
    const row = await screen.findByTestId("usage-row");
    expect(within(row).getAllByRole("cell").map((cell) => cell.textContent)).toEqual(["2026-03-09", "12", "30", "2", "7"]);
    expect(usageRequests(requests, "/api/billing/usage")[0]!.toString()).toBe("from=2026-02-09&to=2026-03-10&group_by=day");
    await userEvent.click(screen.getByText("VIN"));
    await waitFor(() => expect(screen.getByTestId("usage-row")).toHaveTextContent(VIN));
  });

  it("downloads the report as CSV for the chosen range and grouping", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(<UsagePage now={NOW} />, { handler: gateway });
    await screen.findByTestId("usage-row");
    await userEvent.click(screen.getByText("Member"));
    await userEvent.click(screen.getByRole("button", { name: "Download CSV" }));
    await waitFor(() => expect(saved.map((file) => file.name)).toEqual(["usage-2026-02-09-2026-03-10.csv"]));
    expect(await saved[0]!.blob.text()).toBe("key,air_searches\nmember,12\n");
    expect(usageRequests(requests, "/api/billing/usage.csv")[0]!.get("group_by")).toBe("member");
  });

  it("asks nothing for a range that ends before it starts, and says why", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(<UsagePage now={NOW} />, { handler: gateway });
    await screen.findByTestId("usage-row");
    const before = usageRequests(requests, "/api/billing/usage").length;
    const from = screen.getByLabelText("From");
    await userEvent.clear(from);
    await userEvent.type(from, "2026-04-01");
    expect(await screen.findByText("The first day comes after the last one.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Download CSV" })).toBeDisabled();
    expect(screen.queryByTestId("usage-row")).toBeNull();
    expect(usageRequests(requests, "/api/billing/usage")).toHaveLength(before);
  });

  it("names the member of a member row, not its id", async () => {
    storeTokens(TOKENS);
    renderWithApp(<UsagePage now={NOW} />, { handler: gateway });
    await screen.findByTestId("usage-row");
    await userEvent.click(screen.getByText("Member"));
    await waitFor(() => expect(within(screen.getByTestId("usage-row")).getAllByRole("cell")[0]).toHaveTextContent(/^Tim Technik \(tim@werkstatt\.example\)$/));
  });

  it("shows billing's refusal of a too long period at the last day, in German too", async () => {
    storeTokens(TOKENS);
    renderWithApp(<UsagePage now={NOW} />, { handler: gateway });
    await screen.findByTestId("usage-row");
    const from = screen.getByLabelText("From");
    await userEvent.clear(from);
    await userEvent.type(from, "2025-01-01");
    expect(await screen.findByText("Choose at most 366 days (this period has 434).")).toBeInTheDocument();
    await act(() => i18n.changeLanguage("de"));
    try {
      expect(await screen.findByText("Wählen Sie höchstens 366 Tage (dieser Zeitraum hat 434).")).toBeInTheDocument();
      expect(screen.getByText("Dieser Zeitraum kann nicht ausgewertet werden")).toBeInTheDocument();
    } finally {
      await act(() => i18n.changeLanguage("en"));
    }
  });

  it("shows per pass the time used against the time bought", async () => {
    storeTokens(TOKENS);
    renderWithApp(<UsagePage now={NOW} />, { handler: gateway });
    const pass = await screen.findByTestId("pass-usage");
    expect(pass).toHaveTextContent("AIR repair information");
    expect(pass).toHaveTextContent("6 h of 24 h used");
    expect(within(pass).getByRole("progressbar")).toHaveAttribute("aria-valuenow", "25");
  });

  it("has no serious accessibility violation", async () => {
    storeTokens(TOKENS);
    const { container } = renderWithApp(<UsagePage now={NOW} />, { handler: gateway });
    await screen.findByTestId("usage-row");
    await screen.findByTestId("pass-usage");
    expect(await seriousViolations(container)).toEqual([]);
  });
});
