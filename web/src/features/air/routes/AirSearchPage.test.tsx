import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes, useLocation } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { clearTokens, storeTokens } from "../../../test/session";
import { json, me, renderWithApp, TOKENS } from "../../../test/render";
import { AIR_VIN, CATALOG, storedCart } from "../../../test/commerce";
import { AIR_PASS_REQUIRED, BMW_VIN, catalog, documentList, HITS, NOT_COVERED, vehicle, VW_VIN } from "../../../test/air";
import i18n from "../../../lib/i18n";
import { AirSearchPage } from "./AirSearchPage";
import { DocumentPage } from "./DocumentPage";

const VIN = VW_VIN;
const HIT = HITS[0]!;
const SVG = '<svg xmlns="http://www.w3.org/2000/svg"><circle r="3"/></svg>';
const WIRING = { ...HIT, id: "doc-1", type: "wiring_diagram" as const, title: "Headlight wiring", summary: "The low beam circuit", snippet: "check the «fuse» first", system: "lighting", component: "headlights" };

function gateway(answer?: (request: Request) => Response | undefined, role = "owner") {
  return (request: Request) => {
    const url = new URL(request.url);
    if (url.pathname === "/api/identity/auth/refresh") return json(TOKENS);
    if (url.pathname === "/api/identity/me") return json(me(role));
    const special = answer?.(request);
    if (special) return special;
    if (url.pathname === "/api/air/documents/search") {
      const vin = url.searchParams.get("vin");
      return json(documentList({ vehicle: vin ? vehicle({ vin }) : null, total: 1, items: [WIRING] }));
    }
    if (url.pathname === "/api/air/documents/doc-1") {
      return json({ ...WIRING, body: "1. Open the fuse box.\n2. <b>not html</b>", svg: SVG, available_languages: ["en"] });
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

  it("searches by VIN and shows the decoded vehicle, a link to its page and its documents by system", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(app, { route: "/air", handler: gateway() });
    await userEvent.type(screen.getByLabelText(/VIN or keywords/), "wvwzzz1jz3 w386752{Enter}");
    const card = await screen.findByRole("region", { name: "Vehicle" });
    expect(card).toHaveTextContent("G20");
    expect(card).toHaveTextContent("2021");
    expect(card).toHaveTextContent("B48 · 1998 cm³ · 190 kW");
    expect(within(card).getByRole("link", { name: "Open the vehicle page" })).toHaveAttribute("href", `/vehicles/${VIN}`);
    // An empty search with a VIN: the documents grouped by system, each opened for that car.
    const lighting = within(screen.getByTestId("documents-by-system")).getByRole("region", { name: "lighting" });
    expect(within(lighting).getByRole("link", { name: "Headlight wiring" })).toHaveAttribute("href", `/air/documents/doc-1?vin=${VIN}&lang=en`);
    const search = requests.map((r) => new URL(r.url)).find((u) => u.pathname === "/api/air/documents/search")!;
    expect(search.searchParams.get("vin")).toBe(VIN);
    expect(search.searchParams.get("q")).toBeNull();
    expect(search.searchParams.get("lang")).toBe("en");
  });

  it("lists keyword hits with their type and the snippet's matches marked", async () => {
    storeTokens(TOKENS);
    renderWithApp(app, { route: "/air?q=fuse", handler: gateway() });
    const result = (await screen.findByRole("link", { name: "Headlight wiring" })).closest("li")!;
    expect(within(result).getByText("Wiring diagram")).toBeInTheDocument();
    expect(within(result).getByText("fuse").tagName).toBe("MARK");
  });

  it("sends a VIN and keywords in one box as they were typed, and shows the car the server took from them", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(app, {
      route: "/air",
      handler: gateway((request) => {
        const url = new URL(request.url);
        if (url.pathname !== "/api/air/documents/search") return undefined;
        return json(documentList({ vehicle: vehicle(), vin_from_query: BMW_VIN, total: 1, items: [HITS[0]!] }));
      }),
    });
    await userEvent.type(screen.getByLabelText(/VIN or keywords/), `${BMW_VIN} brake pads{Enter}`);
    expect(await screen.findByRole("region", { name: "Vehicle" })).toHaveTextContent(BMW_VIN);
    // Keywords with the VIN: a list of hits, read for that car.
    expect(screen.getByRole("link", { name: "Front brake pads and discs: replace" })).toHaveAttribute(
      "href",
      `/air/documents/ri-g20-front-brake-pads-discs?vin=${BMW_VIN}&lang=en`,
    );
    const search = requests.map((r) => new URL(r.url)).find((u) => u.pathname === "/api/air/documents/search")!;
    expect(search.searchParams.get("q")).toBe(`${BMW_VIN} brake pads`);
    expect(search.searchParams.get("vin")).toBeNull();
  });

  it("shows the server's hints and runs a suggestion again as a new search", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(app, {
      route: "/air?q=brake+pdas",
      handler: gateway((request) => {
        const url = new URL(request.url);
        if (url.pathname !== "/api/air/documents/search") return undefined;
        if (url.searchParams.get("q") === "brake pdas") {
          return json(documentList({ total: 0, items: [], facets: { systems: [], types: [] }, suggestions: ["brake pads"], hints: ["No document has all of these words."] }));
        }
        return json(documentList({ total: 1, items: [HITS[0]!] }));
      }),
    });
    expect(await screen.findByTestId("search-hints")).toHaveTextContent("No document has all of these words.");
    expect(screen.getByRole("status")).toHaveTextContent("0 documents found");
    await userEvent.click(screen.getByRole("button", { name: "brake pads?" }));
    expect(await screen.findByRole("link", { name: "Front brake pads and discs: replace" })).toBeInTheDocument();
    expect(screen.getByLabelText(/VIN or keywords/)).toHaveValue("brake pads");
    const last = requests.map((r) => new URL(r.url)).filter((u) => u.pathname === "/api/air/documents/search").at(-1)!;
    expect(last.searchParams.get("q")).toBe("brake pads");
  });

  it("marks a result in another language than the portal's, and asks in the portal's language", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(app, {
      route: "/air?q=brake",
      handler: gateway((request) => (new URL(request.url).pathname === "/api/air/documents/search" ? json(documentList({ items: HITS.slice(0, 2), total: 2 })) : undefined)),
    });
    const english = (await screen.findByRole("link", { name: "Front brake pads and discs: replace" })).closest("li")!;
    const german = screen.getByRole("link", { name: "Bremsbeläge hinten mit elektrischer Parkbremse" }).closest("li")!;
    expect(within(english).queryByTestId("language-badge")).toBeNull();
    expect(within(german).getByTestId("language-badge")).toHaveTextContent("DE (German)");
    expect(within(german).getByRole("link")).toHaveAttribute("href", "/air/documents/ri-g20-rear-brake-pads-epb?lang=de");
    const search = requests.find((r) => new URL(r.url).pathname === "/api/air/documents/search")!;
    expect(new URL(search.url).searchParams.get("lang")).toBe("en");
    expect(search.headers.get("Accept-Language")).toBe("en");
  });

  it("searches in German once the portal is switched to German", async () => {
    storeTokens(TOKENS);
    await i18n.changeLanguage("de");
    const { requests } = renderWithApp(app, {
      route: "/air?q=Bremsbel%C3%A4ge+wechseln",
      handler: gateway((request) => (new URL(request.url).pathname === "/api/air/documents/search" ? json(documentList({ language: "de", items: [HITS[1]!], total: 1 })) : undefined)),
    });
    const german = (await screen.findByRole("link", { name: "Bremsbeläge hinten mit elektrischer Parkbremse" })).closest("li")!;
    // In the portal's own language: no badge.
    expect(within(german).queryByTestId("language-badge")).toBeNull();
    const search = requests.find((r) => new URL(r.url).pathname === "/api/air/documents/search")!;
    expect(new URL(search.url).searchParams.get("lang")).toBe("de");
    expect(new URL(search.url).searchParams.get("q")).toBe("Bremsbeläge wechseln");
    expect(search.headers.get("Accept-Language")).toBe("de");
  });

  it("narrows by system and then component with the facets' counts, and back to all systems", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(app, {
      route: "/air?q=brake",
      handler: gateway((request) => (new URL(request.url).pathname === "/api/air/documents/search" ? json(documentList()) : undefined)),
    });
    const pathway = await screen.findByRole("navigation", { name: "Systems" });
    // The type filter says how many of each type the search found.
    expect(screen.getByRole("checkbox", { name: "Repair instruction" })).toHaveAccessibleDescription("3 documents");
    await userEvent.click(within(pathway).getByRole("button", { name: "Brakes (2)" }));
    await userEvent.click(await within(pathway).findByRole("button", { name: "Parking brake (1)" }));
    const searches = () => requests.map((r) => new URL(r.url)).filter((u) => u.pathname === "/api/air/documents/search");
    await waitFor(() => {
      const last = searches().at(-1)!;
      expect(last.searchParams.get("system")).toBe("brakes");
      expect(last.searchParams.get("component")).toBe("parking_brake");
      expect(last.searchParams.get("q")).toBe("brake");
    });
    expect(within(pathway).getByText("Parking brake")).toHaveAttribute("aria-current", "location");
    // Back to the top (answered from the cache: the first search asked the same).
    await userEvent.click(within(pathway).getByRole("button", { name: "All systems" }));
    expect(await within(pathway).findByRole("button", { name: "Brakes (2)" })).toBeInTheDocument();
    expect(within(pathway).getByText("All systems")).toHaveAttribute("aria-current", "location");
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
          if (path === `/api/air/vehicles/${VIN}/catalog`) return json(catalog({ vehicle: vehicle({ vin: VIN }) }));
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

  it("shows the catalog for a VIN without a pass: the decoded car and the titles by system, no content", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(app, {
      route: `/air?vin=${BMW_VIN}`,
      handler: gateway((request) => {
        const path = new URL(request.url).pathname;
        if (path === "/api/air/documents/search") return json(AIR_PASS_REQUIRED, 403);
        if (path === `/api/air/vehicles/${BMW_VIN}/catalog`) return json(catalog());
        return undefined;
      }),
    });
    expect(await screen.findByRole("alert")).toHaveTextContent("An AIR pass is needed");
    const listing = await screen.findByTestId("air-catalog");
    expect(listing).toHaveTextContent("3 documents apply to this vehicle. Buy AIR access to read these");
    const brakes = within(listing).getByRole("region", { name: "Brakes" });
    expect(brakes).toHaveTextContent("Front brake pads and discs: replace");
    expect(brakes).toHaveTextContent("(2)");
    // Titles only: nothing to open before buying.
    expect(within(listing).queryAllByRole("link")).toEqual([]);
    expect(screen.getByRole("region", { name: "Vehicle" })).toHaveTextContent("G20");
    const asked = requests.find((r) => new URL(r.url).pathname.endsWith("/catalog"))!;
    expect(new URL(asked.url).searchParams.get("lang")).toBe("en");
  });

  it("shows the catalog without a pass for a VIN typed among keywords", async () => {
    storeTokens(TOKENS);
    const { requests } = renderWithApp(app, {
      route: `/air?q=${BMW_VIN}+brake`,
      handler: gateway((request) => {
        const path = new URL(request.url).pathname;
        if (path === "/api/air/documents/search") return json(AIR_PASS_REQUIRED, 403);
        if (path === `/api/air/vehicles/${BMW_VIN}/catalog`) return json(catalog());
        return undefined;
      }),
    });
    expect(await screen.findByTestId("air-catalog")).toHaveTextContent("Front brake pads and discs: replace");
    expect(requests.some((r) => new URL(r.url).pathname === `/api/air/vehicles/${BMW_VIN}/catalog`)).toBe(true);
  });

  it("shows a vehicle the portal does not cover with its note and the server's hint, and no documents", async () => {
    storeTokens(TOKENS);
    renderWithApp(app, {
      route: `/air?vin=${VW_VIN}`,
      handler: gateway((request) =>
        new URL(request.url).pathname === "/api/air/documents/search"
          ? json(documentList({ vehicle: NOT_COVERED, total: 0, items: [], facets: { systems: [], types: [] }, hints: ["Volkswagen vehicles are not covered by this portal."] }))
          : undefined,
      ),
    });
    const card = await screen.findByRole("region", { name: "Vehicle" });
    expect(within(card).getByTestId("coverage-note")).toHaveTextContent("Volkswagen vehicles are not covered by this portal: it has no documents");
    expect(screen.getByTestId("search-hints")).toHaveTextContent("Volkswagen vehicles are not covered by this portal.");
    expect(screen.getByRole("status")).toHaveTextContent("0 documents found");
    expect(screen.queryByTestId("search-result")).toBeNull();
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

  it("shows a document's language, switches to the other one, and saves its PDF for the car", async () => {
    storeTokens(TOKENS);
    const saved: string[] = [];
    URL.createObjectURL = () => "blob:pdf";
    URL.revokeObjectURL = () => undefined;
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this.download);
    });
    {
      const { requests } = renderWithApp(app, {
        route: `/air/documents/ri-g20-front-brake-pads-discs?vin=${BMW_VIN}&lang=en`,
        handler: gateway((request) => {
          const url = new URL(request.url);
          if (url.pathname === "/api/air/documents/ri-g20-front-brake-pads-discs") {
            const german = url.searchParams.get("lang") === "de";
            return json({ ...HITS[0]!, title: german ? "Bremsbeläge vorn" : "Front brake pads", language: german ? "de" : "en", body: "Text", svg: null, available_languages: ["en", "de"] });
          }
          if (url.pathname === "/api/air/documents/ri-g20-front-brake-pads-discs/pdf") {
            return new Response("%PDF-1.7", { headers: { "content-type": "application/pdf", "content-disposition": 'attachment; filename="front-brake-pads.pdf"' } });
          }
          return undefined;
        }),
      });
      expect(await screen.findByRole("heading", { name: "Front brake pads" })).toBeInTheDocument();
      expect(screen.getByTestId("language-badge")).toHaveTextContent("EN");
      await userEvent.click(screen.getByRole("link", { name: "Read in German" }));
      expect(await screen.findByRole("heading", { name: "Bremsbeläge vorn" })).toHaveAttribute("lang", "de");
      await userEvent.click(screen.getByRole("button", { name: "PDF" }));
      await waitFor(() => expect(saved).toEqual(["front-brake-pads.pdf"]));
      expect(screen.queryByRole("alert")).toBeNull();
      // Read for the car (a per-VIN pass reads only its documents), in each language asked.
      const reads = requests.map((r) => new URL(r.url)).filter((u) => u.pathname === "/api/air/documents/ri-g20-front-brake-pads-discs");
      expect(reads.map((u) => [u.searchParams.get("vin"), u.searchParams.get("lang")])).toEqual([
        [BMW_VIN, "en"],
        [BMW_VIN, "de"],
      ]);
      const pdf = requests.map((r) => new URL(r.url)).find((u) => u.pathname.endsWith("/pdf"))!;
      expect(pdf.searchParams.get("vin")).toBe(BMW_VIN);
      expect(pdf.searchParams.get("lang")).toBe("de");
    }
    vi.restoreAllMocks();
  });

  it("prints the document alone", async () => {
    storeTokens(TOKENS);
    const print = vi.spyOn(window, "print").mockImplementation(() => undefined);
    renderWithApp(app, { route: "/air/documents/doc-1", handler: gateway() });
    await userEvent.click(await screen.findByRole("button", { name: "Print" }));
    expect(print).toHaveBeenCalledOnce();
    expect(document.body).toHaveClass("aos-print-document");
    window.dispatchEvent(new Event("afterprint"));
    expect(document.body).not.toHaveClass("aos-print-document");
    print.mockRestore();
  });
});
