import { MantineProvider } from "@mantine/core";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { svgDataUrl } from "../lib/svg";
import { DiagramViewer } from "./DiagramViewer";

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><rect width="400" height="300"/></svg>';
const ALT = "Wiring diagram: Door module";

function show() {
  render(
    <MantineProvider>
      <DiagramViewer src={svgDataUrl(SVG)} alt={ALT} />
    </MantineProvider>,
  );
  return { viewport: screen.getByRole("region", { name: "Zoomable diagram" }), level: () => screen.getByText(/^Zoom: /) };
}

const click = (name: string) => userEvent.click(screen.getByRole("button", { name }));

describe("DiagramViewer", () => {
  // jsdom lays nothing out; give the frame and the picture a size so there is room to move.
  beforeEach(() => {
    vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(400);
    vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockReturnValue(300);
    vi.spyOn(HTMLElement.prototype, "offsetWidth", "get").mockReturnValue(400);
    vi.spyOn(HTMLElement.prototype, "offsetHeight", "get").mockReturnValue(300);
  });
  afterEach(() => vi.restoreAllMocks());

  it("shows the diagram as an image with its alt text and a data: URL, at 100 %", () => {
    const { level } = show();
    const img = screen.getByRole("img", { name: ALT });
    expect(img.tagName).toBe("IMG");
    expect(img.getAttribute("src")).toMatch(/^data:image\/svg\+xml;/);
    // The server's markup is only the image's source, never part of the page.
    expect(document.querySelector("svg rect")).toBeNull();
    expect(level()).toHaveTextContent("Zoom: 100%");
    expect(level()).toHaveAttribute("aria-live", "polite");
  });

  it("zooms in and out with the buttons and shows the zoom level", async () => {
    const { level } = show();
    await click("Zoom in");
    expect(level()).toHaveTextContent("Zoom: 125%");
    await click("Zoom in");
    expect(level()).toHaveTextContent("Zoom: 150%");
    await click("Zoom out");
    expect(level()).toHaveTextContent("Zoom: 125%");
  });

  it("does not zoom out below 100 % nor in beyond 800 %", async () => {
    const { level } = show();
    expect(screen.getByRole("button", { name: "Zoom out" })).toHaveAttribute("aria-disabled", "true");
    await click("Zoom out");
    expect(level()).toHaveTextContent("Zoom: 100%");
    for (let i = 0; i < 10; i++) await click("Zoom in");
    expect(level()).toHaveTextContent("Zoom: 800%");
    const zoomIn = screen.getByRole("button", { name: "Zoom in" });
    expect(zoomIn).toHaveAttribute("aria-disabled", "true");
    // Still focusable at the limit, so keyboard users do not lose their place.
    expect(zoomIn).not.toBeDisabled();
  });

  it("returns to 100 % with Reset", async () => {
    const { level } = show();
    await click("Zoom in");
    await click("Zoom in");
    await click("Reset");
    expect(level()).toHaveTextContent("Zoom: 100%");
  });

  it("can be focused and zoomed with + and -, and reset with 0", async () => {
    const { viewport, level } = show();
    await userEvent.tab();
    await userEvent.tab();
    await userEvent.tab();
    await userEvent.tab();
    expect(viewport).toHaveFocus();
    expect(viewport).toHaveAccessibleDescription(/arrow keys move/);
    await userEvent.keyboard("+");
    expect(level()).toHaveTextContent("Zoom: 125%");
    await userEvent.keyboard("==");
    expect(level()).toHaveTextContent("Zoom: 200%");
    await userEvent.keyboard("-");
    expect(level()).toHaveTextContent("Zoom: 150%");
    await userEvent.keyboard("0");
    expect(level()).toHaveTextContent("Zoom: 100%");
  });

  it("leaves Ctrl and + to the browser", async () => {
    const { viewport, level } = show();
    viewport.focus();
    await userEvent.keyboard("{Control>}+{/Control}");
    expect(level()).toHaveTextContent("Zoom: 100%");
  });

  it("moves the zoomed diagram with the arrow keys", async () => {
    const { viewport } = show();
    const content = screen.getByRole("img", { name: ALT }).parentElement!;
    viewport.focus();
    await userEvent.keyboard("++++");
    const before = content.style.transform;
    await userEvent.keyboard("{ArrowRight}");
    expect(content.style.transform).not.toBe(before);
    await userEvent.keyboard("{ArrowLeft}");
    expect(content.style.transform).toBe(before);
  });

  it("lets the arrow keys scroll the page when there is nothing to move at 100 %", () => {
    const { viewport } = show();
    const event = new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true, cancelable: true });
    viewport.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(false);
  });
});
