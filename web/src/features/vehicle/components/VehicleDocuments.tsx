import { Card, Loader, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { CatalogView, DocumentsBySystem, useCatalog, useDocumentSearch } from "../../air";
import { needsPass } from "./PassRequired";

/**
 * The car's AIR documents by system and component. With a pass (a time pass, or this VIN's own)
 * each opens for this car; without one, the catalog of what applies (titles, types, systems with
 * counts) and the ways to buy.
 */
export function VehicleDocuments({ vin }: { vin: string }) {
  const { t } = useTranslation();
  const documents = useDocumentSearch({ vin, q: null, types: [] });
  const noPass = needsPass(documents.error);
  const catalog = useCatalog(vin, { enabled: noPass });
  return (
    <Card withBorder component="section" aria-labelledby="documents-title">
      <Title order={2} size="h4" id="documents-title" mb="xs">
        {t("vehicle.documents.title")}
      </Title>
      {(documents.isPending || catalog.isFetching) && <Loader aria-label={t("app.loading")} />}
      {documents.isError && !noPass && <ErrorMessage error={documents.error} />}
      {documents.isSuccess &&
        (documents.data.items.length === 0 ? (
          <Text>{t("vehicle.documents.none")}</Text>
        ) : (
          <DocumentsBySystem systems={documents.data.facets.systems} items={documents.data.items} vin={vin} linked />
        ))}
      {catalog.isError && <ErrorMessage error={catalog.error} />}
      {catalog.isSuccess && <CatalogView catalog={catalog.data} />}
    </Card>
  );
}
