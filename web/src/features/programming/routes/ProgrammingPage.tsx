import { Stack, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { Schemas } from "../../../lib/api/client";
import { Agents } from "../components/Agents";
import { ConnectedVehicle } from "../components/ConnectedVehicle";
import { ProgrammingTime } from "../components/ProgrammingTime";
import { Sessions } from "../components/Sessions";

type Agent = Schemas["AgentRead"];

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
