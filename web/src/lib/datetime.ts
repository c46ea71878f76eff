/** A moment as the reader's language writes it, to the minute ("11.12.2026, 07:22" in German). */
export function formatDateTime(moment: string | number | Date, language: string): string {
  return new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" }).format(new Date(moment));
}
