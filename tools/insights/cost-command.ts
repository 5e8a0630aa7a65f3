/**
 * `cost --stack <name> [--json] [--project delivery] [--stack-file <path>]`: the stack's monthly
 * cost estimate, from its offline plan, its validated usage settings and the committed price table.
 */
import * as path from "path";
import { parseArgs } from "util";
import { ConfigError } from "../../config";
import { evaluateStack } from "../engine";
import { estimateCost, type CostEstimate, type CostUsage } from "./cost";
import { stackUsage, type Project } from "./estimates";

export async function cost(argv: string[], projectDir: string, evaluationErrorLines: (stack: string, err: unknown) => string[]): Promise<number> {
    const { values } = parseArgs({
        args: argv,
        options: { stack: { type: "string" }, json: { type: "boolean" }, "stack-file": { type: "string" }, project: { type: "string" } },
    });
    const project = values.project ?? "platform";
    if (!values.stack || !["platform", "delivery"].includes(project)) {
        console.error("usage: cost --stack <name> [--json] [--stack-file <path>] [--project delivery]");
        return 2;
    }
    const stack = values.stack;
    let usage: CostUsage;
    let plan;
    try {
        // Validating first names every bad usage value before anything is planned.
        ({ usage } = await stackUsage(projectDir, project as Project, stack, values["stack-file"]));
        plan = await evaluateStack({
            projectDir: project === "delivery" ? path.join(projectDir, "delivery") : projectDir,
            stack,
            stackFile: values["stack-file"],
        });
    } catch (err) {
        if (!(err instanceof ConfigError) && !(err instanceof Error)) throw err;
        for (const line of evaluationErrorLines(stack, err)) console.error(line);
        return 1;
    }
    const estimate = estimateCost(plan, usage);
    if (values.json)
        process.stdout.write(
            `${JSON.stringify({ ...estimate, items: estimate.items.map(({ urn, type, monthly, basis }) => ({ urn, type, monthly, basis })) }, null, 2)}\n`,
        );
    else console.log(formatCost(estimate));
    return 0;
}

const money = (n: number) => `$${n.toFixed(2)}`;

/** One table per top-level component, its costliest resources first, then the total. */
export function formatCost(e: CostEstimate): string {
    const groups = new Map<string, CostEstimate["items"]>();
    for (const i of e.items) groups.set(i.component, [...(groups.get(i.component) ?? []), i]);
    const cents = (items: CostEstimate["items"]) => items.reduce((s, i) => s + Math.round(i.monthly * 100), 0) / 100;
    const ordered = [...groups].sort((a, b) => cents(b[1]) - cents(a[1]));
    const width = Math.max(10, ...e.items.map((i) => money(i.monthly).length));
    const lines = [`Monthly cost estimate of stack "${e.stack}" (${e.region}, on-demand list prices, ${e.currency})`, ""];
    for (const [component, items] of ordered) {
        lines.push(`${component}  ${money(cents(items))}`);
        for (const i of items) lines.push(`  ${money(i.monthly).padStart(width)}  ${i.name.padEnd(36)} ${i.basis}`);
        lines.push("");
    }
    lines.push(`Total: ${money(e.monthly)} per month`);
    if (e.unpriced.length > 0) {
        lines.push("", "Not priced:");
        for (const u of e.unpriced) lines.push(`  ${u.type}: ${u.why}`);
    }
    return lines.join("\n");
}
