import { describe, expect, it } from "vitest";
import { formatSeconds, hexAddress, nrcName, serviceName, stateColor } from "./format";

describe("programming formats", () => {
  it("formats durations with the largest unit first and rounds seconds up", () => {
    expect(formatSeconds(0)).toBe("0 s");
    expect(formatSeconds(35.2)).toBe("36 s");
    expect(formatSeconds(125)).toBe("2 min 05 s");
    expect(formatSeconds(3720)).toBe("1 h 02 min");
    expect(formatSeconds(-3)).toBe("0 s");
  });

  it("writes ECU addresses and UDS codes in hex with their ISO 14229 names", () => {
    expect(hexAddress(0x12)).toBe("0x0012");
    expect(serviceName(0x36)).toBe("0x36 TransferData");
    expect(serviceName(0xba)).toBe("0xBA");
    expect(nrcName(0)).toBe("positive");
    expect(nrcName(0x73)).toBe("0x73 wrongBlockSequenceCounter");
    expect(nrcName(0x99)).toBe("0x99");
  });

  it("colours final failures red and success green", () => {
    expect(stateColor("COMPLETED")).toBe("green");
    expect(stateColor("FAILED")).toBe("red");
    expect(stateColor("EXPIRED")).toBe("red");
    expect(stateColor("PLANNED")).toBe("gray");
  });
});
