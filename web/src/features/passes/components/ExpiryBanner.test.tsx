import { screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { formatDateTime } from "../../../lib/datetime";
import { json, memberGateway, renderWithApp, TOKENS } from "../../../test/render";
import { clearTokens, storeTokens } from "../../../test/session";
import { PassesPage } from "../routes/PassesPage";
import { ExpiryBanner } from "./ExpiryBanner";

const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

function summary(airWindows: [number, number][]) {
  const windows = airWindows.map(([from, until]) => ({ valid_from: inHours(from), valid_until: inHours(until), active: from <= 0 }));
  const end = windows.at(-1)?.valid_until ?? null;
  return {
    as_of: new Date().toISOString(),
    scopes: [
      { scope: "AIR", active: end !== null, valid_until: end, seconds_left: 0, windows },
      { scope: "PROGRAMMING", active: false, valid_until: null, seconds_left: 0, windows: [] },
    ],
  };
}

function gateway(role: string, body: unknown) {
  return memberGateway(role, (request) => (new URL(request.url).pathname === "/api/billing/entitlements/summary" ? json(body) : json({ title: "Not found", status: 404 }, 404)));
}

describe("ExpiryBanner", { timeout: 20_000 }, () => {
  afterEach(clearTokens);

  it("warns when AIR ends within a day with nothing after it, with the way to buy more", async () => {
    storeTokens(TOKENS);
    const body = summary([[-20, 3]]);
    renderWithApp(<ExpiryBanner />, { handler: gateway("owner", body) });
    const banner = await screen.findByTestId("expiry-banner");
    expect(banner).toHaveTextContent(`AIR repair information ends on ${formatDateTime(body.scopes[0]!.valid_until!, "en")}, and nothing is bought to follow it.`);
    expect(await screen.findByRole("link", { name: "Buy more time" })).toHaveAttribute("href", "/passes");
  });

  it("tells a technician who buys instead of a buy link", async () => {
    storeTokens(TOKENS);
    renderWithApp(<ExpiryBanner />, { handler: gateway("technician", summary([[-20, 3]])) });
    await waitFor(() => expect(screen.getByTestId("expiry-banner")).toHaveTextContent("Buying passes is for: Owner, Admin, or Accountant."));
    expect(screen.queryByRole("link", { name: "Buy more time" })).toBeNull();
  });

  it("stays away when more time is queued", async () => {
    storeTokens(TOKENS);
    // The passes page reads the same summary: once it shows the AIR time, the banner has it too.
    renderWithApp(
      <>
        <ExpiryBanner />
        <PassesPage />
      </>,
      { handler: gateway("technician", summary([[-20, 3], [3, 27]])) },
    );
    expect(await screen.findByTestId("pass-AIR")).toBeInTheDocument();
    expect(screen.queryByTestId("expiry-banner")).toBeNull();
  });

  it("asks nothing before anyone is signed in", () => {
    const { requests } = renderWithApp(<ExpiryBanner />);
    expect(screen.queryByTestId("expiry-banner")).toBeNull();
    expect(requests).toEqual([]);
  });
});
