/**
 * Hands a file to the browser's download (the "save" of a PDF invoice or a CSV report). The
 * object URL is released once the click has been dispatched, so nothing stays in memory.
 */
export function saveFile({ blob, filename }: { blob: Blob; filename: string }): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.rel = "noopener";
  link.style.display = "none";
  document.body.append(link);
  try {
    link.click();
  } finally {
    link.remove();
    // Revoked on the next task: some browsers read the URL only after click() returned.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}
