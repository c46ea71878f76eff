import { useMutation } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { saveFile } from "../../../lib/download";
import { downloadInvoice } from "../api/download-invoice";

/** Saves an invoice's PDF; `variables` says which one is on its way. */
export function useInvoiceDownload() {
  const api = useApi();
  return useMutation({
    mutationFn: async (invoice: { id: string; number: string }) => saveFile(await downloadInvoice(api, invoice)),
  });
}
