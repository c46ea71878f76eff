import type { Engine } from "./api/types";

/** An engine in one line: "B48 · 1998 cm³ · 190 kW", the parts the API knows. */
export function engineText(engine: Engine | null): string | null {
  if (engine === null) return null;
  const parts = [engine.code ?? engine.description, engine.displacement_ccm !== null ? `${engine.displacement_ccm} cm³` : null, engine.power_kw !== null ? `${engine.power_kw} kW` : null];
  const shown = parts.filter((part): part is string => part !== null && part !== "");
  return shown.length ? shown.join(" · ") : null;
}

/** A label of the navigation taxonomy by id, else the id itself (a system the facets left out). */
export function labelOf(list: readonly { id: string; label: string }[], id: string): string {
  return list.find((entry) => entry.id === id)?.label ?? id;
}
