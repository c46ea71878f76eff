import { MantineProvider } from "@mantine/core";
import { act, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import i18n from "../lib/i18n";
import { ApiError } from "../lib/problem";
import { ErrorMessage } from "./ErrorMessage";

const show = (error: unknown) =>
  render(
    <MantineProvider>
      <ErrorMessage error={error} />
    </MantineProvider>,
  );

describe("ErrorMessage", () => {
  it("translates a problem by its code, in English and German", async () => {
    const locked = new ApiError(429, { type: "/problems/rate-limited", code: "rate-limited", title: "Too Many Requests", detail: "limit: 5 per 1 minute" });
    show(locked);
    expect(screen.getByRole("alert")).toHaveTextContent("Too many requestsWait a moment, then try again.");
    expect(screen.getByRole("alert")).not.toHaveTextContent("per 1 minute");
    await act(() => i18n.changeLanguage("de"));
    expect(screen.getByRole("alert")).toHaveTextContent("Zu viele Anfragen");
  });

  it("lists field errors for fields the form does not show, translated, with their field's name", async () => {
    await i18n.changeLanguage("de");
    show(
      new ApiError(422, {
        code: "validation-error",
        title: "Invalid request",
        errors: [{ field: "email", code: "missing", message: "Field required", params: {} }],
      }),
    );
    expect(screen.getByRole("alert")).toHaveTextContent("E-Mail: Bitte füllen Sie dieses Feld aus.");
  });

  it("renders the server's title and detail for a problem the portal does not know", () => {
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
