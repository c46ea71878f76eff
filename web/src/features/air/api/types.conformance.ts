// Compile-time proof that the portal's own AIR types agree with the API: every answer the
// gateway's OpenAPI document describes can be used where the portal expects its type.
// `npm run typecheck` fails when they drift (after `make openapi`).
import type { Schemas } from "../../../lib/api/client";
import type { Catalog, DocumentList, DocumentRead, Vehicle } from "./types";

type Answers<Api, Portal> = Api extends Portal ? true : never;

export const conformance: [
  Answers<Schemas["VehicleRead"], Vehicle>,
  Answers<Schemas["VehicleCatalog"], Catalog>,
  Answers<Schemas["DocumentList"], DocumentList>,
  Answers<Schemas["DocumentRead"], DocumentRead>,
] = [true, true, true, true];
