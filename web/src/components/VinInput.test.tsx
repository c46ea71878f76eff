import { MantineProvider } from "@mantine/core";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { VinInput } from "./VinInput";

function Harness({ onVin }: { onVin: (vin: string, valid: boolean) => void }) {
  const [vin, setVin] = useState("");
  return (
    <MantineProvider>
      <VinInput
        value={vin}
        onChange={(next, valid) => {
          setVin(next);
          onVin(next, valid);
        }}
      />
      <button type="button">elsewhere</button>
    </MantineProvider>
  );
}

describe("VinInput", () => {
  it("upper-cases what is typed and drops spaces", async () => {
    const onVin = vi.fn();
    render(<Harness onVin={onVin} />);
    await userEvent.type(screen.getByLabelText(/VIN/), "wvw zzz1jz3w386752");
    expect(screen.getByLabelText(/VIN/)).toHaveValue("WVWZZZ1JZ3W386752");
    expect(onVin).toHaveBeenLastCalledWith("WVWZZZ1JZ3W386752", true);
    expect(screen.queryByText(/exactly 17/)).not.toBeInTheDocument();
  });

  it("explains at once that I, O and Q are not allowed", async () => {
    const onVin = vi.fn();
    render(<Harness onVin={onVin} />);
    await userEvent.type(screen.getByLabelText(/VIN/), "wvwo");
    expect(screen.getByText("A VIN never contains the letters I, O or Q.")).toBeInTheDocument();
    expect(onVin).toHaveBeenLastCalledWith("WVWO", false);
  });

  it("complains about the length once the field is left", async () => {
    render(<Harness onVin={vi.fn()} />);
    await userEvent.type(screen.getByLabelText(/VIN/), "WVWZZZ1JZ3");
    expect(screen.queryByText(/exactly 17/)).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "elsewhere" }));
    expect(screen.getByText("A VIN has exactly 17 characters (this one has 10).")).toBeInTheDocument();
    expect(screen.getByLabelText(/VIN/)).toHaveAttribute("aria-invalid", "true");
  });

  it("refuses an 18th character", async () => {
    const onVin = vi.fn();
    render(<Harness onVin={onVin} />);
    await userEvent.type(screen.getByLabelText(/VIN/), "WVWZZZ1JZ3W3867521");
    expect(onVin).toHaveBeenLastCalledWith("WVWZZZ1JZ3W3867521", false);
    expect(screen.getByText(/exactly 17 characters \(this one has 18\)/)).toBeInTheDocument();
  });
});
