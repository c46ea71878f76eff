import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Schemas } from "../../../lib/api/client";
import { clearTokens, storeTokens } from "../../../test/session";
import { json, memberGateway, renderWithApp, TOKENS } from "../../../test/render";
import { SessionPage } from "./SessionPage";

const SESSION_ID = "00000000-0000-4000-8000-000000000005";
const JOB_ID = "00000000-0000-4000-8000-000000000001";
const ROUTE = `/programming/sessions/${SESSION_ID}`;

function session(state: string, job: Partial<Schemas["JobRead"]> = {}): Schemas["SessionRead"] {
  return {
    id: SESSION_ID,
    agent_id: "00000000-0000-4000-8000-0000000000a1",
    vin: "WBA5F3103MFX12345",
    model_series: "G20",
    state,
    abort_requested: false,
    end_detail: state === "COMPLETED" ? "all jobs succeeded" : null,
    created_at: "2026-03-01T12:00:00Z",
    started_at: state === "PLANNED" ? null : "2026-03-01T12:01:00Z",
    ended_at: state === "COMPLETED" ? "2026-03-01T12:02:00Z" : null,
    estimated_seconds: 36,
    jobs: [
      {
        id: JOB_ID,
        position: 1,
        ecu_logical_address: 0x12,
        ecu_name: "DME",
        ecu_type: "DME_B48",
        reason: "outdated",
        version_before: "1.0.0",
        target_version: "1.1.0",
        estimated_seconds: 36,
        state: state === "COMPLETED" ? "SUCCEEDED" : state === "RUNNING" ? "RUNNING" : "PENDING",
        version_after: state === "COMPLETED" ? "1.1.0" : null,
        detail: null,
        started_at: null,
        finished_at: null,
        bytes_transferred: 0,
        left_in_bootloader: false,
        battery_volts: null,
        progress: null,
        ...job,
      },
    ],
  };
}

const REPORT = {
  session: session("COMPLETED"),
  created_by: "00000000-0000-4000-8000-0000000000b1",
  started_by: "00000000-0000-4000-8000-0000000000b1",
  versions: [
    { logical_address: 0x12, name: "DME", ecu_type: "DME_B48", before: "1.0.0", after: "1.1.0" },
    { logical_address: 0x40, name: "BDC", ecu_type: "BDC_G20", before: "2.3.0", after: "2.3.0" },
  ],
  trace_summary: [
    { job_id: JOB_ID, service_id: 0x36, nrc: 0, count: 96, retried: 1 },
    { job_id: JOB_ID, service_id: 0x31, nrc: 0x78, count: 2, retried: 0 },
  ],
  vehicle_before: {},
  vehicle_after: {},
};

function summary(secondsLeft: number) {
  return {
    as_of: new Date().toISOString(),
    scopes: [
      {
        scope: "PROGRAMMING",
        active: secondsLeft > 0,
        valid_until: secondsLeft > 0 ? new Date(Date.now() + secondsLeft * 1000).toISOString() : null,
        seconds_left: secondsLeft,
      },
    ],
  };
}

/** A text/event-stream body the test writes to while the page reads it. */
function eventStream() {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  return {
    response: () => new Response(body, { headers: { "content-type": "text/event-stream" } }),
    send: (event: string, data: unknown) => controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)),
    close: () => controller.close(),
  };
}

/** The fake gateway: `handler` for the page's calls; the reload's token refresh succeeds and
 * the user is an owner. */
function gateway(handler: (request: Request) => Response | Promise<Response>) {
  return memberGateway("owner", handler);
}

function page() {
  return (
    <Routes>
      <Route path="/programming/sessions/:sessionId" element={<SessionPage live={{ retryMs: 5, maxRetries: 2 }} />} />
    </Routes>
  );
}

/** Ticks the session page's pre-flight checklist, as the technician does at the car. */
async function confirmPreflight() {
  for (const name of [
    "A battery charger is connected and switched on",
    "The ignition is on (engine off)",
    "No other tester or diagnostic device is connected to the vehicle",
  ]) {
    await userEvent.click(await screen.findByRole("checkbox", { name }));
  }
}

describe("SessionPage", () => {
  beforeEach(() => storeTokens(TOKENS));
  afterEach(clearTokens);

  it("shows the plan's estimate against the programming time left and warns when it does not fit", async () => {
    renderWithApp(page(), {
      route: ROUTE,
      handler: gateway((request) => {
        const path = new URL(request.url).pathname;
        if (path === "/api/billing/entitlements/summary") return json(summary(20));
        if (path === `/api/programming/sessions/${SESSION_ID}`) return json(session("PLANNED"));
        return json({ title: "Not found", status: 404 }, 404);
      }),
    });
    const row = (await screen.findAllByTestId("job-row"))[0]!;
    expect(within(row).getByText("1.0.0 → 1.1.0")).toBeInTheDocument();
    expect(within(row).getByText("newer software")).toBeInTheDocument();
    expect(await screen.findByTestId("estimate")).toHaveTextContent("36 s");
    const warning = await screen.findByText(/The plan needs 36 s, but only 2\d s of programming time is left/);
    expect(await within(warning.closest("[role=alert]") as HTMLElement).findByRole("link", { name: "Buy programming time" })).toHaveAttribute("href", "/passes");
    // The warning does not hold the start back; only the pre-flight checklist does.
    await confirmPreflight();
    expect(screen.getByRole("button", { name: "Start programming" })).toBeEnabled();
  });

  it("shows the session's car with a link to its vehicle page", async () => {
    renderWithApp(page(), {
      route: ROUTE,
      handler: gateway((request) => {
        const path = new URL(request.url).pathname;
        if (path === "/api/billing/entitlements/summary") return json(summary(600));
        if (path === `/api/programming/sessions/${SESSION_ID}`) return json(session("PLANNED"));
        return json({ title: "Not found", status: 404 }, 404);
      }),
    });
    const link = await screen.findByRole("link", { name: "WBA5F3103MFX12345" });
    expect(link).toHaveAttribute("href", "/vehicles/WBA5F3103MFX12345");
    expect(link.closest("p")).toHaveTextContent("Vehicle WBA5F3103MFX12345 (G20)");
  });

  it("counts a per-VIN pass for the session's car as programming time", async () => {
    renderWithApp(page(), {
      route: ROUTE,
      handler: gateway((request) => {
        const path = new URL(request.url).pathname;
        if (path === "/api/billing/entitlements/summary")
          return json({ ...summary(0), vin_passes: [{ scope: "PROGRAMMING", vin: "WBA5F3103MFX12345", valid_until: new Date(Date.now() + 3_600_000).toISOString() }] });
        return json(session("PLANNED"));
      }),
    });
    expect(await screen.findByText("Your programming time covers the plan.")).toBeInTheDocument();
  });

  it("does not count a per-VIN pass for another car", async () => {
    renderWithApp(page(), {
      route: ROUTE,
      handler: gateway((request) => {
        const path = new URL(request.url).pathname;
        if (path === "/api/billing/entitlements/summary")
          return json({ ...summary(0), vin_passes: [{ scope: "PROGRAMMING", vin: "WBA8E9C51GK647251", valid_until: new Date(Date.now() + 3_600_000).toISOString() }] });
        return json(session("PLANNED"));
      }),
    });
    expect(await screen.findByText("You have no programming time left.")).toBeInTheDocument();
    expect(screen.queryByText("Your programming time covers the plan.")).toBeNull();
  });

  it("says the time covers the plan when it does", async () => {
    renderWithApp(page(), {
      route: ROUTE,
      handler: gateway((request) => {
        const path = new URL(request.url).pathname;
        if (path === "/api/billing/entitlements/summary") return json(summary(3600));
        return json(session("PLANNED"));
      }),
    });
    expect(await screen.findByText("Your programming time covers the plan.")).toBeInTheDocument();
  });

  it("starts only once every pre-flight check is confirmed", async () => {
    const { requests } = renderWithApp(page(), {
      route: ROUTE,
      handler: gateway((request) => {
        const path = new URL(request.url).pathname;
        if (path === "/api/billing/entitlements/summary") return json(summary(3600));
        if (path.endsWith("/start")) return json(session("RUNNING"), 202);
        return json(session("PLANNED"));
      }),
    });
    const start = await screen.findByRole("button", { name: "Start programming" });
    expect(start).toBeDisabled();
    expect(screen.getByText("Confirm every check to start.")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("checkbox", { name: "A battery charger is connected and switched on" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "The ignition is on (engine off)" }));
    expect(start).toBeDisabled();
    await userEvent.click(screen.getByRole("checkbox", { name: "No other tester or diagnostic device is connected to the vehicle" }));
    expect(start).toBeEnabled();
    expect(screen.queryByText("Confirm every check to start.")).toBeNull();
    await userEvent.click(screen.getByRole("checkbox", { name: "The ignition is on (engine off)" }));
    expect(start).toBeDisabled();
    expect(requests.filter((r) => r.url.endsWith("/start"))).toHaveLength(0);
  });

  it("starts the session, follows its live progress and shows the report when it ends", async () => {
    const stream = eventStream();
    let state = "PLANNED";
    const { requests } = renderWithApp(page(), {
      route: ROUTE,
      handler: gateway((request) => {
        const path = new URL(request.url).pathname;
        if (path === "/api/billing/entitlements/summary") return json(summary(3600));
        if (path.endsWith("/start")) {
          state = "RUNNING";
          return json(session("RUNNING"), 202);
        }
        if (path.endsWith("/events")) return stream.response();
        if (path.endsWith("/report")) return json(REPORT);
        return json(session(state));
      }),
    });
    await confirmPreflight();
    await userEvent.click(await screen.findByRole("button", { name: "Start programming" }));
    await screen.findByText("Live");
    const start = requests.find((r) => r.url.endsWith("/start"))!;
    expect(await start.clone().json()).toEqual({ preflight: { charger_connected: true, ignition_on: true, no_other_tester: true } });
    const events = requests.find((r) => r.url.endsWith("/events"))!;
    expect(events.headers.get("Authorization")).toBe("Bearer a");

    stream.send("snapshot", session("RUNNING"));
    stream.send("progress", { type: "progress", job_id: JOB_ID, phase: "TRANSFERRING", bytes_done: 196_640, bytes_total: 393_280 });
    expect(await screen.findByText("transferring 50 %")).toBeInTheDocument();
    expect(screen.getByRole("progressbar", { name: "DME: transferring 50 %" })).toBeInTheDocument();

    state = "COMPLETED";
    stream.send("job", { type: "job", job_id: JOB_ID, state: "SUCCEEDED" });
    stream.send("session", { type: "session", state: "COMPLETED", detail: "all jobs succeeded" });
    stream.close();

    expect(await screen.findByRole("heading", { name: "Session report" })).toBeInTheDocument();
    expect(screen.getByTestId("session-state")).toHaveTextContent("Completed");
    const [dme, bdc] = screen.getAllByTestId("report-version");
    expect(within(dme!).getByText("1.1.0")).toBeInTheDocument();
    expect(within(bdc!).getByText("2.3.0 (unchanged)")).toBeInTheDocument();
    const transfer = screen.getByText("0x36 TransferData").closest("tr")!;
    expect(within(transfer).getByText("positive")).toBeInTheDocument();
    expect(screen.getByText("0x78 requestCorrectlyReceived-ResponsePending")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Abort" })).not.toBeInTheDocument();
  });

  it("reopens a dropped event stream and takes the state from the new snapshot", async () => {
    let opened = 0;
    renderWithApp(page(), {
      route: ROUTE,
      handler: gateway((request) => {
        const path = new URL(request.url).pathname;
        if (path === "/api/billing/entitlements/summary") return json(summary(3600));
        if (path.endsWith("/events")) {
          opened += 1;
          if (opened === 1) return json({ title: "Bad gateway", status: 502, detail: "programming did not answer" }, 502);
          const stream = eventStream();
          stream.send("snapshot", session("COMPLETED"));
          stream.close();
          return stream.response();
        }
        if (path.endsWith("/report")) return json(REPORT);
        return json(session(opened >= 2 ? "COMPLETED" : "RUNNING"));
      }),
    });
    expect(await screen.findByRole("heading", { name: "Session report" })).toBeInTheDocument();
    expect(opened).toBe(2);
  });

  it("gives up on a stream the server refuses and says to reload", async () => {
    renderWithApp(page(), {
      route: ROUTE,
      handler: gateway((request) => {
        const path = new URL(request.url).pathname;
        if (path === "/api/billing/entitlements/summary") return json(summary(3600));
        if (path.endsWith("/events")) return json({ title: "Session not found", status: 404 }, 404);
        return json(session("RUNNING"));
      }),
    });
    expect(await screen.findByText(/The live connection failed/)).toBeInTheDocument();
  });

  it("shows a job waiting for its ECU", async () => {
    const waiting = { phase: "WAITING_FOR_ECU", bytes_done: 159_744, bytes_total: 393_280 };
    renderWithApp(page(), {
      route: ROUTE,
      handler: gateway((request) => {
        const path = new URL(request.url).pathname;
        if (path === "/api/billing/entitlements/summary") return json(summary(3600));
        if (path.endsWith("/events")) return eventStream().response();
        return json(session("RUNNING", { progress: waiting }));
      }),
    });
    expect(await screen.findByRole("progressbar", { name: "DME: waiting for the ECU 40 %" })).toBeInTheDocument();
  });

  it("shows a flash paused for a low battery and what to do", async () => {
    const waiting = { phase: "WAITING_FOR_VOLTAGE", bytes_done: 159_744, bytes_total: 393_280 };
    renderWithApp(page(), {
      route: ROUTE,
      handler: gateway((request) => {
        const path = new URL(request.url).pathname;
        if (path === "/api/billing/entitlements/summary") return json(summary(3600));
        if (path.endsWith("/events")) return eventStream().response();
        return json(session("RUNNING", { progress: waiting }));
      }),
    });
    expect(await screen.findByRole("progressbar", { name: "DME: Waiting for battery voltage — connect a charger 40 %" })).toBeInTheDocument();
  });

  it("shows the battery readings of a job and who confirmed the checklist in the report", async () => {
    const volts = { at_start: 12.6, min: 11.85, max: 12.71 };
    const ended = {
      ...session("COMPLETED", { battery_volts: volts }),
      preflight: { confirmed_by: "00000000-0000-4000-8000-0000000000b1", confirmed_at: "2026-03-01T12:01:00Z" },
    };
    renderWithApp(page(), {
      route: ROUTE,
      handler: gateway((request) => {
        const path = new URL(request.url).pathname;
        if (path === "/api/billing/entitlements/summary") return json(summary(3600));
        if (path.endsWith("/report")) return json({ ...REPORT, session: ended });
        return json(ended);
      }),
    });
    const row = (await screen.findAllByTestId("job-row"))[0]!;
    expect(within(row).getByTestId("battery-DME")).toHaveTextContent("Battery: 12.60 V at start, 11.85–12.71 V during the flash");
    expect(await screen.findByTestId("report-preflight")).toHaveTextContent("confirmed by user 00000000-0000-4000-8000-0000000000b1");
    const [reportJob] = screen.getAllByTestId("report-job");
    expect(within(reportJob!).getByText(/11\.85–12\.71 V/)).toBeInTheDocument();
  });

  it("says which ECU a given-up job left in its bootloader and what to do next", async () => {
    const failed = { ...session("FAILED", { state: "FAILED", left_in_bootloader: true }), end_detail: "job failed" };
    renderWithApp(page(), {
      route: ROUTE,
      handler: gateway((request) => {
        const path = new URL(request.url).pathname;
        if (path === "/api/billing/entitlements/summary") return json(summary(3600));
        if (path.endsWith("/report")) return json({ ...REPORT, session: failed });
        return json(failed);
      }),
    });
    const alert = await screen.findByTestId("left-in-bootloader");
    expect(alert).toHaveTextContent("DME (0x0012) is left in its bootloader");
    expect(alert).toHaveTextContent("then plan a new session for this vehicle");
  });

  it("shows why starting was refused", async () => {
    renderWithApp(page(), {
      route: ROUTE,
      handler: gateway((request) => {
        const path = new URL(request.url).pathname;
        if (path === "/api/billing/entitlements/summary") return json(summary(3600));
        if (path.endsWith("/start"))
          return json({ type: "/problems/agent-offline", title: "Agent offline", status: 409, detail: "The session's agent is not connected; start it and retry." }, 409);
        return json(session("PLANNED"));
      }),
    });
    await confirmPreflight();
    await userEvent.click(await screen.findByRole("button", { name: "Start programming" }));
    const alert = await screen.findByText("Start the agent on the workshop PC and check its network connection.");
    expect(alert.closest("[role=alert]")).toHaveTextContent("The agent is offline");
    await waitFor(() => expect(screen.getByRole("button", { name: "Start programming" })).toBeEnabled());
  });

  it("shows a session of another organisation as not found, not as a blank page", async () => {
    renderWithApp(page(), {
      route: ROUTE,
      handler: gateway(() => json({ type: "/problems/session-not-found", title: "Session not found", status: 404, detail: `Your organisation has no programming session ${SESSION_ID}.` }, 404)),
    });
    expect(await screen.findByRole("alert")).toHaveTextContent("Session not found");
  });
});
