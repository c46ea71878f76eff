import { Alert, Progress, Stack, Table, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { Schemas } from "../../../lib/api/client";
import { formatSeconds, hexAddress } from "../format";
import { StateBadge } from "./StateBadge";

type Session = Schemas["SessionRead"];
type Job = Session["jobs"][number];

function JobProgress({ job }: { job: Job }) {
  const { t } = useTranslation();
  if (job.state !== "RUNNING") return null;
  const progress = job.progress;
  const percent = progress && progress.bytes_total > 0 ? Math.min(100, Math.floor((progress.bytes_done / progress.bytes_total) * 100)) : 0;
  const phase = t(`programming.phases.${progress?.phase ?? "UNSPECIFIED"}`, { defaultValue: progress?.phase ?? "" });
  const label = t("programming.session.progressLabel", { ecu: job.ecu_name, phase, percent });
  return (
    <Stack gap={2}>
      <Progress value={percent} animated aria-label={label} />
      <Text size="xs" data-testid={`progress-${job.ecu_name}`}>
        {phase} {percent} %
      </Text>
    </Stack>
  );
}

/** The vehicle's battery during the job, as the agent read it (once the job has ended). */
export function BatteryVolts({ job }: { job: Job }) {
  const { t, i18n } = useTranslation();
  if (!job.battery_volts) return null;
  const volts = (value: number) => value.toLocaleString(i18n.language, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return (
    <Text size="xs" c="dimmed" data-testid={`battery-${job.ecu_name}`}>
      {t("programming.session.batteryVolts", {
        atStart: volts(job.battery_volts.at_start),
        min: volts(job.battery_volts.min),
        max: volts(job.battery_volts.max),
      })}
    </Text>
  );
}

/** The session's jobs: ECU, versions, reason, estimate, state and live progress. */
export function Jobs({ session }: { session: Session }) {
  const { t } = useTranslation();
  if (session.jobs.length === 0) {
    return (
      <Alert color="green" role="status">
        {t("programming.session.nothingToDo")}
      </Alert>
    );
  }
  return (
    <Table className="aos-stack">
      <Table.Caption>{t("programming.session.jobs")}</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">{t("programming.session.position")}</Table.Th>
          <Table.Th scope="col">{t("programming.session.ecu")}</Table.Th>
          <Table.Th scope="col">{t("programming.session.versions")}</Table.Th>
          <Table.Th scope="col">{t("programming.session.reason")}</Table.Th>
          <Table.Th scope="col">{t("programming.session.jobEstimate")}</Table.Th>
          <Table.Th scope="col">{t("programming.session.jobState")}</Table.Th>
          <Table.Th scope="col">{t("programming.session.progress")}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {session.jobs.map((job) => (
          <Table.Tr key={job.id} data-testid="job-row">
            <Table.Td data-label={t("programming.session.position")}>{job.position}</Table.Td>
            <Table.Td data-label={t("programming.session.ecu")}>
              {job.ecu_name} <Text span size="xs" c="dimmed" ff="monospace">{hexAddress(job.ecu_logical_address)}</Text>
            </Table.Td>
            <Table.Td data-label={t("programming.session.versions")}>
              {job.version_before || "—"} → {job.version_after ?? job.target_version}
            </Table.Td>
            <Table.Td data-label={t("programming.session.reason")}>{t(`programming.session.reasons.${job.reason}`, { defaultValue: job.reason })}</Table.Td>
            <Table.Td data-label={t("programming.session.jobEstimate")}>{formatSeconds(job.estimated_seconds)}</Table.Td>
            <Table.Td data-label={t("programming.session.jobState")}>
              <StateBadge state={job.state} />
              {job.detail && (
                <Text size="xs" c="dimmed">
                  {job.detail}
                </Text>
              )}
              <BatteryVolts job={job} />
            </Table.Td>
            <Table.Td data-label={t("programming.session.progress")} miw={160}>
              <JobProgress job={job} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
