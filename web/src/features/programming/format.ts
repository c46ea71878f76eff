/** Display helpers for programming: durations, ECU addresses and UDS codes. */

/** "45 s", "2 min 05 s", "1 h 02 min": a plan's estimate or time left, rounded up to seconds. */
export function formatSeconds(seconds: number): string {
  const total = Math.max(0, Math.ceil(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, "0")} min`;
  if (minutes > 0) return `${minutes} min ${String(rest).padStart(2, "0")} s`;
  return `${rest} s`;
}

/** "0x0012": an ECU's DoIP logical address. */
export function hexAddress(address: number): string {
  return `0x${address.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** "0x36": a UDS service id or NRC. */
export function hexByte(value: number): string {
  return `0x${value.toString(16).toUpperCase().padStart(2, "0")}`;
}

// ISO 14229-1 names of the services and negative response codes a flash uses.
const SERVICES: Record<number, string> = {
  0x10: "DiagnosticSessionControl",
  0x11: "ECUReset",
  0x14: "ClearDiagnosticInformation",
  0x22: "ReadDataByIdentifier",
  0x27: "SecurityAccess",
  0x28: "CommunicationControl",
  0x2e: "WriteDataByIdentifier",
  0x31: "RoutineControl",
  0x34: "RequestDownload",
  0x36: "TransferData",
  0x37: "RequestTransferExit",
  0x3e: "TesterPresent",
  0x85: "ControlDTCSetting",
};

const NRCS: Record<number, string> = {
  0x00: "positive",
  0x10: "generalReject",
  0x11: "serviceNotSupported",
  0x12: "subFunctionNotSupported",
  0x13: "incorrectMessageLengthOrInvalidFormat",
  0x22: "conditionsNotCorrect",
  0x24: "requestSequenceError",
  0x31: "requestOutOfRange",
  0x33: "securityAccessDenied",
  0x35: "invalidKey",
  0x36: "exceededNumberOfAttempts",
  0x37: "requiredTimeDelayNotExpired",
  0x70: "uploadDownloadNotAccepted",
  0x71: "transferDataSuspended",
  0x72: "generalProgrammingFailure",
  0x73: "wrongBlockSequenceCounter",
  0x78: "requestCorrectlyReceived-ResponsePending",
  0x7f: "serviceNotSupportedInActiveSession",
};

/** "0x36 TransferData"; unknown services keep just their number. */
export function serviceName(serviceId: number): string {
  const name = SERVICES[serviceId];
  return name ? `${hexByte(serviceId)} ${name}` : hexByte(serviceId);
}

/** "0x73 wrongBlockSequenceCounter", "positive" for 0. */
export function nrcName(nrc: number): string {
  if (nrc === 0) return NRCS[0] ?? "positive";
  const name = NRCS[nrc];
  return name ? `${hexByte(nrc)} ${name}` : hexByte(nrc);
}

export const TERMINAL_STATES: ReadonlySet<string> = new Set(["COMPLETED", "EXPIRED", "ABORTED", "FAILED"]);

/** Mantine colour of a session or job state. */
export function stateColor(state: string): string {
  switch (state) {
    case "COMPLETED":
    case "SUCCEEDED":
      return "green";
    case "RUNNING":
      return "blue";
    case "FAILED":
    case "REFUSED":
    case "EXPIRED":
      return "red";
    case "ABORTED":
    case "SKIPPED":
      return "orange";
    default:
      return "gray";
  }
}
