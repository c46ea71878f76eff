import { Alert, Anchor, Badge, Button, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useApi } from "../../../lib/api/ApiProvider";
import type { Schemas } from "../../../lib/api/client";
import { abortSession } from "../api/abort-session";
import { sessionKey } from "../api/get-session";
import { SESSIONS_KEY } from "../api/get-sessions";
import { startSession } from "../api/start-session";
import { BootloaderAlerts } from "../components/BootloaderAlerts";
import { Jobs } from "../components/Jobs";
import { allConfirmed, type PreflightCheck, PreflightChecklist } from "../components/PreflightChecklist";
import { SessionReport } from "../components/SessionReport";
import { useStateLabel } from "../components/StateBadge";
import { TimeBudget } from "../components/TimeBudget";
import { stateColor, TERMINAL_STATES } from "../format";
import { type LiveOptions, useLiveSession } from "../hooks/useLiveSession";

type Session = Schemas["SessionRead"];

/** One programming session: the plan against the time left, start and abort, live progress, report. */
export function SessionPage({ live }: { live?: LiveOptions }) {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const stateLabel = useStateLabel();
  const { sessionId = "" } = useParams();
  const { session, link } = useLiveSession(sessionId, live);
  const [preflight, setPreflight] = useState<PreflightCheck[]>([]);
  const onSession = (updated: Session) => {
    queryClient.setQueryData(sessionKey(sessionId), updated);
    void queryClient.invalidateQueries({ queryKey: SESSIONS_KEY });
  };
  const start = useMutation({
    mutationFn: () => startSession(api, sessionId, preflight),
    onSuccess: onSession,
  });
  const abort = useMutation({
    mutationFn: () => abortSession(api, sessionId),
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
            <Text>
              {t("programming.session.vehicleLabel")}{" "}
              <Anchor component={Link} to={`/vehicles/${encodeURIComponent(session.data.vin)}`} data-testid="session-vehicle">
                {session.data.vin}
              </Anchor>{" "}
              ({session.data.model_series})
            </Text>
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
          {session.data.state === "PLANNED" && session.data.jobs.length > 0 && <PreflightChecklist confirmed={preflight} onChange={setPreflight} />}
          <Group>
            {session.data.state === "PLANNED" && session.data.jobs.length > 0 && (
              <Button onClick={() => start.mutate()} loading={start.isPending} disabled={!allConfirmed(preflight) || start.isPending || abort.isPending}>
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
          {TERMINAL_STATES.has(session.data.state) && <SessionReport sessionId={sessionId} />}
        </>
      )}
    </Stack>
  );
}
