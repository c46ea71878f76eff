import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes, useLocation } from "react-router";
import { afterEach, describe, expect, it } from "vitest";
import { clearTokens, storeTokens } from "../../../test/session";
import { json, me, renderWithApp, TOKENS } from "../../../test/render";
import { AIR_VIN, CATALOG, storedCart } from "../../../test/commerce";
import { AirSearchPage } from "./AirSearchPage";
import { DocumentPage } from "./DocumentPage";

const VIN = "WVWZZZ1JZ3W386752";
const VEHICLE = {
  vin: VIN, manufacturer: "Volkswagen", region: "Europe", type_code: "ZZZ1", series: "Golf IV", model: "Golf", body: null, engine: "1.6",
  model_year: 2003, model_year_code: "3", plant_code: "W", serial_number: "386752", check_digit: "Z", check_digit_expected: "Z",
  check_digit_valid: true, notes: [],
};
const HIT = {
  id: "doc-1", type: "wiring_diagram", title: "Headlight wiring", summary: "The low beam circuit", snippet: "check the «fuse» first",
  series: ["Golf IV"], applicability: {},
};
const SVG = '<svg xmlns="http://www.w3.org/2000/svg"><circle r="3"/></svg>';

function gateway(answer?: (request: Request) => Response | undefined, role = "owner") {
  return (request: Request) => {
    const url = new URL(request.url);
    if (url.pathname === "/api/identity/auth/refresh") return json(TOKENS);
    if (url.pathname === "/api/identity/me") return json(me(role));
    const special = answer?.(request);
    if (special) return special;
    if (url.pathname === "/api/air/documents/search") {
      return json({ vehicle: url.searchParams.get("vin") ? VEHICLE : null, total: 1, limit: 20, offset: 0, items: [HIT] });
    }
    if (url.pathname === "/api/air/documents/doc-1") {
      return json({ ...HIT, body: "1. Open the fuse box.\n2. <b>not html</b>", svg: SVG });
    }
    return json({ title: "Not found", status: 404 }, 404);
  };
}

const app = (
  <Routes>
    <Route path="/air" element={<AirSearchPage />} />
    <Route path="/air/documents/:documentId" element={<DocumentPage />} />
  </Routes>
);

describe("AirSearchPage", () => {
  afterEach(clearTokens);

  it("searches by VIN and shows the decoded vehicle and the results with their type and snippet", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(app, { route: "/air", handler: gateway() });
    await userEvent.type(screen.getByLabelText(/VIN or keywords/), "wvwzzz1jz3 w386752{Enter}");
    const vehicle = await screen.findByRole("region", { name: "Vehicle" });
    expect(vehicle).toHaveTextContent("Golf IV");
    expect(vehicle).toHaveTextContent("2003");
    const result = screen.getByRole("link", { name: "Headlight wiring" }).closest("li")!;
    expect(within(result).getByText("Wiring diagram")).toBeInTheDocument();
    expect(within(result).getByText("fuse").tagName).toBe("MARK");
    const search = requests.map((r) => new URL(r.url)).find((u) => u.pathname === "/api/air/documents/search")!;
    expect(search.searchParams.get("vin")).toBe(VIN);
    expect(search.searchParams.get("q")).toBeNull();
  });

  it("searches by keywords and filters by document type", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(app, { route: "/air", handler: gateway() });
    await userEvent.type(screen.getByLabelText(/VIN or keywords/), "headlight{Enter}");
    await screen.findByText("1 document found");
    await userEvent.click(screen.getByRole("checkbox", { name: "Wiring diagram" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Technical bulletin" }));
    await waitFor(() => {
      const last = requests.map((r) => new URL(r.url)).filter((u) => u.pathname === "/api/air/documents/search").at(-1)!;
      expect(last.searchParams.get("q")).toBe("headlight");
      expect(last.searchParams.getAll("type")).toEqual(["wiring_diagram", "technical_bulletin"]);
    });
  });

  it("offers to buy a pass when AIR needs one", async () => {
    storeTokens(TOKENS);
    renderWithApp(app, {
      route: "/air?q=brakes",
      handler: gateway(() => json({ type: "/problems/air-pass-required", title: "AIR pass required", status: 403, detail: "Buy an AIR pass." }, 403)),
    });
    expect(await screen.findByText("Repair information is available with an active AIR pass.")).toBeInTheDocument();
    expect(await screen.findByRole("link", { name: "Buy a pass" })).toHaveAttribute("href", "/passes");
  });

  it("offers just this car for a VIN without a pass: the per-VIN pass goes into the cart and on to the checkout", async () => {
    storeTokens(TOKENS);
    function CheckoutProbe() {
      return <p>checkout at {useLocation().pathname}</p>;
    }
    renderWithApp(
      <Routes>
        <Route path="/air" element={<AirSearchPage />} />
        <Route path="/checkout" element={<CheckoutProbe />} />
      </Routes>,
      {
        route: `/air?vin=${VIN}`,
        handler: gateway((request) => {
          const path = new URL(request.url).pathname;
          if (path === "/api/billing/catalog/products") return json({ items: CATALOG });
          if (path === "/api/air/documents/search") return json({ type: "/problems/air-pass-required", title: "AIR pass required", status: 403 }, 403);
          return undefined;
        }),
      },
    );
    const offer = await screen.findByTestId("just-this-car-AIR");
    expect(offer).toHaveTextContent(`24 hours of repair information for this vehicle only: ${VIN}`);
    await userEvent.click(within(offer).getByRole("button", { name: "24 h for this car, €11.90" }));
    expect(await screen.findByText("checkout at /checkout")).toBeInTheDocument();
    expect(storedCart()).toEqual([{ product_code: AIR_VIN.code, quantity: 1, vin: VIN }]);
    window.localStorage.clear();
  });

  it("offers no single-car pass for a keyword search", async () => {
    storeTokens(TOKENS);
    renderWithApp(app, {
      route: "/air?q=brakes",
      handler: gateway((request) => {
        const path = new URL(request.url).pathname;
        if (path === "/api/billing/catalog/products") return json({ items: CATALOG });
        if (path === "/api/air/documents/search") return json({ type: "/problems/air-pass-required", title: "AIR pass required", status: 403 }, 403);
        return undefined;
      }),
    });
    await screen.findByRole("link", { name: "Buy a pass" });
    expect(screen.queryByTestId("just-this-car-AIR")).toBeNull();
  });

  it("tells a technician without an AIR pass who may buy one, instead of a buy link", async () => {
    storeTokens(TOKENS);
    renderWithApp(app, {
      route: "/air?q=brakes",
      handler: gateway(() => json({ type: "/problems/air-pass-required", title: "AIR pass required", status: 403, detail: "Buy an AIR pass." }, 403), "technician"),
    });
    expect(await screen.findByText(/^Buying passes is for: Owner, Admin, or Accountant\./)).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Buy a pass" })).not.toBeInTheDocument();
  });

  it("opens a document with its diagram as an image and the body as Markdown without raw HTML", async () => {
    storeTokens(TOKENS);
    const { container } = renderWithApp(app, { route: "/air?q=headlight", handler: gateway() });
    await userEvent.click(await screen.findByRole("link", { name: "Headlight wiring" }));
    expect(await screen.findByRole("heading", { name: "Headlight wiring" })).toBeInTheDocument();
    expect(screen.getByRole("img", { name: "Wiring diagram: Headlight wiring" }).getAttribute("src")).toMatch(/^data:image\/svg\+xml/);
    const steps = screen.getAllByRole("listitem").map((item) => item.textContent);
    expect(steps).toEqual(["Open the fuse box.", "not html"]);
    expect(container.querySelector("b")).toBeNull();
  });
});
