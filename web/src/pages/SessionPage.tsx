import { Alert, Anchor, Badge, Button, Card, Group, Loader, Progress, Stack, Table, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { useApi } from "../api/ApiProvider";
import { type Schemas, unwrap } from "../api/client";
import { Countdown } from "../components/Countdown";
import { ErrorMessage } from "../components/ErrorMessage";
import { formatSeconds, hexAddress, nrcName, serviceName, stateColor, TERMINAL_STATES } from "../programming/format";
import { StateBadge, useStateLabel } from "../programming/StateBadge";
import { type LiveOptions, sessionKey, useLiveSession } from "../programming/useLiveSession";
import { useProgrammingTime } from "../programming/useProgrammingTime";

type Session = Schemas["SessionRead"];
type Job = Session["jobs"][number];

/** The current time, ticking every second. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  return now;
}

/** Seconds the jobs that have not finished yet are expected to take. */
export function secondsStillNeeded(session: Session): number {
  return session.jobs.filter((job) => job.state === "PENDING" || job.state === "RUNNING").reduce((sum, job) => sum + job.estimated_seconds, 0);
}

/** The plan's estimate against the paid programming time that is left. */
function TimeBudget({ session }: { session: Session }) {
  const { t } = useTranslation();
  const time = useProgrammingTime();
  const now = useNow();
  const needed = secondsStillNeeded(session);
  if (TERMINAL_STATES.has(session.state) || needed === 0) return null;
  if (time.isPending) return <Loader aria-label={t("app.loading")} />;
  if (time.isError) return <ErrorMessage error={time.error} />;
  const until = time.data.active && time.data.valid_until ? Date.parse(time.data.valid_until) : now;
  const left = Math.max(0, (until - now) / 1000);
  return (
    <Card withBorder>
      <Group gap="xl">
        <div>
          <Text size="sm" c="dimmed">
            {t("programming.session.estimate")}
          </Text>
          <Text fw={700} data-testid="estimate">
            {formatSeconds(needed)}
          </Text>
        </div>
        <div>
          <Text size="sm" c="dimmed">
            {t("programming.session.timeLeft")}
          </Text>
          <Text fw={700}>{time.data.valid_until && left > 0 ? <Countdown validUntil={time.data.valid_until} /> : t("countdown.expired")}</Text>
        </div>
      </Group>
      {left >= needed ? (
        <Alert color="green" mt="xs" role="status">
          {t("programming.session.enoughTime")}
        </Alert>
      ) : (
        <Alert color="yellow" mt="xs" role="alert">
          <Stack gap="xs" align="start">
            <Text>{left <= 0 ? t("programming.session.noTime") : t("programming.session.notEnoughTime", { needed: formatSeconds(needed), left: formatSeconds(left) })}</Text>
            <Button component={Link} to="/passes" size="xs">
              {t("programming.time.buy")}
            </Button>
          </Stack>
        </Alert>
      )}
    </Card>
  );
}

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

function Jobs({ session }: { session: Session }) {
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

/** A job the agent gave up with the ECU's application erased: say which ECU waits in its
 * bootloader and what to do next. */
function BootloaderAlerts({ session }: { session: Session }) {
  const { t } = useTranslation();
  return session.jobs
    .filter((job) => job.left_in_bootloader)
    .map((job) => (
      <Alert key={job.id} color="red" role="alert" data-testid="left-in-bootloader">
        {t("programming.session.leftInBootloader", { ecu: job.ecu_name, address: hexAddress(job.ecu_logical_address) })}
      </Alert>
    ));
}

function Report({ sessionId }: { sessionId: string }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const report = useQuery({
    queryKey: ["programming-report", sessionId],
    queryFn: () => unwrap(api.GET("/api/programming/sessions/{session_id}/report", { params: { path: { session_id: sessionId } } })),
  });
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

/** One programming session: the plan against the time left, start and abort, live progress, report. */
export function SessionPage({ live }: { live?: LiveOptions }) {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const stateLabel = useStateLabel();
  const { sessionId = "" } = useParams();
  const { session, link } = useLiveSession(sessionId, live);
  const onSession = (updated: Session) => {
    queryClient.setQueryData(sessionKey(sessionId), updated);
    void queryClient.invalidateQueries({ queryKey: ["programming-sessions"] });
  };
  const start = useMutation({
    mutationFn: () => unwrap(api.POST("/api/programming/sessions/{session_id}/start", { params: { path: { session_id: sessionId } } })),
    onSuccess: onSession,
  });
  const abort = useMutation({
    mutationFn: () => unwrap(api.POST("/api/programming/sessions/{session_id}/abort", { params: { path: { session_id: sessionId } } })),
    onSuccess: onSession,
  });

  return (
    <Stack>
      <Anchor component={Link} to="/programming" style={{ alignSelf: "start" }}>
        {t("programming.session.back")}
      </Anchor>
      <Title order={1} size="h2">
        {t("programming.session.title")}
      </Title>
      {session.isPending && <Loader aria-label={t("app.loading")} />}
      {session.isError && <ErrorMessage error={session.error} />}
      {session.isSuccess && (
        <>
          <Group>
            <Text>{t("programming.session.vehicle", { vin: session.data.vin, series: session.data.model_series })}</Text>
            <Text>
              {t("programming.session.state")}: <span data-testid="session-state">{stateLabel(session.data.state)}</span>
            </Text>
            {link === "live" && (
              <Badge color="blue" variant="dot">
                {t("programming.session.live")}
              </Badge>
            )}
          </Group>
          {link === "reconnecting" && (
            <Alert color="yellow" role="status">
              {t("programming.session.reconnecting")}
            </Alert>
          )}
          {link === "lost" && (
            <Alert color="red" role="alert">
              {t("programming.session.lost")}
            </Alert>
          )}
          <TimeBudget session={session.data} />
          <Jobs session={session.data} />
          <BootloaderAlerts session={session.data} />
          {start.isError && <ErrorMessage error={start.error} />}
          {abort.isError && <ErrorMessage error={abort.error} />}
          {session.data.abort_requested && !TERMINAL_STATES.has(session.data.state) && (
            <Alert color="orange" role="status">
              {t("programming.session.abortRequested")}
            </Alert>
          )}
          <Group>
            {session.data.state === "PLANNED" && session.data.jobs.length > 0 && (
              <Button onClick={() => start.mutate()} loading={start.isPending} disabled={start.isPending || abort.isPending}>
                {t("programming.session.start")}
              </Button>
            )}
            {!TERMINAL_STATES.has(session.data.state) && !session.data.abort_requested && (
              <Button color="red" variant="outline" onClick={() => abort.mutate()} loading={abort.isPending} disabled={start.isPending || abort.isPending}>
                {t("programming.session.abort")}
              </Button>
            )}
          </Group>
          {session.data.end_detail && TERMINAL_STATES.has(session.data.state) && (
            <Alert color={stateColor(session.data.state)} role="status" title={stateLabel(session.data.state)}>
              {session.data.end_detail}
            </Alert>
          )}
          {TERMINAL_STATES.has(session.data.state) && <Report sessionId={sessionId} />}
        </>
      )}
    </Stack>
  );
}
