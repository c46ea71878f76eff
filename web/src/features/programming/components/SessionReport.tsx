import { Button, Card, Group, Loader, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useApi } from "../../../lib/api/ApiProvider";
import { sessionReportQueryOptions } from "../api/get-session-report";
import { hexAddress, nrcName, serviceName } from "../format";
import { BatteryVolts } from "./Jobs";
import { StateBadge } from "./StateBadge";

/** The report of an ended session: times, versions before and after, the UDS trace summary. */
export function SessionReport({ sessionId }: { sessionId: string }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const report = useQuery(sessionReportQueryOptions(api, sessionId));
  const when = (value: string | null | undefined) => (value ? new Date(value).toLocaleString(i18n.language) : "—");
  if (report.isPending) return <Loader aria-label={t("app.loading")} />;
  if (report.isError) return <ErrorMessage error={report.error} />;
  const { session } = report.data;
  return (
    <Card withBorder component="section" aria-labelledby="report">
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h3" id="report">
            {t("programming.report.title")}
          </Title>
          <Button variant="default" size="xs" onClick={() => window.print()}>
            {t("programming.report.print")}
          </Button>
        </Group>
        <Group gap="xl">
          <Text>
            {t("programming.report.started")}: {when(session.started_at)}
          </Text>
          <Text>
            {t("programming.report.ended")}: {when(session.ended_at)}
          </Text>
          <Text component="div">
            {t("programming.report.detail")}: <StateBadge state={session.state} /> {session.end_detail}
          </Text>
        </Group>
        <Text data-testid="report-preflight">
          {session.preflight
            ? t("programming.report.preflight", { by: session.preflight.confirmed_by, at: when(session.preflight.confirmed_at) })
            : t("programming.report.noPreflight")}
        </Text>
        {session.jobs.length > 0 && (
          <Table className="aos-stack">
            <Table.Caption>{t("programming.report.jobs")}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t("programming.vehicle.ecu")}</Table.Th>
                <Table.Th scope="col">{t("programming.session.jobState")}</Table.Th>
                <Table.Th scope="col">{t("programming.report.battery")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {session.jobs.map((job) => (
                <Table.Tr key={job.id} data-testid="report-job">
                  <Table.Td data-label={t("programming.vehicle.ecu")}>
                    {job.ecu_name} <Text span size="xs" c="dimmed" ff="monospace">{hexAddress(job.ecu_logical_address)}</Text>
                  </Table.Td>
                  <Table.Td data-label={t("programming.session.jobState")}>
                    <StateBadge state={job.state} />
                  </Table.Td>
                  <Table.Td data-label={t("programming.report.battery")}>
                    {job.battery_volts ? <BatteryVolts job={job} /> : t("programming.report.noBattery")}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <Table className="aos-stack">
          <Table.Caption>{t("programming.report.versions")}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t("programming.vehicle.ecu")}</Table.Th>
              <Table.Th scope="col">{t("programming.vehicle.type")}</Table.Th>
              <Table.Th scope="col">{t("programming.report.before")}</Table.Th>
              <Table.Th scope="col">{t("programming.report.after")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {report.data.versions.map((ecu) => (
              <Table.Tr key={ecu.logical_address} data-testid="report-version">
                <Table.Td data-label={t("programming.vehicle.ecu")}>
                  {ecu.name} <Text span size="xs" c="dimmed" ff="monospace">{hexAddress(ecu.logical_address)}</Text>
                </Table.Td>
                <Table.Td data-label={t("programming.vehicle.type")}>{ecu.ecu_type}</Table.Td>
                <Table.Td data-label={t("programming.report.before")}>{ecu.before || "—"}</Table.Td>
                <Table.Td data-label={t("programming.report.after")}>{ecu.after === null ? "—" : ecu.after === ecu.before ? `${ecu.after} (${t("programming.report.unchanged")})` : <strong>{ecu.after}</strong>}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {report.data.trace_summary.length === 0 ? (
          <Text>{t("programming.report.noTrace")}</Text>
        ) : (
          <Table className="aos-stack">
            <Table.Caption>{t("programming.report.trace")}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t("programming.report.service")}</Table.Th>
                <Table.Th scope="col">{t("programming.report.nrc")}</Table.Th>
                <Table.Th scope="col">{t("programming.report.count")}</Table.Th>
                <Table.Th scope="col">{t("programming.report.retried")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {report.data.trace_summary.map((row) => (
                <Table.Tr key={`${row.job_id}-${row.service_id}-${row.nrc}`}>
                  <Table.Td data-label={t("programming.report.service")} ff="monospace">{serviceName(row.service_id)}</Table.Td>
                  <Table.Td data-label={t("programming.report.nrc")} ff="monospace">{row.nrc === 0 ? t("programming.report.positive") : nrcName(row.nrc)}</Table.Td>
                  <Table.Td data-label={t("programming.report.count")}>{row.count}</Table.Td>
                  <Table.Td data-label={t("programming.report.retried")}>{row.retried}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  );
}
