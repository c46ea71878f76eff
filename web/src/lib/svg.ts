/**
 * SVG markup from the server as an image source. An SVG shown through <img> cannot run scripts
 * or reach the page (unlike markup put into the DOM), so server SVG is never inserted as HTML.
 */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
