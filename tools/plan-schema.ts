/**
 * The shape of a saved plan (`npm run plan -- --json`), checked on the way into `npm run policy`
 * with the same schema library the config uses: optional fields get their defaults, and anything
 * malformed is refused with one line per problem naming the resource (index and URN) and the field.
 */
import { z } from "zod";
import type { Plan } from "./engine";

const strings = z.array(z.string());
const record = z.record(z.string(), z.unknown());

const options = z.object({
    protect: z.boolean().default(false),
    retainOnDelete: z.boolean().default(false),
    deleteBeforeReplace: z.boolean().default(false),
    dependsOn: strings.default([]),
    ignoreChanges: strings.default([]),
    replaceOnChanges: strings.default([]),
    additionalSecretOutputs: strings.default([]),
    aliases: strings.default([]),
    provider: z.string().optional(),
    deletedWith: z.string().optional(),
    import: z.string().optional(),
});

const resource = z.object({
    urn: z.string().min(1),
    type: z.string().min(1),
    name: z.string().min(1),
    parent: z.string().optional(),
    custom: z.boolean().default(true),
    remote: z.boolean().default(false),
    inputs: record,
    options: options.default(options.parse({})),
    id: z.string().optional(),
    outputs: record.default({}),
    dependencies: strings.default([]),
    propertyDependencies: z.record(z.string(), strings).default({}),
});

const plan = z.object({
    stack: z.string().min(1),
    project: z.string().min(1).default("platform"),
    profile: z.string().optional(),
    resources: z.array(resource),
    outputs: record.default({}),
    warnings: strings.default([]),
    /** What `plan --json` estimates for the stack (tools/insights): kept as given, and open to more models. */
    estimates: z
        .looseObject({
            monthlyUsd: z.number().optional(),
            createMinutes: z.number().optional(),
            criticalPath: strings.optional(),
            budget: z.object({ monthlyUsd: z.number(), largest: z.array(z.object({ urn: z.string(), monthly: z.number(), basis: z.string() })) }).optional(),
        })
        .optional(),
});

/** Thrown for a plan file that is not a plan: every problem, one line each. */
export class PlanShapeError extends Error {
    constructor(readonly problems: string[]) {
        super(problems.join("\n"));
        this.name = "PlanShapeError";
    }
}

const EXPECTED: Record<string, string> = { record: "an object", object: "an object", array: "a list", string: "a string", boolean: "true or false" };
const typeName = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "object" ? "an object" : `a ${typeof v}`);

/** The plan with its defaults filled in, or a PlanShapeError naming each malformed field. */
export function parsePlan(data: unknown): Plan {
    const result = plan.safeParse(data);
    if (result.success) return result.data as Plan;
    const resources = (data as { resources?: unknown })?.resources;
    const problems = result.error.issues.map((issue) => {
        const [first, index, ...rest] = issue.path;
        let where = issue.path.join(".") || "the plan";
        if (first === "resources" && typeof index === "number" && Array.isArray(resources)) {
            const urn = (resources[index] as { urn?: unknown })?.urn;
            where = `resource ${index}${typeof urn === "string" ? ` (${urn})` : ""}: ${rest.join(".") || "the resource"}`;
        }
        const given = issue.path.reduce<unknown>(
            (v, k) => (v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined),
            data,
        );
        const what = given === undefined ? "is missing" : `is ${typeName(given)}`;
        const expected = issue.code === "invalid_type" ? `expected ${EXPECTED[issue.expected] ?? issue.expected}` : issue.message;
        return `${where} ${what}; ${expected}`;
    });
    throw new PlanShapeError(problems);
}

/**
 * `npm run plan -- --stack dev --json > plan.json` captures npm's "> platform@x plan" banner
 * (printed to stdout) above the JSON; drop those lines so the saved plan reads as written.
 */
export function withoutNpmBanner(text: string): string {
    return text.replace(/^(?:\s*\n|> [^\n]*\n)+(?=\s*\{)/, "");
}
