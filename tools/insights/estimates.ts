/**
 * What `plan` states about a stack besides its resources: the monthly cost estimate, the create
 * time with its critical path, and the budget guardrail's verdict. The usage the cost model
 * prices comes from the stack's validated config, read as the program reads it.
 */
import * as path from "path";
import { validateConfig } from "../../config";
import type { Violation } from "../../policy/evaluate";
import type { Plan } from "../engine";
import { readStackSettings } from "../../lib/stack-settings";
import { budgetExcess, budgetRecord, type BudgetRecord } from "./budget";
import { estimateCost, type CostEstimate, type CostUsage } from "./cost";
import { planEstimates } from "./create-time";

export type Project = "platform" | "delivery";

/** The `estimates` object of `plan --json`. */
export interface StackEstimates {
    monthlyUsd: number;
    createMinutes: number;
    criticalPath: string[];
    /** Present when the stack sets `platform:budget.monthlyUsd`. */
    budget?: BudgetRecord;
}

/** The usage assumptions and budget a stack's config sets (validation errors propagate as ConfigError). */
export async function stackUsage(projectRoot: string, project: Project, stack: string, stackFile?: string): Promise<{ usage: CostUsage; budgetUsd?: number }> {
    if (project === "delivery") {
        const settings = readStackSettings(path.join(projectRoot, "delivery"), stack, stackFile);
        const { validateDeliveryConfig, describePlatformStack } = await import("../../delivery/config");
        return { usage: { delivery: validateDeliveryConfig(settings.config, stack, (s) => describePlatformStack(projectRoot, s)).usage } };
    }
    const config = validateConfig(readStackSettings(projectRoot, stack, stackFile).config, stack);
    const containerTasks = Object.fromEntries(Object.entries(config.containers.services).map(([name, service]) => [name, service.minTasks]));
    return { usage: { platform: config.usage, containerTasks }, budgetUsd: config.budget.monthlyUsd };
}

export function stackEstimates(plan: Plan, cost: CostEstimate, budgetUsd?: number): StackEstimates {
    return {
        monthlyUsd: cost.monthly,
        ...planEstimates(plan),
        ...(budgetUsd === undefined ? {} : { budget: budgetRecord(budgetUsd, cost.items) }),
    };
}

/** The guardrail's error for a plan's estimates, or undefined within budget (or with none set). */
export function estimatesExcess(estimates: Pick<StackEstimates, "monthlyUsd" | "budget"> | undefined): string | undefined {
    return estimates ? budgetExcess(estimates.monthlyUsd, estimates.budget) : undefined;
}

/** Names the excess as `npm run policy` prints a violation: `mandatory monthly-budget <stack urn>: ...`. */
export const BUDGET_RULE = "monthly-budget";

export function budgetViolation(
    plan: Pick<Plan, "stack" | "project" | "resources"> & { estimates?: Pick<StackEstimates, "monthlyUsd" | "budget"> },
): Violation | undefined {
    const message = estimatesExcess(plan.estimates);
    if (!message) return undefined;
    const urn =
        plan.resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ??
        `urn:pulumi:${plan.stack}::${plan.project}::pulumi:pulumi:Stack::${plan.project}-${plan.stack}`;
    return { policy: BUDGET_RULE, enforcement: "mandatory", urn, message };
}

export { estimateCost };
