import { Alert, Anchor, Badge, Button, Card, Code, CopyButton, Group, Loader, Modal, Pagination, Stack, Table, Text, Title } from "@mantine/core";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useApi } from "../api/ApiProvider";
import { type Schemas, unwrap } from "../api/client";
import { Countdown } from "../components/Countdown";
import { ErrorMessage } from "../components/ErrorMessage";
import { formatSeconds, hexAddress } from "../programming/format";
import { StateBadge } from "../programming/StateBadge";
import { useProgrammingTime } from "../programming/useProgrammingTime";

type Agent = Schemas["AgentRead"];

/** How often the agents' online state is looked at again. */
const AGENTS_POLL_MS = 3000;

function ProgrammingTime() {
  const { t } = useTranslation();
  const time = useProgrammingTime();
  return (
    <Card withBorder component="section" aria-labelledby="programming-time">
      <Title order={2} size="h4" id="programming-time">
        {t("programming.time.title")}
      </Title>
      {time.isPending && <Loader aria-label={t("app.loading")} />}
      {time.isError && <ErrorMessage error={time.error} />}
      {time.isSuccess &&
        (time.data.active && time.data.valid_until ? (
          <Group>
            <Text>{t("programming.time.left")}:</Text>
            <Text fw={700}>
              <Countdown validUntil={time.data.valid_until} />
            </Text>
            <Button component={Link} to="/passes" variant="subtle" size="xs">
              {t("programming.time.buy")}
            </Button>
          </Group>
        ) : (
          <Stack align="start" gap="xs">
            <Text>{t("programming.time.none")}</Text>
            <Button component={Link} to="/passes">
              {t("programming.time.buy")}
            </Button>
          </Stack>
        ))}
    </Card>
  );
}

/**
 * A pairing code and the command that uses it. Once an agent that was not there when the code
 * was made shows up online, the code has been used: the card says so instead.
 */
function PairingCode({ agents }: { agents: Agent[] }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [known, setKnown] = useState<ReadonlySet<string>>(new Set());
  const create = useMutation({
    mutationFn: () => unwrap(api.POST("/api/programming/agents/pairing-codes")),
    onMutate: () => setKnown(new Set(agents.map((agent) => agent.id))),
  });
  const command = create.data ? `aos-vci-agent pair --server ${window.location.origin} --code ${create.data.code}` : "";
  const paired = create.isSuccess ? agents.find((agent) => agent.online && !known.has(agent.id)) : undefined;
  return (
    <Stack align="start" gap="xs">
      <Button onClick={() => create.mutate()} loading={create.isPending}>
        {t("programming.pairing.button")}
      </Button>
      {create.isError && <ErrorMessage error={create.error} />}
      {paired && (
        <Alert color="green" role="status" w="100%">
          {t("programming.pairing.paired", { name: paired.name })}
        </Alert>
      )}
      {create.isSuccess && !paired && (
        <Alert color="blue" title={t("programming.pairing.title")} role="status" w="100%">
          <Stack gap="xs">
            <Group>
              <Text>{t("programming.pairing.code")}:</Text>
              <Text ff="monospace" fz="xl" fw={700} data-testid="pairing-code">
                {create.data.code}
              </Text>
              <Text size="sm">
                {t("programming.pairing.expires")}: {new Date(create.data.expires_at).toLocaleTimeString(i18n.language)} (
                <Countdown validUntil={create.data.expires_at} />)
              </Text>
            </Group>
            <Text size="sm">{t("programming.pairing.intro")}</Text>
            {/* Wrapped, not scrolled: on a phone the whole command stays readable. */}
            <Code block style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
              {command}
            </Code>
            <Group>
              <CopyButton value={command}>
                {({ copied, copy }) => (
                  <Button size="xs" variant="default" onClick={copy}>
                    {copied ? t("programming.pairing.copied") : t("programming.pairing.copy")}
                  </Button>
                )}
              </CopyButton>
              <Text size="sm" c="dimmed">
                {t("programming.pairing.waiting")}
              </Text>
            </Group>
          </Stack>
        </Alert>
      )}
    </Stack>
  );
}

function ConnectedVehicle({ agent }: { agent: Agent }) {
  const { t } = useTranslation();
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const vehicle = useQuery({
    queryKey: ["agent-vehicle", agent.id],
    queryFn: () => unwrap(api.GET("/api/programming/agents/{agent_id}/vehicle", { params: { path: { agent_id: agent.id } } })),
    // Each read goes to the car through the agent: only when asked, never again on its own.
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
  const plan = useMutation({
    mutationFn: (vin: string) => unwrap(api.POST("/api/programming/sessions", { body: { agent_id: agent.id, vin } })),
    onSuccess: (session) => {
      void queryClient.invalidateQueries({ queryKey: ["programming-sessions"] });
      void navigate(`/programming/sessions/${session.id}`);
    },
  });
  return (
    <Card withBorder component="section" aria-labelledby="connected-vehicle">
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h4" id="connected-vehicle">
            {t("programming.vehicle.title")} — {agent.name}
          </Title>
          <Button size="xs" variant="default" onClick={() => void vehicle.refetch()} disabled={vehicle.isFetching}>
            {t("programming.vehicle.readAgain")}
          </Button>
        </Group>
        {vehicle.isFetching && <Text role="status">{t("programming.vehicle.reading")}</Text>}
        {vehicle.isError && <ErrorMessage error={vehicle.error} />}
        {vehicle.isSuccess && (
          <>
            <Group>
              <Text>
                {t("programming.vehicle.vin")}:{" "}
                <Text span ff="monospace" fw={700} data-testid="vehicle-vin">
                  {vehicle.data.vin || "—"}
                </Text>
              </Text>
              <Text>
                {t("programming.vehicle.series")}: <strong>{vehicle.data.model_series ?? t("programming.vehicle.unknownSeries")}</strong>
              </Text>
            </Group>
            {!vehicle.data.vin_valid && (
              <Alert color="yellow" role="alert">
                {t("programming.vehicle.noVin")}
              </Alert>
            )}
            <Table className="aos-stack">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t("programming.vehicle.ecu")}</Table.Th>
                  <Table.Th scope="col">{t("programming.vehicle.address")}</Table.Th>
                  <Table.Th scope="col">{t("programming.vehicle.type")}</Table.Th>
                  <Table.Th scope="col">{t("programming.vehicle.software")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {vehicle.data.ecus.map((ecu) => (
                  <Table.Tr key={ecu.logical_address}>
                    <Table.Td data-label={t("programming.vehicle.ecu")}>{ecu.name}</Table.Td>
                    <Table.Td data-label={t("programming.vehicle.address")} ff="monospace">{hexAddress(ecu.logical_address)}</Table.Td>
                    <Table.Td data-label={t("programming.vehicle.type")}>{ecu.ecu_type}</Table.Td>
                    <Table.Td data-label={t("programming.vehicle.software")}>
                      {ecu.in_bootloader ? (
                        <Badge color="orange" variant="light">
                          {t("programming.vehicle.inBootloader")}
                        </Badge>
                      ) : (
                        ecu.software_version
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {plan.isError && <ErrorMessage error={plan.error} />}
            <Button
              style={{ alignSelf: "start" }}
              disabled={!vehicle.data.vin_valid || vehicle.data.model_series === null || plan.isPending}
              loading={plan.isPending}
              onClick={() => plan.mutate(vehicle.data.vin)}
            >
              {t("programming.vehicle.plan")}
            </Button>
          </>
        )}
      </Stack>
    </Card>
  );
}

function RevokeDialog({ agent, onClose }: { agent: Agent | null; onClose: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: (agentId: string) => unwrap(api.DELETE("/api/programming/agents/{agent_id}", { params: { path: { agent_id: agentId } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["agents"] });
      onClose();
    },
  });
  return (
    <Modal opened={agent !== null} onClose={onClose} title={t("programming.agents.revokeTitle", { name: agent?.name ?? "" })}>
      <Stack>
        <Text>{t("programming.agents.revokeText")}</Text>
        {revoke.isError && <ErrorMessage error={revoke.error} />}
        <Group justify="end">
          <Button variant="default" onClick={onClose}>
            {t("programming.agents.cancel")}
          </Button>
          <Button color="red" loading={revoke.isPending} onClick={() => agent && revoke.mutate(agent.id)}>
            {t("programming.agents.revokeConfirm")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function Agents({ onRead }: { onRead: (agent: Agent) => void }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [revoking, setRevoking] = useState<Agent | null>(null);
  const agents = useQuery({
    queryKey: ["agents"],
    queryFn: () => unwrap(api.GET("/api/programming/agents")),
    refetchInterval: AGENTS_POLL_MS,
    staleTime: 0,
  });
  const active = agents.data?.items.filter((agent) => agent.revoked_at === null) ?? [];
  return (
    <Card withBorder component="section" aria-labelledby="agents">
      <Stack>
        <Title order={2} size="h4" id="agents">
          {t("programming.agents.title")}
        </Title>
        <Text size="sm">{t("programming.agents.intro")}</Text>
        {agents.isPending && <Loader aria-label={t("app.loading")} />}
        {agents.isError && <ErrorMessage error={agents.error} />}
        {agents.isSuccess && active.length === 0 && <Text>{t("programming.agents.none")}</Text>}
        {active.length > 0 && (
          <Table className="aos-stack">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t("programming.agents.name")}</Table.Th>
                <Table.Th scope="col">{t("programming.agents.host")}</Table.Th>
                <Table.Th scope="col">{t("programming.agents.version")}</Table.Th>
                <Table.Th scope="col">{t("programming.agents.status")}</Table.Th>
                <Table.Th scope="col">{t("programming.agents.lastSeen")}</Table.Th>
                <Table.Th scope="col">{t("programming.agents.actions")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {active.map((agent) => (
                <Table.Tr key={agent.id} data-testid="agent-row">
                  <Table.Td data-label={t("programming.agents.name")}>{agent.name}</Table.Td>
                  <Table.Td data-label={t("programming.agents.host")}>{agent.hostname ?? "—"}</Table.Td>
                  <Table.Td data-label={t("programming.agents.version")}>{agent.agent_version ?? "—"}</Table.Td>
                  <Table.Td data-label={t("programming.agents.status")}>
                    <Badge color={agent.online ? "green" : "gray"} variant={agent.online ? "filled" : "light"}>
                      {agent.online ? t("programming.agents.online") : t("programming.agents.offline")}
                    </Badge>
                  </Table.Td>
                  <Table.Td data-label={t("programming.agents.lastSeen")}>{agent.last_seen_at ? new Date(agent.last_seen_at).toLocaleString(i18n.language) : t("programming.agents.never")}</Table.Td>
                  <Table.Td data-label={t("programming.agents.actions")}>
                    <Group gap="xs" wrap="nowrap">
                      <Button size="xs" disabled={!agent.online} onClick={() => onRead(agent)} aria-label={`${t("programming.agents.readVehicle")}: ${agent.name}`}>
                        {t("programming.agents.readVehicle")}
                      </Button>
                      <Button size="xs" variant="subtle" color="red" onClick={() => setRevoking(agent)} aria-label={`${t("programming.agents.revoke")}: ${agent.name}`}>
                        {t("programming.agents.revoke")}
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <PairingCode agents={active} />
      </Stack>
      <RevokeDialog agent={revoking} onClose={() => setRevoking(null)} />
    </Card>
  );
}

const SESSIONS_PER_PAGE = 20;
// The API refuses offsets above 1,000,000.
const MAX_SESSIONS_PAGE = Math.floor(1_000_000 / SESSIONS_PER_PAGE) + 1;

function Sessions() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  // The page is kept in the URL, so coming back from a session report returns to it.
  const [params, setParams] = useSearchParams();
  const page = Math.min(MAX_SESSIONS_PAGE, Math.max(1, Math.trunc(Number(params.get("sessions_page") ?? "1")) || 1));
  const sessions = useQuery({
    queryKey: ["programming-sessions", page],
    queryFn: () =>
      unwrap(
        api.GET("/api/programming/sessions", {
          params: { query: { limit: SESSIONS_PER_PAGE, offset: (page - 1) * SESSIONS_PER_PAGE } },
        }),
      ),
    placeholderData: keepPreviousData,
    staleTime: 0,
  });
  const pages = sessions.isSuccess ? Math.ceil(sessions.data.total / SESSIONS_PER_PAGE) : 0;
  const turnTo = (next: number) => {
    const out = new URLSearchParams(params);
    if (next === 1) out.delete("sessions_page");
    else out.set("sessions_page", String(next));
    setParams(out, { replace: true });
  };
  return (
    <Card withBorder component="section" aria-labelledby="sessions">
      <Stack>
        <Title order={2} size="h4" id="sessions">
          {t("programming.sessions.title")}
        </Title>
        {sessions.isPending && <Loader aria-label={t("app.loading")} />}
        {sessions.isError && <ErrorMessage error={sessions.error} />}
        {sessions.isSuccess && sessions.data.total === 0 && <Text>{t("programming.sessions.none")}</Text>}
        {sessions.isSuccess && sessions.data.total > 0 && sessions.data.items.length === 0 && (
          <Text>
            {t("programming.sessions.pastTheEnd", { page })}{" "}
            <Anchor component="button" type="button" onClick={() => turnTo(1)}>
              {t("programming.sessions.toFirstPage")}
            </Anchor>
          </Text>
        )}
        {sessions.isSuccess && sessions.data.items.length > 0 && (
          <Table className="aos-stack">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t("programming.sessions.created")}</Table.Th>
                <Table.Th scope="col">{t("programming.sessions.vin")}</Table.Th>
                <Table.Th scope="col">{t("programming.sessions.state")}</Table.Th>
                <Table.Th scope="col">{t("programming.sessions.jobs")}</Table.Th>
                <Table.Th scope="col">{t("programming.sessions.estimate")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sessions.data.items.map((session) => (
                <Table.Tr key={session.id}>
                  <Table.Td data-label={t("programming.sessions.created")}>
                    <Anchor component={Link} to={`/programming/sessions/${session.id}`}>
                      {new Date(session.created_at).toLocaleString(i18n.language)}
                    </Anchor>
                  </Table.Td>
                  <Table.Td data-label={t("programming.sessions.vin")} ff="monospace">{session.vin}</Table.Td>
                  <Table.Td data-label={t("programming.sessions.state")}>
                    <StateBadge state={session.state} />
                  </Table.Td>
                  <Table.Td data-label={t("programming.sessions.jobs")}>{session.job_count}</Table.Td>
                  <Table.Td data-label={t("programming.sessions.estimate")}>{formatSeconds(session.estimated_seconds)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {sessions.isSuccess && sessions.data.items.length > 0 && (
          <Group justify="space-between">
            <Text size="sm" role="status">
              {t("programming.sessions.showing", {
                from: sessions.data.offset + 1,
                to: sessions.data.offset + sessions.data.items.length,
                total: sessions.data.total,
              })}
            </Text>
            {pages > 1 && (
              <Pagination
                total={pages}
                value={Math.min(page, pages)}
                onChange={turnTo}
                aria-label={t("programming.sessions.pages")}
                getItemProps={(n) => ({ "aria-label": t("programming.sessions.page", { page: n }) })}
                getControlProps={(control) => ({ "aria-label": t(`programming.sessions.${control}Page`) })}
              />
            )}
          </Group>
        )}
      </Stack>
    </Card>
  );
}

/** Agents, the connected vehicle, planning a session, and the session history. */
export function ProgrammingPage() {
  const { t } = useTranslation();
  const [reading, setReading] = useState<Agent | null>(null);
  return (
    <Stack>
      <Title order={1} size="h2">
        {t("programming.title")}
      </Title>
      <ProgrammingTime />
      <Agents onRead={setReading} />
      {reading && <ConnectedVehicle key={reading.id} agent={reading} />}
      <Sessions />
    </Stack>
  );
}
