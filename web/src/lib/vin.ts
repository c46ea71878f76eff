/** Vehicle identification numbers (ISO 3779): 17 characters, digits and A–Z without I, O, Q. */
export const VIN_LENGTH = 17;

export type VinProblem = "length" | "forbidden-letters" | "invalid-characters";

/** What a person typed, as a VIN: upper case, spaces removed. */
export function normalizeVin(raw: string): string {
  return raw.replace(/\s+/g, "").toUpperCase();
}

/** Why `vin` (already normalised) is not a VIN, or null when it is one. */
export function vinProblem(vin: string): VinProblem | null {
  if (/[^A-Z0-9]/.test(vin)) return "invalid-characters";
  // I, O and Q are left out of VINs so they cannot be mistaken for 1 and 0.
  if (/[IOQ]/.test(vin)) return "forbidden-letters";
  if (vin.length !== VIN_LENGTH) return "length";
  return null;
}
