import { Alert, Button, Checkbox, Group, Loader, Stack, Text, TextInput, Title } from "@mantine/core";
import { type FormEvent, startTransition, useOptimistic, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { ApiError } from "../../../lib/problem";
import { BuyPassLink } from "../../passes";
import { JustThisCar } from "../../shop";
import { useDocumentSearch } from "../api/search-documents";
import type { DocumentType } from "../api/types";
import { useCatalog } from "../api/get-vehicle";
import { CatalogView } from "../components/CatalogView";
import { DocumentsBySystem } from "../components/DocumentsBySystem";
import { SearchResults } from "../components/SearchResults";
import { type Pathway, SystemFacets } from "../components/SystemFacets";
import { VehicleCard } from "../components/VehicleCard";
import { DOCUMENT_TYPES, isDocumentType, parseSearch, vinIn } from "../search";

/**
 * AIR: one box for a VIN and/or keywords, the hints and "did you mean" of the answer, facets by
 * system/component and type, the results. Without a pass, a VIN shows the catalog of what
 * applies to that car (browse before buying) with the ways to buy.
 */
export function AirSearchPage() {
  const { t } = useTranslation();
  // The search lives in the URL, so back/forward and reloads keep it.
  const [params, setParams] = useSearchParams();
  const vin = params.get("vin");
  const q = params.get("q");
  const types = params.getAll("type").filter(isDocumentType);
  const pathway: Pathway = { system: params.get("system"), component: params.get("system") ? params.get("component") : null };
  const [input, setInput] = useState(vin ?? q ?? "");
  // A URL change is rendered in a transition (React Router), so a filter shown straight from the
  // URL would spring back unchecked until that render lands; the choice is shown at once.
  const [shownTypes, showTypes] = useOptimistic(types);

  const search = useDocumentSearch({ vin, q, types, ...pathway });
  const noPass = search.error instanceof ApiError && search.error.slug === "air-pass-required";
  // The car the search is about: the VIN field, else a VIN among the words.
  const searchedVin = vin ?? search.data?.vin_from_query ?? vinIn(q);
  const catalog = useCatalog(searchedVin, { enabled: noPass });

  const apply = (next: { text?: string; types?: DocumentType[]; pathway?: Pathway }) => {
    const parsed = parseSearch(next.text ?? input);
    const out = new URLSearchParams();
    if (parsed?.vin) out.set("vin", parsed.vin);
    if (parsed?.q) out.set("q", parsed.q);
    for (const type of next.types ?? types) out.append("type", type);
    // A new search starts at the top of the pathway; a filter keeps it.
    const path = next.pathway ?? (next.text === undefined ? pathway : { system: null, component: null });
    if (path.system) out.set("system", path.system);
    if (path.system && path.component) out.set("component", path.component);
    setParams(out);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply({ text: input });
  };
  /** "Did you mean": the suggestion replaces the words, the vehicle stays. */
  const trySuggestion = (suggestion: string) => {
    const car = vin ?? search.data?.vin_from_query ?? null;
    const text = car ? `${car} ${suggestion}` : suggestion;
    setInput(text);
    apply({ text });
  };
  const data = search.data;
  const facetTypes = new Map((data?.facets.types ?? []).map((facet) => [facet.type, facet.count]));
  // An empty search with a VIN: the car's documents by system, not a flat list.
  const bySystem = data !== undefined && data.vehicle !== null && (q === null || q.trim() === data.vin_from_query);

  return (
    <Stack>
      <Title order={1} size="h2">
        {t("air.title")}
      </Title>
      <form onSubmit={submit} role="search">
        <Group align="end">
          <TextInput
            label={t("air.searchLabel")}
            description={t("air.searchDescription")}
            value={input}
            onChange={(e) => setInput(e.currentTarget.value)}
            style={{ flex: 1, minWidth: "12rem" }}
            autoFocus
          />
          <Button type="submit">{t("air.search")}</Button>
        </Group>
      </form>
      <Checkbox.Group
        label={t("air.filter")}
        value={shownTypes}
        onChange={(value) => {
          const chosen = value.filter(isDocumentType);
          startTransition(() => {
            showTypes(chosen);
            apply({ types: chosen });
          });
        }}
      >
        <Group mt="xs">
          {DOCUMENT_TYPES.map((type) => (
            <Checkbox
              key={type}
              value={type}
              label={t(`air.types.${type}`)}
              description={facetTypes.has(type) ? t("air.facets.count", { count: facetTypes.get(type) }) : undefined}
            />
          ))}
        </Group>
      </Checkbox.Group>

      {search.isFetching && <Loader aria-label={t("app.loading")} />}
      {noPass ? (
        <>
          <Alert color="yellow" title={t("air.noPassTitle")} role="alert">
            <Stack align="start">
              <Text>{t("air.noPass")}</Text>
              <BuyPassLink label={t("air.buyPass")} />
              {searchedVin !== null && <JustThisCar scope="AIR" vin={searchedVin} />}
            </Stack>
          </Alert>
          {catalog.isError && <ErrorMessage error={catalog.error} />}
          {catalog.isSuccess && (
            <>
              <VehicleCard vehicle={catalog.data.vehicle} />
              <CatalogView catalog={catalog.data} offer={false} />
            </>
          )}
        </>
      ) : (
        search.isError && <ErrorMessage error={search.error} />
      )}
      {data !== undefined && !noPass && (
        <>
          {data.hints.length > 0 && (
            <Alert color="blue" variant="light" data-testid="search-hints">
              <Stack gap={4}>
                {data.hints.map((hint) => (
                  <Text key={hint} size="sm">
                    {hint}
                  </Text>
                ))}
              </Stack>
            </Alert>
          )}
          {data.suggestions.length > 0 && (
            <Group gap="xs">
              <Text>{t("air.didYouMean")}</Text>
              {data.suggestions.map((suggestion) => (
                <Button key={suggestion} variant="subtle" size="compact-md" onClick={() => trySuggestion(suggestion)}>
                  {t("air.suggestion", { suggestion })}
                </Button>
              ))}
            </Group>
          )}
          {data.vehicle && <VehicleCard vehicle={data.vehicle} />}
          {data.facets.systems.length > 0 && <SystemFacets systems={data.facets.systems} value={pathway} onChange={(next) => apply({ pathway: next })} />}
          <Text role="status">{t("air.results", { count: data.total })}</Text>
          {bySystem ? (
            <DocumentsBySystem systems={data.facets.systems} items={data.items} vin={data.vehicle?.vin ?? null} linked />
          ) : (
            <SearchResults items={data.items} vin={data.vehicle?.vin ?? vin} />
          )}
        </>
      )}
    </Stack>
  );
}
