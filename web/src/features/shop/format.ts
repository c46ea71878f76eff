/** A VAT rate in basis points as a percentage in the reader's language: 1900 → "19", 2550 → "25.5" ("25,5" in German). */
export function formatRate(rateBp: number, language: string): string {
  return new Intl.NumberFormat(language, { maximumFractionDigits: 2 }).format(rateBp / 100);
}
