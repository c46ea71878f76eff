import { Badge, Button, Card, Group, Loader, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useApi } from "../../../lib/api/ApiProvider";
import type { Schemas } from "../../../lib/api/client";
import { useRole } from "../../auth";
import { agentsQueryOptions } from "../api/get-agents";
import { PairingCode } from "./PairingCode";
import { RevokeAgentDialog } from "./RevokeAgentDialog";

type Agent = Schemas["AgentRead"];

/** How often the agents' online state is looked at again. */
const AGENTS_POLL_MS = 3000;

/** The paired agents with their online state, reading a vehicle, revoking, and pairing a new one. */
export function Agents({ onRead }: { onRead: (agent: Agent) => void }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [revoking, setRevoking] = useState<Agent | null>(null);
  // A technician uses the paired agents; pairing and revoking are the owner's and admins'.
  const manages = useRole().may("agents");
  const agents = useQuery({
    ...agentsQueryOptions(api),
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
                      {manages && (
                        <Button size="xs" variant="subtle" color="red" onClick={() => setRevoking(agent)} aria-label={`${t("programming.agents.revoke")}: ${agent.name}`}>
                          {t("programming.agents.revoke")}
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {manages ? <PairingCode agents={active} /> : <Text c="dimmed">{t("programming.agents.pairedByAdmin")}</Text>}
      </Stack>
      <RevokeAgentDialog agent={revoking} onClose={() => setRevoking(null)} />
    </Card>
  );
}
