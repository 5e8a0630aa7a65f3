// ESLint (flat config): JavaScript's and typescript-eslint's recommended rules, without type
// information, so `npm run lint` takes seconds (`tsc --noEmit` does the type checking).
// Formatting is Prettier's (.prettierrc.json), not ESLint's.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "policy/node_modules/"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.node },
        // `const { dropped, ...rest } = obj` is how a copy without some keys is written.
        rules: { "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true }] },
    },
    {
        // The command-line entry points and mocha's settings are CommonJS scripts.
        files: ["**/*.js"],
        languageOptions: { sourceType: "commonjs" },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        // Tests read plan JSON, whose inputs are untyped by nature: `any` is how they reach into it.
        files: ["tests/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
);
