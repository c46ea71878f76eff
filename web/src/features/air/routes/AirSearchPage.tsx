import { Alert, Button, Checkbox, Group, Loader, Stack, Text, TextInput, Title } from "@mantine/core";
import { type FormEvent, startTransition, useOptimistic, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { ApiError } from "../../../lib/problem";
import { BuyPassLink } from "../../passes";
import { JustThisCar } from "../../shop";
import { type DocumentType, useDocumentSearch } from "../api/search-documents";
import { SearchResults } from "../components/SearchResults";
import { VehicleCard } from "../components/VehicleCard";
import { DOCUMENT_TYPES, isDocumentType, parseSearch } from "../search";

/** AIR: one box for a VIN or keywords, a filter by document type, the results. */
export function AirSearchPage() {
  const { t } = useTranslation();
  // The search lives in the URL, so back/forward and reloads keep it.
  const [params, setParams] = useSearchParams();
  const vin = params.get("vin");
  const q = params.get("q");
  const types = params.getAll("type").filter(isDocumentType);
  const [input, setInput] = useState(vin ?? q ?? "");
  // A URL change is rendered in a transition (React Router), so a filter shown straight from the
  // URL would spring back unchecked until that render lands; the choice is shown at once.
  const [shownTypes, showTypes] = useOptimistic(types);

  const search = useDocumentSearch({ vin, q, types });

  const apply = (next: { text?: string; types?: DocumentType[] }) => {
    const parsed = parseSearch(next.text ?? input);
    const out = new URLSearchParams();
    if (parsed?.vin) out.set("vin", parsed.vin);
    if (parsed?.q) out.set("q", parsed.q);
    for (const type of next.types ?? types) out.append("type", type);
    setParams(out);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply({ text: input });
  };
  const noPass = search.error instanceof ApiError && search.error.slug === "air-pass-required";

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
            style={{ flex: 1 }}
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
            <Checkbox key={type} value={type} label={t(`air.types.${type}`)} />
          ))}
        </Group>
      </Checkbox.Group>

      {search.isFetching && <Loader aria-label={t("app.loading")} />}
      {noPass ? (
        <Alert color="yellow" title={t("air.noPassTitle")} role="alert">
          <Stack align="start">
            <Text>{t("air.noPass")}</Text>
            <BuyPassLink label={t("air.buyPass")} />
            {vin !== null && <JustThisCar scope="AIR" vin={vin} />}
          </Stack>
        </Alert>
      ) : (
        search.isError && <ErrorMessage error={search.error} />
      )}
      {search.isSuccess && (
        <>
          {search.data.vehicle && <VehicleCard vehicle={search.data.vehicle} />}
          <Text role="status">{t("air.results", { count: search.data.total })}</Text>
          <SearchResults items={search.data.items} />
        </>
      )}
    </Stack>
  );
}
