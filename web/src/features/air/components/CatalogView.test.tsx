import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { catalog } from "../../../test/air";
import { renderWithApp } from "../../../test/render";
import { CatalogView } from "./CatalogView";

describe("CatalogView", () => {
  it("says when only the first page of titles is listed, and that the counts cover them all", async () => {
    const page = catalog();
    renderWithApp(<CatalogView catalog={{ ...page, total: page.items.length + 40 }} offer={false} />);

    expect(await screen.findByText(`The first ${page.items.length} of ${page.items.length + 40} titles are listed; the counts above cover all of them.`)).toBeInTheDocument();
  });

  it("says nothing of pages when every title is listed", async () => {
    renderWithApp(<CatalogView catalog={catalog()} offer={false} />);

    expect(await screen.findByTestId("air-catalog")).toBeInTheDocument();
    expect(screen.queryByText(/titles are listed/)).not.toBeInTheDocument();
  });
});
