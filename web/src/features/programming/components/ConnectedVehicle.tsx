import { Alert, Badge, Button, Card, Group, Stack, Table, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useApi } from "../../../lib/api/ApiProvider";
import type { Schemas } from "../../../lib/api/client";
import { createSession } from "../api/create-session";
import { agentVehicleQueryOptions } from "../api/get-agent-vehicle";
import { SESSIONS_KEY } from "../api/get-sessions";
import { JustThisCar } from "../../shop";
import { useNoProgrammingAccess } from "../hooks/useProgrammingTime";
import { hexAddress } from "../format";

type Agent = Schemas["AgentRead"];

/** What the agent reads from the connected car (VIN, series, ECUs), and planning a session for it. */
export function ConnectedVehicle({ agent }: { agent: Agent }) {
  const { t } = useTranslation();
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const vehicle = useQuery(agentVehicleQueryOptions(api, agent.id));
  const readVin = vehicle.data?.vin_valid ? vehicle.data.vin : null;
  const noAccess = useNoProgrammingAccess(readVin);
  const plan = useMutation({
    mutationFn: (vin: string) => createSession(api, { agentId: agent.id, vin }),
    onSuccess: (session) => {
      void queryClient.invalidateQueries({ queryKey: SESSIONS_KEY });
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
            {noAccess && readVin !== null && <JustThisCar scope="PROGRAMMING" vin={readVin} />}
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
