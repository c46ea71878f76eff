import js from "@eslint/js";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

// Feature folders under src/features. A feature may use lib/ and components/ and another
// feature's public surface (its index.ts) only; the app (src/app) puts features together.
const FEATURES = ["account", "air", "auth", "company", "members", "orders", "passes", "programming", "shop", "usage", "vehicle"];

const boundaries = [
  // lib/ is the bottom layer: API client, problems, i18n, formatting. It knows no screen.
  { target: "./src/lib", from: ["./src/app", "./src/features", "./src/components"], message: "lib/ must not depend on the app, features or components." },
  // Shared components are building blocks; they know no feature.
  { target: "./src/components", from: ["./src/app", "./src/features"], message: "Shared components must not depend on the app or a feature." },
  { target: "./src/features", from: "./src/app", message: "A feature must not depend on the app shell." },
  // Another feature only through its index.ts, never its internals.
  ...FEATURES.map((feature) => ({
    target: `./src/features/${feature}`,
    from: "./src/features",
    except: [`./${feature}`, ...FEATURES.filter((other) => other !== feature).map((other) => `./${other}/index.ts`)],
    message: "Import another feature only through its index.ts.",
  })),
];

export default tseslint.config(
  { ignores: ["dist", "node_modules", "src/lib/api/schema.d.ts"] },
  {
    files: ["**/*.{ts,tsx}"],
    extends: [js.configs.recommended, ...tseslint.configs.strict, reactHooks.configs.flat["recommended-latest"]],
    languageOptions: { globals: globals.browser },
    plugins: { "import-x": importX },
    settings: {
      // Without these, import-x reads only .js files and would see no cycle among ours.
      "import-x/extensions": [".ts", ".tsx", ".js"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".tsx"] },
      "import-x/resolver-next": [createNodeResolver({ extensions: [".ts", ".tsx", ".d.ts", ".js"] })],
    },
    rules: {
      // Never put server or user markup into the DOM as HTML.
      "no-restricted-syntax": [
        "error",
        { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: "Render markup as text, or SVG through <img src=data:...>." },
      ],
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "import-x/no-restricted-paths": ["error", { zones: boundaries }],
      // A relative import that resolves nowhere would slip past the two rules above.
      "import-x/no-unresolved": ["error", { ignore: ["^@", "^[a-z]"] }],
    },
  },
  // A test that found nothing fails on the next line anyway; `!` keeps the tests short.
  { files: ["src/**/*.test.{ts,tsx}", "src/test/**"], rules: { "@typescript-eslint/no-non-null-assertion": "off" } },
  { files: ["scripts/**/*.mjs"], languageOptions: { globals: globals.node } },
);
