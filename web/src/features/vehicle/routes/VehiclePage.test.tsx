import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router";
import { afterEach, describe, expect, it } from "vitest";
import i18n from "../../../lib/i18n";
import { AIR_PASS_REQUIRED, BMW_VIN, catalog, documentList, NOT_COVERED, schedule, scheduleItem, serviceEntry, vehicle, VW_VIN } from "../../../test/air";
import { json, memberGateway, renderWithApp, TOKENS } from "../../../test/render";
import { clearTokens, storeTokens } from "../../../test/session";
import type { ServiceEntry } from "../api/types";
import { today } from "../format";
import { VehiclePage } from "./VehiclePage";

const DUE = schedule([
  scheduleItem({ rule_id: "brake_fluid", title: "Brake fluid", status: "overdue", due_date: "2026-05-01", document_id: "ri-brake-fluid" }),
  scheduleItem({ rule_id: "engine_oil", title: "Engine oil", status: "ok", due_mileage_km: 72000, last_done: { entry_id: "e1", performed_on: "2026-11-20", mileage_km: 42000 } }),
  scheduleItem({ rule_id: "spark_plugs", title: "Spark plugs", status: "due", due_mileage_km: 60000 }),
  scheduleItem({ rule_id: "cabin_filter", title: "Cabin filter", status: "due_soon", due_date: "2027-01-10" }),
  scheduleItem({ rule_id: "vehicle_check", title: "Vehicle check", status: "unknown", basis: "unknown" }),
]);

interface Fakes {
  vehicle?: unknown;
  entries?: ServiceEntry[] | "no-pass";
  schedule?: unknown;
  documents?: "pass" | "no-pass";
  role?: string;
  write?: (request: Request) => Response | Promise<Response>;
}

/** AIR as the page meets it: the vehicle, its service book, what is due, its documents. */
function air({ vehicle: car = vehicle(), entries = [serviceEntry()], schedule: due = DUE, documents = "pass", role = "technician", write }: Fakes = {}) {
  return memberGateway(role, (request) => {
    const url = new URL(request.url);
    const path = url.pathname;
    const vin = (car as { vin: string }).vin;
    if (request.method !== "GET") return write ? write(request) : json({ title: "Not found", status: 404 }, 404);
    if (path === `/api/air/vehicles/${vin}`) return json(car);
    if (path === `/api/air/vehicles/${vin}/service-entries`) return entries === "no-pass" ? json(AIR_PASS_REQUIRED, 403) : json({ vin, items: entries });
    if (path === `/api/air/vehicles/${vin}/schedule`) return entries === "no-pass" ? json(AIR_PASS_REQUIRED, 403) : json(due);
    if (path === "/api/air/documents/search") return documents === "no-pass" ? json(AIR_PASS_REQUIRED, 403) : json(documentList({ vehicle: car as never }));
    if (path === `/api/air/vehicles/${vin}/catalog`) return json(catalog());
    if (path === "/api/billing/catalog/products") return json({ items: [] });
    return json({ title: "Not found", status: 404, detail: `no fake for ${path}` }, 404);
  });
}

const page = (
  <Routes>
    <Route path="/vehicles/:vin" element={<VehiclePage />} />
  </Routes>
);

function open(fakes: Fakes = {}, vin = BMW_VIN) {
  storeTokens(TOKENS);
  return renderWithApp(page, { route: `/vehicles/${vin}`, handler: air(fakes) });
}

const history = () => screen.getByRole("region", { name: "Service history" });

describe("VehiclePage", { timeout: 20_000 }, () => {
  afterEach(clearTokens);

  it("shows the vehicle's data decoded from the VIN", async () => {
    open();
    const facts = await screen.findByRole("region", { name: "Vehicle data" });
    for (const shown of ["BMW", "330i", "G20", "Sedan", "B48 · 1998 cm³ · 190 kW", "Petrol", "8-speed automatic", "Rear-wheel drive (RWD)", "2021", "Munich", "S2VB (Tyre pressure monitor)"]) {
      expect(facts).toHaveTextContent(shown);
    }
    expect(screen.queryByTestId("coverage")).toBeNull();
  });

  it("lists what is due with each status in words, the due point, the last time and the job's document", async () => {
    const { requests } = open();
    const table = await screen.findByRole("table", { name: "Maintenance items" });
    const status = (rule: string) => within(within(table).getByTestId(`due-${rule}`)).getByTestId("due-status");
    expect(status("brake_fluid")).toHaveTextContent("Overdue");
    expect(status("spark_plugs")).toHaveTextContent("Due");
    expect(status("cabin_filter")).toHaveTextContent("Due soon");
    expect(status("engine_oil")).toHaveTextContent("OK");
    expect(status("vehicle_check")).toHaveTextContent("Unknown");
    expect(within(table).getByTestId("due-engine_oil")).toHaveTextContent("72,000 km");
    expect(within(table).getByTestId("due-engine_oil")).toHaveTextContent("Nov 20, 2026, 42,000 km");
    expect(within(table).getByTestId("due-brake_fluid")).toHaveTextContent("May 1, 2026");
    expect(within(table).getByRole("link", { name: "Instructions: Brake fluid" })).toHaveAttribute("href", `/air/documents/ri-brake-fluid?vin=${BMW_VIN}`);

    // Today's odometer and the first registration go to the schedule.
    await userEvent.type(screen.getByLabelText("Mileage today"), "45000");
    await userEvent.type(screen.getByLabelText("First registration"), "2021-03-15");
    await userEvent.click(screen.getByRole("button", { name: "Show what is due" }));
    await waitFor(() => {
      const asked = requests.map((r) => new URL(r.url)).filter((u) => u.pathname.endsWith("/schedule")).at(-1)!;
      expect(asked.searchParams.get("mileage_km")).toBe("45000");
      expect(asked.searchParams.get("first_registration")).toBe("2021-03-15");
      expect(asked.searchParams.get("lang")).toBe("en");
    });
  });

  it("shows the history newest first with the workshop, work, parts, note and next due", async () => {
    open({ entries: [serviceEntry(), serviceEntry({ id: "old", performed_on: "2024-10-01", mileage_km: 21000, kind: "inspection", own: false, editable: false, workshop: { name: "Autohaus Nord", city: "Hamburg" }, work_items: ["vehicle_check"], parts: [], note: "" })] });
    const entries = await within(await screen.findByRole("region", { name: "Service history" })).findAllByTestId("service-entry");
    expect(entries.map((entry) => entry.getAttribute("aria-label"))).toEqual(["Nov 20, 2026 · 42,000 km · Oil service", "Oct 1, 2024 · 21,000 km · Inspection"]);
    const newest = entries[0]!;
    expect(newest).toHaveTextContent("Werkstatt Muster GmbH, München");
    // A work item naming a rule shows the job's name; others as written.
    expect(newest).toHaveTextContent("Engine oil");
    expect(newest).toHaveTextContent("Wiper blades replaced");
    expect(within(newest).getByRole("table")).toHaveTextContent("11428575211");
    expect(newest).toHaveTextContent("Note: Customer asked for a check of the wipers.");
    expect(newest).toHaveTextContent("Next due: Nov 20, 2028 or 72,000 km");
    expect(entries[1]).toHaveTextContent("Autohaus Nord, Hamburg");
    // Another workshop's entry: nothing to change.
    expect(within(entries[1]!).queryByRole("button")).toBeNull();
  });

  it("adds an entry with the right body: kind, today's date, mileage, rule ids and free text, parts, note", async () => {
    let posted: unknown = null;
    const { requests } = open({
      write: async (request) => {
        posted = await request.json();
        return json(serviceEntry({ id: "new" }), 201);
      },
    });
    await userEvent.click(await screen.findByRole("button", { name: "Add entry" }));
    const form = screen.getByTestId("entry-form");
    expect(within(form).getByLabelText(/^Date/)).toHaveValue(today());
    expect(within(form).getByLabelText("Kind")).toHaveValue("oil_service");
    await userEvent.type(within(form).getByLabelText(/^Mileage/), "45000");
    await userEvent.click(within(form).getByRole("checkbox", { name: "Engine oil" }));
    await userEvent.click(within(form).getByRole("checkbox", { name: "Cabin filter" }));
    await userEvent.type(within(form).getByLabelText("Other work"), "Wiper blades replaced");
    await userEvent.click(within(form).getByRole("button", { name: "Add a part" }));
    await userEvent.type(within(form).getByLabelText("Part number (row 1)"), "83212365946");
    await userEvent.clear(within(form).getByLabelText("Quantity (row 1)"));
    await userEvent.type(within(form).getByLabelText("Quantity (row 1)"), "5");
    await userEvent.type(within(form).getByLabelText("Description (row 1)"), "Engine oil 0W-20, litre");
    await userEvent.type(within(form).getByLabelText("Note"), "Oil level checked");
    await userEvent.click(within(form).getByRole("button", { name: "Add entry" }));
    expect(await screen.findByText("The entry was added to the service history.")).toBeInTheDocument();
    expect(posted).toEqual({
      kind: "oil_service",
      performed_on: today(),
      mileage_km: 45000,
      work_items: ["engine_oil", "cabin_filter", "Wiper blades replaced"],
      parts: [{ number: "83212365946", quantity: 5, description: "Engine oil 0W-20, litre" }],
      note: "Oil level checked",
    });
    const post = requests.find((r) => r.method === "POST")!;
    expect(new URL(post.url).pathname).toBe(`/api/air/vehicles/${BMW_VIN}/service-entries`);
    // The history and what is due are asked again.
    await waitFor(() => expect(requests.filter((r) => r.url.includes("/service-entries") && r.method === "GET")).toHaveLength(2));
    expect(screen.queryByTestId("entry-form")).toBeNull();
  });

  it("sends the next due date and mileage only when given", async () => {
    let posted: Record<string, unknown> | null = null;
    open({
      write: async (request) => {
        posted = (await request.json()) as Record<string, unknown>;
        return json(serviceEntry(), 201);
      },
    });
    await userEvent.click(await screen.findByRole("button", { name: "Add entry" }));
    const form = screen.getByTestId("entry-form");
    await userEvent.selectOptions(within(form).getByLabelText("Kind"), "brake_fluid");
    await userEvent.type(within(form).getByLabelText(/^Mileage/), "45000");
    await userEvent.type(within(form).getByLabelText(/^Next due on/), "2028-12-01");
    await userEvent.type(within(form).getByLabelText(/^Next due at/), "90000");
    await userEvent.click(within(form).getByRole("button", { name: "Add entry" }));
    await waitFor(() => expect(posted).not.toBeNull());
    expect(posted).toMatchObject({ kind: "brake_fluid", next_due_date: "2028-12-01", next_due_mileage_km: 90000 });
  });

  it("shows the API's field errors next to their fields and keeps the form", async () => {
    open({
      write: () =>
        json(
          {
            type: "/problems/validation-failed",
            code: "validation-failed",
            title: "Invalid request",
            status: 422,
            errors: [
              { field: "mileage_km", code: "greater_than_equal", message: "Input should be greater than or equal to 0", params: { ge: 0 } },
              { field: "parts.0.quantity", code: "greater_than", message: "Input should be greater than 0", params: { gt: 0 } },
            ],
          },
          422,
        ),
    });
    await userEvent.click(await screen.findByRole("button", { name: "Add entry" }));
    const form = screen.getByTestId("entry-form");
    await userEvent.click(within(form).getByRole("button", { name: "Add a part" }));
    await userEvent.click(within(form).getByRole("button", { name: "Add entry" }));
    const mileage = within(form).getByLabelText(/^Mileage/);
    await waitFor(() => expect(mileage).toHaveAttribute("aria-invalid", "true"));
    expect(within(form).getByLabelText("Quantity (row 1)")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByTestId("entry-form")).toBeInTheDocument();
  });

  it("offers edit and void on an own entry while it is editable, and saves an edit with its revision", async () => {
    let patched: { url: string; body: unknown } | null = null;
    open({
      write: async (request) => {
        patched = { url: new URL(request.url).pathname, body: await request.json() };
        return json(serviceEntry({ revision: 3 }));
      },
      entries: [serviceEntry({ revision: 2 })],
    });
    const entry = (await within(await screen.findByRole("region", { name: "Service history" })).findAllByTestId("service-entry"))[0]!;
    expect(entry).toHaveTextContent(/Editable until Dec 4, 2026/);
    expect(within(entry).queryByRole("button", { name: /^Write a correction/ })).toBeNull();
    await userEvent.click(within(entry).getByRole("button", { name: /^Edit: / }));
    const form = screen.getByTestId("entry-form");
    expect(within(form).getByLabelText(/^Mileage/)).toHaveValue("42,000 km");
    expect(within(form).getByRole("checkbox", { name: "Engine oil" })).toBeChecked();
    expect(within(form).getByLabelText("Other work")).toHaveValue("Wiper blades replaced");
    await userEvent.clear(within(form).getByLabelText("Note"));
    await userEvent.type(within(form).getByLabelText("Note"), "Wipers fine");
    await userEvent.click(within(form).getByRole("button", { name: "Save changes" }));
    expect(await screen.findByText("The entry was changed.")).toBeInTheDocument();
    expect(patched).toEqual({
      url: `/api/air/service-entries/${serviceEntry().id}`,
      body: expect.objectContaining({
        note: "Wipers fine",
        mileage_km: 42000,
        revision: 2,
        work_items: ["engine_oil", "Wiper blades replaced"],
        next_due_date: "2028-11-20",
        next_due_mileage_km: 72000,
      }),
    });
    expect((patched as unknown as { body: object }).body).not.toHaveProperty("corrects");
  });

  it("says an entry that became final meanwhile cannot be edited, and how to correct it", async () => {
    open({
      write: () =>
        json({ type: "/problems/service-entry-final", code: "service-entry-final", title: "Service entry is final", status: 409, detail: "Write a correction with corrects." }, 409),
    });
    const entry = (await within(await screen.findByRole("region", { name: "Service history" })).findAllByTestId("service-entry"))[0]!;
    await userEvent.click(within(entry).getByRole("button", { name: /^Edit: / }));
    await userEvent.click(within(screen.getByTestId("entry-form")).getByRole("button", { name: "Save changes" }));
    const alert = await within(screen.getByTestId("entry-form")).findByRole("alert");
    expect(alert).toHaveTextContent("The entry is final");
    expect(alert).toHaveTextContent("Write a correction instead");
  });

  it("voids an own entry only after a confirmation", async () => {
    const voided: string[] = [];
    open({
      write: (request) => {
        voided.push(new URL(request.url).pathname);
        return json(serviceEntry({ status: "voided" }));
      },
    });
    const entry = (await within(await screen.findByRole("region", { name: "Service history" })).findAllByTestId("service-entry"))[0]!;
    await userEvent.click(within(entry).getByRole("button", { name: /^Void: / }));
    expect(voided).toEqual([]);
    await userEvent.click(within(entry).getByRole("button", { name: "Void entry" }));
    await waitFor(() => expect(voided).toEqual([`/api/air/service-entries/${serviceEntry().id}/void`]));
  });

  it("hides edit once the entry is final and offers a correction that refers to it", async () => {
    let posted: Record<string, unknown> | null = null;
    open({
      entries: [serviceEntry({ editable: false, editable_until: "2026-12-01T10:00:00Z" })],
      write: async (request) => {
        posted = (await request.json()) as Record<string, unknown>;
        return json(serviceEntry({ id: "fix" }), 201);
      },
    });
    const entry = (await within(await screen.findByRole("region", { name: "Service history" })).findAllByTestId("service-entry"))[0]!;
    expect(within(entry).queryByRole("button", { name: /^Edit/ })).toBeNull();
    expect(within(entry).queryByRole("button", { name: /^Void/ })).toBeNull();
    expect(entry).toHaveTextContent("Final: corrections are new entries.");
    await userEvent.click(within(entry).getByRole("button", { name: /^Write a correction: / }));
    const form = screen.getByTestId("entry-form");
    expect(within(form).getByLabelText(/^Mileage/)).toHaveValue("42,000 km");
    await userEvent.click(within(form).getByRole("button", { name: "Save correction" }));
    await waitFor(() => expect(posted).not.toBeNull());
    expect(posted).toMatchObject({ corrects: serviceEntry().id, mileage_km: 42000, kind: "oil_service" });
  });

  it("strikes a voided entry through with a label, and links corrections both ways", async () => {
    open({
      entries: [
        serviceEntry({ id: "fix", corrects: "old-one", editable: false }),
        serviceEntry({ id: "old-one", status: "voided", corrected_by: ["fix"], editable: false }),
      ],
    });
    const [fix, old] = await within(await screen.findByRole("region", { name: "Service history" })).findAllByTestId("service-entry");
    expect(within(old!).getByText("Voided")).toBeInTheDocument();
    expect(within(old!).getByText("Nov 20, 2026 · 42,000 km · Oil service")).toHaveStyle({ textDecoration: "line-through" });
    expect(within(old!).queryByRole("button")).toBeNull();
    expect(within(old!).getByRole("link", { name: "Corrected by a later entry" })).toHaveAttribute("href", "#entry-fix");
    expect(within(fix!).getByRole("link", { name: "Corrects an earlier entry" })).toHaveAttribute("href", "#entry-old-one");
  });

  it("offers no writing to a role that may not write", async () => {
    open({ role: "accountant" });
    const entries = await within(await screen.findByRole("region", { name: "Service history" })).findAllByTestId("service-entry");
    expect(screen.queryByRole("button", { name: "Add entry" })).toBeNull();
    expect(within(entries[0]!).queryByRole("button")).toBeNull();
  });

  it("says a vehicle of another maker is not covered: its data and the note, no documents and no service book", async () => {
    const { requests } = open({ vehicle: NOT_COVERED }, VW_VIN);
    expect(await screen.findByTestId("coverage")).toHaveTextContent("Not covered by this portal");
    expect(screen.getByTestId("coverage")).toHaveTextContent("Volkswagen vehicles are not covered by this portal");
    expect(screen.getByRole("region", { name: "Vehicle data" })).toHaveTextContent("VW");
    expect(screen.queryByRole("region", { name: "Service history" })).toBeNull();
    expect(screen.queryByRole("region", { name: "Documents by system" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Add entry" })).toBeNull();
    const asked = requests.map((r) => new URL(r.url).pathname).filter((path) => path.startsWith("/api/air/"));
    expect(asked).toEqual([`/api/air/vehicles/${VW_VIN}`]);
  });

  it("shows what is known of an unknown vehicle and keeps its service book", async () => {
    open({ vehicle: vehicle({ coverage: "unknown_vehicle", coverage_note: "The type code 5F31 is not in the table: the series and engine are unknown.", series: null, model: null, engine: null }) });
    expect(await screen.findByTestId("coverage")).toHaveTextContent("Unknown vehicle");
    expect(screen.getByTestId("coverage")).toHaveTextContent("The type code 5F31 is not in the table");
    expect(screen.getByRole("region", { name: "Vehicle data" })).toHaveTextContent("2021");
    expect(await screen.findByRole("button", { name: "Add entry" })).toBeInTheDocument();
  });

  it("lists the documents by system for the car with a pass", async () => {
    open();
    const documents = await screen.findByRole("region", { name: "Documents by system" });
    const engine = await within(documents).findByRole("region", { name: "Engine" });
    expect(within(engine).getByRole("link", { name: "Engine oil and filter: change (B48)" })).toHaveAttribute("href", `/air/documents/ri-b48-engine-oil?vin=${BMW_VIN}&lang=en`);
    expect(engine).toHaveTextContent("Lubrication");
  });

  it("without a pass: the catalog and the way to buy, the history asks for a pass, and adding an entry still works", async () => {
    let posted = false;
    open({
      role: "owner",
      documents: "no-pass",
      entries: "no-pass",
      write: () => {
        posted = true;
        return json(serviceEntry(), 201);
      },
    });
    const documents = await screen.findByRole("region", { name: "Documents by system" });
    const listing = await within(documents).findByTestId("air-catalog");
    expect(listing).toHaveTextContent("3 documents apply to this vehicle. Buy AIR access to read these");
    expect(within(listing).getByRole("region", { name: "Brakes" })).toHaveTextContent("Front brake pads and discs: replace");
    expect(within(listing).getByRole("link", { name: "Buy a pass" })).toHaveAttribute("href", "/passes");
    expect(within(history()).getByRole("status")).toHaveTextContent("Service history is repair and maintenance information");
    expect(within(screen.getByRole("region", { name: "What is due" })).getByRole("status")).toHaveTextContent("An AIR pass is needed");
    // The known jobs stand in for the schedule's names.
    await userEvent.click(screen.getByRole("button", { name: "Add entry" }));
    const form = screen.getByTestId("entry-form");
    expect(within(form).getByRole("checkbox", { name: "Engine oil and filter" })).toBeInTheDocument();
    await userEvent.type(within(form).getByLabelText(/^Mileage/), "45000");
    await userEvent.click(within(form).getByRole("button", { name: "Add entry" }));
    await waitFor(() => expect(posted).toBe(true));
  });

  it("speaks German: statuses, workshop terms, and numbers and dates as German writes them", async () => {
    await i18n.changeLanguage("de");
    const { requests } = open();
    const table = await screen.findByRole("table", { name: "Wartungsplan" });
    expect(within(within(table).getByTestId("due-brake_fluid")).getByTestId("due-status")).toHaveTextContent("Überfällig");
    expect(within(within(table).getByTestId("due-cabin_filter")).getByTestId("due-status")).toHaveTextContent("Bald fällig");
    expect(within(table).getByTestId("due-engine_oil")).toHaveTextContent("72.000 km");
    const book = screen.getByRole("region", { name: "Serviceheft" });
    expect((await within(book).findAllByTestId("service-entry"))[0]).toHaveAttribute("aria-label", "20.11.2026 · 42.000 km · Ölservice");
    expect(within(book).getByRole("button", { name: "Eintrag hinzufügen" })).toBeInTheDocument();
    expect(within(book).getByRole("button", { name: /^Stornieren: / })).toBeInTheDocument();
    const asked = requests.find((r) => new URL(r.url).pathname.endsWith("/schedule"))!;
    expect(new URL(asked.url).searchParams.get("lang")).toBe("de");
    expect(asked.headers.get("Accept-Language")).toBe("de");
  });

  it("says so when the address holds no VIN, and asks nothing", async () => {
    const { requests } = open({}, "WBA5F3103MFX1234");
    expect(await screen.findByRole("alert")).toHaveTextContent("A VIN has exactly 17 characters (this one has 16).");
    expect(requests.filter((r) => new URL(r.url).pathname.startsWith("/api/air/"))).toEqual([]);
  });
});
