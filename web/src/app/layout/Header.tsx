import { Anchor, Burger, Button, Group, SegmentedControl, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useAuth } from "../../features/auth";
import { type Language, setLanguage } from "../../lib/i18n";
import { NavLinks } from "./NavLinks";

export function LogoutButton({ onDone }: { onDone?: () => void }) {
  const { t } = useTranslation();
  const auth = useAuth();
  if (auth.status !== "signed-in") return null;
  return (
    <Button
      variant="default"
      size="xs"
      onClick={() => {
        onDone?.();
        void auth.signOut();
      }}
    >
      {t("nav.logout")}
    </Button>
  );
}

/**
 * The header keeps to one line at any width, so it never covers the page: on phones the links
 * move into a menu behind the burger button.
 */
export function Header({ menuOpen, toggleMenu }: { menuOpen: boolean; toggleMenu: () => void }) {
  const { t, i18n } = useTranslation();
  const auth = useAuth();
  return (
    <Group h="100%" px="md" justify="space-between" wrap="nowrap" component="nav" aria-label="main">
      <Group wrap="nowrap" gap="sm">
        <Burger opened={menuOpen} onClick={toggleMenu} hiddenFrom="lg" size="sm" aria-label={t("nav.menu")} aria-expanded={menuOpen} aria-controls="main-menu" />
        <Anchor component={Link} to="/" underline="never">
          <Title order={2} size="h4">
            {t("app.name")}
          </Title>
        </Anchor>
        {auth.status === "signed-in" && (
          <Group visibleFrom="lg" wrap="nowrap">
            <NavLinks />
          </Group>
        )}
      </Group>
      <Group wrap="nowrap" gap="sm">
        <SegmentedControl
          aria-label={t("app.language")}
          size="xs"
          value={i18n.language}
          onChange={(value) => setLanguage(value as Language)}
          data={[
            { value: "en", label: "EN" },
            { value: "de", label: "DE" },
          ]}
        />
        <Group visibleFrom="lg" wrap="nowrap">
          {auth.status === "signed-in" ? <LogoutButton /> : <NavLinks />}
        </Group>
      </Group>
    </Group>
  );
}

