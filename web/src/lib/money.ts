/** An amount in minor units (cents) as the locale writes it, e.g. "12,34 €" in German. */
export function formatMoney(minor: number, currency: string, locale: string): string {
  return new Intl.NumberFormat(locale, { style: "currency", currency }).format(minor / 100);
}
