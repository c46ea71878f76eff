// The AIR feature's public surface. The document page is not listed: the app loads it lazily
// (it brings the Markdown renderer) from ./routes/DocumentPage. The vehicle page uses the decoded
// vehicle, the catalog and the documents by system from here.
export { useCatalog, useVehicle } from "./api/get-vehicle";
export { useDocumentSearch } from "./api/search-documents";
export type { Catalog, ContentLanguage, Coverage, DocumentList, Engine, SystemFacet, Vehicle } from "./api/types";
export { CatalogView } from "./components/CatalogView";
export { DocumentsBySystem } from "./components/DocumentsBySystem";
export { AirSearchPage } from "./routes/AirSearchPage";
export { engineText } from "./vehicle";
