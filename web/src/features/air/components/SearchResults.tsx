import { Anchor, Badge, Card, Group, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { DocumentHit } from "../api/types";
import { documentLink, snippetParts } from "../search";
import { LanguageBadge } from "./LanguageBadge";

/** The documents a search found, each with its type, its language when it is not the portal's,
 * and the snippet with the matches marked. */
export function SearchResults({ items, vin }: { items: DocumentHit[]; vin: string | null }) {
  const { t } = useTranslation();
  return (
    <Stack component="ol" gap="sm" p={0} style={{ listStyle: "none" }}>
      {items.map((doc) => (
        <Card component="li" key={doc.id} withBorder data-testid="search-result">
          <Group justify="space-between">
            <Anchor component={Link} to={documentLink(doc, vin)} fw={500}>
              {doc.title}
            </Anchor>
            <Group gap="xs">
              <LanguageBadge language={doc.language} />
              <Badge variant="light">{t(`air.types.${doc.type}`)}</Badge>
            </Group>
          </Group>
          <Text size="sm">
            {doc.snippet
              ? snippetParts(doc.snippet).map((part, index) => (part.match ? <mark key={index}>{part.text}</mark> : <span key={index}>{part.text}</span>))
              : doc.summary}
          </Text>
        </Card>
      ))}
    </Stack>
  );
}
