import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderWithApp } from "../test/render";
import { Markdown } from "./Markdown";

describe("Markdown", () => {
  it("renders headings below the page title, lists and GitHub tables with header cells", () => {
    renderWithApp(<Markdown>{"## Pin assignment\n\n| Pin | Signal |\n|---|---|\n| 6 | CAN high |\n\n1. Measure\n2. Compare"}</Markdown>);
    expect(screen.getByRole("heading", { level: 2, name: "Pin assignment" })).toBeInTheDocument();
    const table = screen.getByRole("table");
    expect(within(table).getByRole("columnheader", { name: "Signal" })).toBeInTheDocument();
    expect(within(table).getByRole("cell", { name: "CAN high" })).toBeInTheDocument();
    expect(screen.getAllByRole("listitem").map((item) => item.textContent)).toEqual(["Measure", "Compare"]);
  });

  it("drops raw HTML, images and script links", () => {
    const { container } = renderWithApp(
      <Markdown>{'Text <script>alert(1)</script><b onclick="x()">bold</b>\n\n![x](https://elsewhere.example/x.png)\n\n[run](javascript:alert(1)) [manual](https://aos.example/m)'}</Markdown>,
    );
    expect(container.querySelector("script, b, img")).toBeNull();
    expect(screen.getByRole("link", { name: "manual" })).toHaveAttribute("href", "https://aos.example/m");
    const run = screen.getByText("run");
    expect(run.getAttribute("href") ?? "").not.toContain("javascript");
  });
});
