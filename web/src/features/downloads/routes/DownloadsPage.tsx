import { Stack, Tabs, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useLocation, useNavigate } from "react-router";
import { AgentBuilds } from "../components/AgentBuilds";
import { SetupGuide } from "../components/SetupGuide";
import { SystemRequirements } from "../components/SystemRequirements";

// Each part has an address of its own, so that the pairing card can link to the setup guide.
const PARTS = [
  { path: "/downloads", label: "downloads.tabs.agent", body: <AgentBuilds /> },
  { path: "/downloads/requirements", label: "downloads.tabs.requirements", body: <SystemRequirements /> },
  { path: "/downloads/setup", label: "downloads.tabs.setup", body: <SetupGuide /> },
] as const;

/** Service → Downloads: the VCI agent, the system requirements and the setup guide. */
export function DownloadsPage() {
  const { t } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  const current = PARTS.find((part) => part.path === location.pathname) ?? PARTS[0];
  return (
    <Stack>
      <Title order={1} size="h2">
        {t("downloads.title")}
      </Title>
      <Tabs value={current.path} onChange={(path) => path && void navigate(path)} keepMounted={false}>
        <Tabs.List>
          {PARTS.map((part) => (
            <Tabs.Tab key={part.path} value={part.path}>
              {t(part.label)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {PARTS.map((part) => (
          <Tabs.Panel key={part.path} value={part.path} pt="md">
            {part.body}
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}
