/**
 * The budget guardrail: `platform:budget.monthlyUsd` against the stack's cost estimate. The plan
 * records the verdict's inputs (`estimates`), so `npm run policy` on a saved plan reaches the
 * same verdict as `npm run plan` without the stack's config.
 */

/** One priced resource, as the cost estimate lists it. */
export interface BudgetItem {
    urn: string;
    monthly: number;
    basis: string;
}

/** What a plan records for the guardrail: the ceiling and the items that explain an excess. */
export interface BudgetRecord {
    monthlyUsd: number;
    /** The five largest items of the estimate, largest first. */
    largest: BudgetItem[];
}

/** How many items an excess names. */
export const LARGEST_NAMED = 5;

export function budgetRecord(monthlyUsd: number, items: readonly BudgetItem[]): BudgetRecord {
    const largest = [...items]
        .sort((a, b) => b.monthly - a.monthly || a.urn.localeCompare(b.urn))
        .slice(0, LARGEST_NAMED)
        .map(({ urn, monthly, basis }) => ({ urn, monthly, basis }));
    return { monthlyUsd, largest };
}

export const usd = (n: number): string => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The error when `estimateUsd` exceeds the budget, naming the budget, the estimate and the largest items; undefined within it. */
export function budgetExcess(estimateUsd: number, budget: BudgetRecord | undefined): string | undefined {
    if (!budget || estimateUsd <= budget.monthlyUsd) return undefined;
    const largest = budget.largest.map((i) => `${i.urn.split("::").pop()} ${usd(i.monthly)} (${i.basis})`).join("; ");
    return `platform:budget.monthlyUsd: the estimate ${usd(estimateUsd)}/month exceeds the budget ${usd(budget.monthlyUsd)}/month by ${usd(estimateUsd - budget.monthlyUsd)}; the ${budget.largest.length} largest items: ${largest}. Reduce the stack (see \`npm run cost\`) or raise the budget.`;
}
