import { modelVpc, type VpcInputs } from "./awsx-model";
import { estimateCreateTime, round, simulateBounded } from "./insights/create-time";
import type { Plan, PlannedResource } from "./engine";
import { usd } from "./insights/budget";
import type { StackEstimates } from "./insights/estimates";
import type { Violation } from "../policy/evaluate";

/** The human-readable plan: component tree, counts by type, outputs, warnings, policy results. */
export function formatPlan(plan: Plan, violations: Violation[], estimates?: Pick<StackEstimates, "monthlyUsd" | "budget">): string {
    const lines: string[] = [];
    const custom = plan.resources.filter((r) => r.custom);
    lines.push(
        `Offline plan for stack "${plan.stack}" (${plan.profile ? `profile ${plan.profile}` : `project ${plan.project}`}): ${custom.length} resources in ${plan.resources.length - custom.length} components`,
    );
    lines.push("", "Resources:");
    const children = new Map<string | undefined, PlannedResource[]>();
    for (const r of plan.resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    const walk = (r: PlannedResource, depth: number) => {
        const flags = [r.options.protect ? "protected" : "", r.options.retainOnDelete ? "retained" : ""].filter(Boolean).join(", ");
        lines.push(`${"  ".repeat(depth + 1)}${r.type} ${r.name}${flags ? `  [${flags}]` : ""}`);
        if (r.type === "awsx:ec2:Vpc") lines.push(`${"  ".repeat(depth + 2)}(awsx expands to ${describeVpc(r)})`);
        for (const c of children.get(r.urn) ?? []) walk(c, depth + 1);
    };
    for (const root of children.get(undefined) ?? []) walk(root, 0);

    lines.push("", "Resources by type:");
    const counts = new Map<string, number>();
    for (const r of custom) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    const width = Math.max(...[...counts.keys()].map((k) => k.length), 10);
    for (const [type, n] of [...counts].sort((a, b) => a[0].localeCompare(b[0]))) lines.push(`  ${type.padEnd(width)}  ${n}`);

    lines.push("", "Outputs:");
    for (const [k, v] of Object.entries(plan.outputs)) lines.push(`  ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);

    if (estimates) lines.push("", ...formatMonthlyCost(plan, estimates));
    lines.push("", ...formatCreateTime(plan));

    lines.push("", `Warnings: ${plan.warnings.length === 0 ? "none" : ""}`);
    for (const w of plan.warnings) lines.push(`  ${w}`);

    const mandatory = violations.filter((v) => v.enforcement === "mandatory").length;
    lines.push("", `Policies: ${mandatory} mandatory, ${violations.length - mandatory} advisory violation(s)`);
    for (const v of violations) lines.push(`  ${formatViolation(v)}`);
    return lines.join("\n");
}

/** The estimate's total and the budget it is held to; `npm run cost` lists the items. */
export function formatMonthlyCost(plan: Pick<Plan, "stack" | "project">, estimates: Pick<StackEstimates, "monthlyUsd" | "budget">): string[] {
    // `--project` takes the folder's name: the delivery project (platform-delivery) is `delivery`.
    const project = plan.project === "platform" ? "" : ` --project ${plan.project.replace(/^platform-/, "")}`;
    const lines = [
        `Estimated monthly cost: ${usd(estimates.monthlyUsd)} at on-demand list prices (\`npm run cost -- --stack ${plan.stack}${project}\` lists the items; docs/cost.md)`,
    ];
    if (estimates.budget) {
        const { monthlyUsd: budget } = estimates.budget;
        const share = Math.round((estimates.monthlyUsd / budget) * 100);
        lines.push(
            `  Budget ${usd(budget)}/month (platform:budget.monthlyUsd): ${estimates.monthlyUsd > budget ? `EXCEEDED, ${share}% of it` : `within, ${share}% of it`}`,
        );
    }
    return lines;
}

/** The CLI's default --parallel on a 2-CPU machine (4 x CPUs since Pulumi 3.100, pulumi/pulumi#15016). */
const SMALL_MACHINE_PARALLEL = 8;

/** The estimated create time and the critical path, one line per resource with its own minutes. */
export function formatCreateTime(plan: Pick<Plan, "resources">): string[] {
    const estimate = estimateCreateTime(plan);
    const bounded = simulateBounded(plan, SMALL_MACHINE_PARALLEL);
    const lines = [`Estimated create time: ${round(estimate.minutes)} min from nothing (docs/create-time.md)`];
    if (round(bounded) !== round(estimate.minutes)) lines.push(`  ${round(bounded)} min with --parallel ${SMALL_MACHINE_PARALLEL} (the CLI default on 2 CPUs)`);
    lines.push("Critical path:");
    const width = Math.max(...estimate.steps.map((s) => s.name.length));
    for (const s of estimate.steps) lines.push(`  ${s.name.padEnd(width)}  ${String(round(s.minutes)).padStart(4)} min  ${s.type}`);
    return lines;
}

export function formatViolation(v: Violation): string {
    return `${v.enforcement} ${v.policy} ${v.urn}: ${v.message}`;
}

function describeVpc(r: PlannedResource): string {
    const region = String(r.inputs.region ?? "").trim() || "us-east-1";
    const model = modelVpc(r.inputs as VpcInputs, region, (kind, key) => `${kind}-${key}`);
    const tiers = ["Public", "Private", "Isolated"].map((t) => `${model.subnets.filter((s) => s.tier === t).length} ${t.toLowerCase()}`);
    return `${model.azs.length} AZs, subnets ${tiers.join(" / ")}, ${model.natGateways.length} NAT gateway(s)`;
}
