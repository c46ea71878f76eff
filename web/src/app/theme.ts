import { createTheme, type CSSVariablesResolver, defaultVariantColorsResolver, type VariantColorsResolver } from "@mantine/core";

/**
 * The portal's theme. Mantine's defaults put links, primary buttons, dimmed text and the text of
 * tinted ("light") badges and alerts below the WCAG AA contrast of 4.5:1 (blue 6 on white is
 * about 3.5:1, gray 6 about 3.3:1, green text on a pale green about 3); the browser test's
 * axe-core check found them. Darker shades, and dark text on the tinted backgrounds, keep the
 * look and pass.
 */
const variantColorResolver: VariantColorsResolver = (input) => {
  const colors = defaultVariantColorsResolver(input);
  if (input.variant === "light") {
    return { ...colors, color: "var(--mantine-color-dark-8)", hoverColor: "var(--mantine-color-dark-8)" };
  }
  return colors;
};

export const theme = createTheme({
  primaryColor: "blue",
  primaryShade: { light: 8, dark: 5 },
  variantColorResolver,
});

export const cssVariablesResolver: CSSVariablesResolver = (resolved) => ({
  variables: {},
  light: { "--mantine-color-dimmed": resolved.colors.gray[7] ?? "#495057" },
  dark: {},
});
