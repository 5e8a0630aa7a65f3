/**
 * Layers import downward only (handbook, "The layout"): the entry point wires components from
 * validated config; components and config share AWS facts and pure logic in lib/ and never import
 * each other's layer; the policy pack reads only itself and lib/. Every relative import (static,
 * dynamic, `require`, `export ... from`) of every .ts file in the program's folders is checked.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..");

/** The program's layers: index.ts and these top-level folders. */
type Layer = "index.ts" | "components" | "config" | "lib" | "policy" | "services" | "tools" | "delivery";
const FOLDERS: Layer[] = ["components", "config", "lib", "policy", "services", "tools", "delivery"];

/**
 * Which layers each layer may import (its own is always allowed), lowest first. services/ is the
 * bottom: runtime code that esbuild bundles on its own, so it imports nothing of the deploy-time
 * program. lib/ holds AWS facts and pure logic; it may read the services' contracts (the saga's
 * definition names their events and reads their command schema). Components deploy service code
 * and share its constants (event names, columns, metric names). delivery/ is a second entry point.
 */
const ALLOWED: Record<Layer, readonly Layer[] | "any"> = {
    services: [],
    lib: ["services"],
    config: ["lib"],
    components: ["lib", "services"],
    policy: ["lib"],
    "index.ts": ["components", "config", "lib", "services"],
    delivery: ["components", "config", "lib", "services"],
    tools: "any",
};

/** Files outside every layer that any layer may read: the project's package.json (pinned versions). */
const SHARED_FILES = new Set(["package.json"]);

function layerOf(file: string): Layer | undefined {
    const rel = path.relative(ROOT, file).split(path.sep);
    if (rel.length === 1 && rel[0] === "index.ts") return "index.ts";
    return FOLDERS.find((f) => f === rel[0]);
}

function tsFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === "node_modules" ? [] : tsFiles(p);
        return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
    });
}

/** The module specifiers a file imports: import/export-from, import(), require(), import x = require(). */
function importsOf(file: string): string[] {
    const info = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
    return info.importedFiles.map((f) => f.fileName);
}

/** "<file>: imports <specifier> (<from layer> -> <to layer>)" for every import against the layers. */
export function layerViolations(files: string[]): string[] {
    const problems: string[] = [];
    for (const file of files) {
        const from = layerOf(file);
        if (!from) continue;
        const allowed = ALLOWED[from];
        if (allowed === "any") continue;
        for (const spec of importsOf(file)) {
            if (!spec.startsWith(".")) continue;
            const target = path.resolve(path.dirname(file), spec);
            const to = layerOf(target);
            if (to === from || (to !== undefined && allowed.includes(to))) continue;
            if (to === undefined && SHARED_FILES.has(path.relative(ROOT, target))) continue;
            problems.push(`${path.relative(ROOT, file)}: imports "${spec}" (${from} -> ${to ?? path.relative(ROOT, target)})`);
        }
    }
    return problems;
}

function programFiles(): string[] {
    return [path.join(ROOT, "index.ts"), ...FOLDERS.filter((f) => fs.existsSync(path.join(ROOT, f))).flatMap((f) => tsFiles(path.join(ROOT, f)))];
}

describe("architecture: layers import downward only", () => {
    it("no file imports against the layer table", () => {
        const problems = layerViolations(programFiles());
        assert.deepEqual(problems, [], `imports against the layers (handbook, "The layout"):\n  ${problems.join("\n  ")}`);
    });

    it("names the offending file and import", () => {
        const dir = fs.mkdtempSync(path.join(ROOT, "components", ".layers-probe-"));
        try {
            const probe = path.join(dir, "probe.ts");
            fs.writeFileSync(
                probe,
                'import type { ProtectionConfig } from "../../config/sections/protection";\nexport const x = import("../../tools/engine");\n',
            );
            const problems = layerViolations([probe]);
            const rel = path.relative(ROOT, probe);
            assert.deepEqual(problems, [
                `${rel}: imports "../../config/sections/protection" (components -> config)`,
                `${rel}: imports "../../tools/engine" (components -> tools)`,
            ]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
