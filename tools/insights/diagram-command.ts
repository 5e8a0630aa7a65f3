/**
 * `npm run diagram`: the architecture diagram of a stack (or of a saved plan), as Mermaid or
 * Graphviz DOT; `--stack prod --write-readme` regenerates the README's diagram.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import type { Plan } from "../engine";
import { parsePlan, PlanShapeError, withoutNpmBanner } from "../plan-schema";
import { architecture, toDot, toMermaid, withReadmeBlock } from "./diagram";

const USAGE =
    "usage: diagram --stack <name> [--project <name>] [--stack-file <path>] [--format mermaid|dot] | diagram --plan <plan.json> [--format mermaid|dot] | diagram --stack prod --write-readme";
/** The stack whose diagram the README shows. */
export const README_STACK = "prod";

export interface DiagramContext {
    projectDir: string;
    /** The Pulumi projects `--project` names, by name, with their directories. */
    projects: Record<string, string>;
    /** Evaluates a stack offline; prints why and returns undefined when it cannot. */
    evaluate(stack: string, stackFile: string | undefined, projectDir: string): Promise<Plan | undefined>;
}

export async function diagram(argv: string[], ctx: DiagramContext): Promise<number> {
    const { values } = parseArgs({
        args: argv,
        options: {
            stack: { type: "string" },
            project: { type: "string" },
            "stack-file": { type: "string" },
            plan: { type: "string" },
            format: { type: "string" },
            "write-readme": { type: "boolean" },
        },
    });
    const format = values.format ?? "mermaid";
    const projectDir = ctx.projects[values.project ?? "platform"];
    if (format !== "mermaid" && format !== "dot") {
        console.error(`error: --format ${format}: expected mermaid or dot`);
        return 2;
    }
    if (!projectDir || (values.stack === undefined) === (values.plan === undefined)) {
        console.error(USAGE);
        return 2;
    }
    if (values["write-readme"] && (values.stack !== README_STACK || values.project || values["stack-file"] || values.format)) {
        // The README shows the committed prod stack, which a test compares it with.
        console.error(
            `error: --write-readme regenerates the README's diagram of the committed ${README_STACK} stack: run it as \`npm run diagram -- --stack ${README_STACK} --write-readme\``,
        );
        return 2;
    }

    let plan: Plan | undefined;
    if (values.plan) {
        try {
            plan = parsePlan(JSON.parse(withoutNpmBanner(fs.readFileSync(values.plan, "utf8"))));
        } catch (err) {
            console.error(`error: cannot read plan ${values.plan}: ${err instanceof Error ? err.message : String(err)}`);
            if (err instanceof PlanShapeError) for (const p of err.problems) console.error(`  ${p}`);
            return 1;
        }
    } else {
        plan = await ctx.evaluate(values.stack!, values["stack-file"], projectDir);
        if (!plan) return 1;
    }

    let result;
    try {
        result = architecture(plan);
    } catch (err) {
        console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
        return 1;
    }
    if (values["write-readme"]) {
        const readme = path.join(ctx.projectDir, "README.md");
        const updated = withReadmeBlock(fs.readFileSync(readme, "utf8"), result);
        if (updated === undefined) {
            console.error("error: README.md lacks the architecture-diagram markers");
            return 1;
        }
        fs.writeFileSync(readme, updated);
        console.log(`README.md architecture diagram regenerated (stack ${README_STACK}: ${result.nodes.length} nodes, ${result.edges.length} edges)`);
        return 0;
    }
    process.stdout.write(`${format === "dot" ? toDot(result) : toMermaid(result)}\n`);
    return 0;
}
