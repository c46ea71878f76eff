import { MantineProvider } from "@mantine/core";
import { act, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import i18n from "../lib/i18n";
import { Countdown } from "./Countdown";

const START = new Date("2026-03-01T12:00:00Z");

describe("Countdown", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(START);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const show = (validUntil: string) =>
    render(
      <MantineProvider>
        <Countdown validUntil={validUntil} />
      </MantineProvider>,
    );

  it("shows the time left until valid_until", () => {
    show("2026-03-02T14:03:04Z");
    expect(screen.getByRole("timer")).toHaveTextContent("1d 02h 03m 04s left");
  });

  it("counts down every second", () => {
    show("2026-03-01T12:01:00Z");
    expect(screen.getByRole("timer")).toHaveTextContent("1m 00s left");
    act(() => vi.advanceTimersByTime(1000));
    expect(screen.getByRole("timer")).toHaveTextContent("59s left");
    act(() => vi.advanceTimersByTime(2000));
    expect(screen.getByRole("timer")).toHaveTextContent("57s left");
  });

  it("shows expired when the time runs out", () => {
    show("2026-03-01T12:00:02Z");
    act(() => vi.advanceTimersByTime(2000));
    expect(screen.getByRole("timer")).toHaveTextContent("Expired");
  });

  it("shows expired for a pass that already ended", () => {
    show("2026-02-01T00:00:00Z");
    expect(screen.getByRole("timer")).toHaveTextContent("Expired");
  });

  it("speaks the user's language", async () => {
    await act(() => i18n.changeLanguage("de"));
    show("2026-03-01T12:00:30Z");
    expect(screen.getByRole("timer")).toHaveTextContent("noch 30s");
  });
});
