/**
 * How much of the platform the pack covers: the share of resource types in the stacks' plans
 * that at least one rule checks, and the rule count by service. Resource rules declare their
 * types through validateResourceOfType (its `__pulumiType`); stack rules through `covers`.
 * Rules that apply to every type (required-tags) are left out, or the figure would say nothing.
 */
import type { Plan } from "../lib/plan";
import type { PlatformPolicy } from "./types";

/** Rule-name prefixes that don't name an AWS service, and what they cover. */
const SERVICE_OF_PREFIX: Record<string, string> = {
    security: "ec2 (security groups)",
    vpc: "vpc",
    compute: "vpc (placement)",
    datastore: "rds + elasticache (placement)",
    stateful: "cross-service",
    required: "cross-service",
    lb: "elb",
    sfn: "stepfunctions",
    waf: "wafv2",
    random: "random (generated secrets)",
};

export function serviceOf(policyName: string): string {
    const prefix = policyName.split("-")[0];
    return SERVICE_OF_PREFIX[prefix] ?? prefix;
}

/** The types each rule checks. */
export function typesOf(policy: PlatformPolicy): string[] {
    const validations =
        "validateResource" in policy && policy.validateResource
            ? Array.isArray(policy.validateResource)
                ? policy.validateResource
                : [policy.validateResource]
            : [];
    const declared = validations.map((v) => (v as { __pulumiType?: string }).__pulumiType).filter((t): t is string => typeof t === "string");
    return [...new Set([...declared, ...(policy.covers ?? [])])];
}

/** Resource types a plan creates: custom resources and remote components (awsx), not providers or local components. */
export function platformTypes(plans: Plan[]): string[] {
    const types = new Set<string>();
    for (const plan of plans) for (const r of plan.resources) if ((r.custom || r.remote) && !r.type.startsWith("pulumi:")) types.add(r.type);
    return [...types].sort();
}

export interface Coverage {
    types: string[];
    covered: string[];
    uncovered: string[];
    /** covered / types, 0..1. */
    share: number;
    /** Rule count by service. */
    rulesByService: Record<string, number>;
    /** For each platform type, the rules that check it. */
    rulesByType: Record<string, string[]>;
}

export function coverage(plans: Plan[], policies: PlatformPolicy[]): Coverage {
    const types = platformTypes(plans);
    const rulesByType: Record<string, string[]> = Object.fromEntries(types.map((t) => [t, []]));
    for (const p of policies) for (const t of typesOf(p)) rulesByType[t]?.push(p.name);
    const covered = types.filter((t) => rulesByType[t].length > 0);
    const rulesByService: Record<string, number> = {};
    for (const p of policies) rulesByService[serviceOf(p.name)] = (rulesByService[serviceOf(p.name)] ?? 0) + 1;
    return {
        types,
        covered,
        uncovered: types.filter((t) => !covered.includes(t)),
        share: types.length === 0 ? 0 : covered.length / types.length,
        rulesByService,
        rulesByType,
    };
}

export function formatCoverage(c: Coverage, stacks: string[], ruleCount: number): string {
    const lines = [
        `Policy coverage of stacks ${stacks.join(", ")}: ${c.covered.length} of ${c.types.length} resource types (${(c.share * 100).toFixed(1)}%) are checked by at least one rule`,
        "",
        "Rules by service:",
        ...Object.entries(c.rulesByService)
            .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
            .map(([s, n]) => `  ${s.padEnd(32)} ${n}`),
        `  ${"total".padEnd(32)} ${ruleCount}`,
        "",
        "Types and the rules that check them:",
        ...c.types.map((t) => `  ${t}: ${c.rulesByType[t].length === 0 ? "(none)" : c.rulesByType[t].join(", ")}`),
    ];
    return lines.join("\n");
}
