import { fetchFile } from "../../../lib/api/call";
import type { ApiClient } from "../../../lib/api/client";

/** GET /api/billing/invoices/{id}/pdf: the invoice or credit note as PDF, named `<number>.pdf`.
 * Through fetchFile: the generated client has no type for a PDF answer and keeps no header, and
 * the file name is in Content-Disposition. */
export function downloadInvoice(api: ApiClient, { id, number }: { id: string; number: string }) {
  return fetchFile(api, `/api/billing/invoices/${encodeURIComponent(id)}/pdf`, { fallbackName: `${number}.pdf` });
}
