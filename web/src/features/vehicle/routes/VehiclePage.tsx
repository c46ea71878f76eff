import { Anchor, Loader, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { normalizeVin, vinProblem } from "../../../lib/vin";
import { useVehicle } from "../../air";
import { useRole } from "../../auth";
import { useSchedule } from "../api/service-book";
import { DueSection } from "../components/DueSection";
import { ServiceHistory } from "../components/ServiceHistory";
import { VehicleDocuments } from "../components/VehicleDocuments";
import { VehicleFacts } from "../components/VehicleFacts";
import { KNOWN_RULES } from "../format";

/**
 * One vehicle by VIN: its data and coverage, what is due, the service book, and its AIR
 * documents by system. A car the portal does not cover gets its data and the note only.
 */
export function VehiclePage() {
  const { t } = useTranslation();
  const { vin: raw = "" } = useParams();
  const vin = normalizeVin(raw);
  const problem = vinProblem(vin);
  return (
    <Stack>
      <Anchor component={Link} to={`/air?vin=${encodeURIComponent(vin)}`} style={{ alignSelf: "start" }}>
        {t("vehicle.toSearch")}
      </Anchor>
      <Title order={1} size="h2" style={{ overflowWrap: "anywhere" }}>
        {t("vehicle.title", { vin })}
      </Title>
      {problem !== null ? <Text role="alert">{t(`vin.${problem}`, { count: vin.length })}</Text> : <VehicleScreens vin={vin} />}
    </Stack>
  );
}

function VehicleScreens({ vin }: { vin: string }) {
  const { t } = useTranslation();
  const vehicle = useVehicle(vin);
  const role = useRole();
  // The schedule names the jobs a work item can mark as done; without a pass the portal's own
  // names of the known jobs stand in (writing needs no pass).
  const schedule = useSchedule(vin, { mileageKm: null, firstRegistration: null }, { enabled: vehicle.data !== undefined && vehicle.data.coverage !== "not_covered" });
  const rules: [string, string][] = schedule.data?.items.length
    ? schedule.data.items.map((item) => [item.rule_id, item.title])
    : KNOWN_RULES.map((id) => [id, t(`vehicle.rules.${id}`)]);
  if (vehicle.isPending) return <Loader aria-label={t("app.loading")} />;
  if (vehicle.isError) return <ErrorMessage error={vehicle.error} />;
  return (
    <>
      <VehicleFacts vehicle={vehicle.data} />
      {vehicle.data.coverage !== "not_covered" && (
        <>
          <DueSection vin={vin} />
          <ServiceHistory vin={vin} rules={rules} canWrite={role.may("serviceBook")} />
          {vehicle.data.coverage === "covered" && <VehicleDocuments vin={vin} />}
        </>
      )}
    </>
  );
}
