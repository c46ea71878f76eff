// Compile-time proof that the portal's service book types agree with the API: every answer the
// gateway's OpenAPI document describes can be used where the portal expects its type, and every
// body the portal sends has the shape the API accepts. `npm run typecheck` fails when they drift.
import type { Schemas } from "../../../lib/api/client";
import type { Schedule, ServiceEntry, ServiceEntryCreate, ServiceEntryList, ServiceEntryUpdate } from "./types";

type Answers<Api, Portal> = Api extends Portal ? true : never;
type Accepted<Portal, Api> = Portal extends Api ? true : never;

export const conformance: [
  Answers<Schemas["ServiceEntryRead"], ServiceEntry>,
  Answers<Schemas["ServiceEntryList"], ServiceEntryList>,
  Answers<Schemas["ScheduleRead"], Schedule>,
  Accepted<ServiceEntryCreate, Schemas["ServiceEntryCreate"]>,
  Accepted<ServiceEntryUpdate, Schemas["ServiceEntryUpdate"]>,
] = [true, true, true, true, true];
