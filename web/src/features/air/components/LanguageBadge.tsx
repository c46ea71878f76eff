import { Badge, VisuallyHidden } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { ContentLanguage } from "../api/types";

/** The language of a piece of content ("DE"), shown only where it differs from the portal's. */
export function LanguageBadge({ language, always = false }: { language: ContentLanguage; always?: boolean }) {
  const { t, i18n } = useTranslation();
  if (!always && language === i18n.language) return null;
  return (
    <Badge variant="outline" color="gray" data-testid="language-badge">
      {language.toUpperCase()}
      <VisuallyHidden> ({t(`air.languages.${language}`)})</VisuallyHidden>
    </Badge>
  );
}
