// The AIR feature's public surface. The document page is not listed: the app loads it lazily
// (it brings the Markdown renderer) from ./routes/DocumentPage.
export { AirSearchPage } from "./routes/AirSearchPage";
