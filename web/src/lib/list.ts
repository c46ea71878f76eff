/** "a, b, or c" / "a, b oder c": alternatives in the reader's language. */
export function formatAlternatives(items: readonly string[], language: string): string {
  return new Intl.ListFormat(language, { style: "long", type: "disjunction" }).format(items);
}
