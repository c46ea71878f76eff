import axe from "axe-core";

/**
 * axe-core's WCAG 2.1 A/AA rules on a rendered screen: the serious and critical violations (as
 * the browser journey checks them). jsdom computes no layout or colours, so contrast is left to
 * the browser journey.
 */
export async function seriousViolations(root: Element): Promise<{ id: string; help: string; nodes: string[] }[]> {
  const result = await axe.run(root, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    rules: { "color-contrast": { enabled: false } },
  });
  return result.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => ({ id: violation.id, help: violation.help, nodes: violation.nodes.map((node) => node.target.join(" ")) }));
}
