import { MantineProvider } from "@mantine/core";
import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ApiError } from "../lib/problem";
import { ErrorMessage } from "./ErrorMessage";

const show = (error: unknown) =>
  render(
    <MantineProvider>
      <ErrorMessage error={error} />
    </MantineProvider>,
  );

describe("ErrorMessage", () => {
  it("renders the problem's title and detail as an alert", () => {
    show(new ApiError(422, { title: "Validation failed", detail: "Fix these fields and retry: email: invalid" }));
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("Validation failed");
    expect(alert).toHaveTextContent("Fix these fields and retry: email: invalid");
  });

  it("renders a readable message for an error without a problem body", () => {
    show(new ApiError(503, null));
    expect(screen.getByRole("alert")).toHaveTextContent("The server answered with an error (HTTP 503).");
  });

  it("renders the network message when the server could not be reached", () => {
    show(new TypeError("Failed to fetch"));
    expect(screen.getByRole("alert")).toHaveTextContent("The server could not be reached");
  });

  it("is never blank for an unknown value", () => {
    show(undefined);
    expect(screen.getByRole("alert")).toHaveTextContent("Something went wrong");
  });
});
