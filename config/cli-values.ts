/**
 * Settings as `pulumi config set --path` writes them. The CLI stores `true`/`false` as booleans
 * and integers without a leading zero as numbers, and everything else (`8.0`, `0.5`, `017`) as a
 * string. So a version typed as 17 arrives as the number 17, and a fraction typed as 0.5 as the
 * string "0.5". This turns each value into the type its key takes where that is what the user
 * meant, and notes where it did, so an error on such a key can say how to write it instead.
 */
import type { z } from "zod";

/** Where a value was converted, by config path ("database.engineVersion"): what the CLI wrote. */
export type Conversions = Map<string, unknown>;

interface Def {
    type: string;
    innerType?: z.ZodType;
    in?: z.ZodType;
    shape?: Record<string, z.ZodType>;
    catchall?: z.ZodType;
    element?: z.ZodType;
    valueType?: z.ZodType;
    options?: z.ZodType[];
    entries?: Record<string, unknown>;
    values?: unknown[];
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The schema below wrappers that don't change what a value must be (optional, default, refinements' pipes). */
function unwrap(schema: z.ZodType): z.ZodType {
    let s = schema;
    for (;;) {
        const def = defOf(s);
        if (["optional", "default", "prefault", "nullable", "readonly", "catch", "nonoptional"].includes(def.type) && def.innerType) s = def.innerType;
        else if (def.type === "pipe" && def.in) s = def.in;
        else return s;
    }
}

/** The scalar kinds a schema accepts: "string", "number", "boolean" (enums and literals by their values' types). */
function scalarKinds(schema: z.ZodType): Set<string> {
    const def = defOf(unwrap(schema));
    switch (def.type) {
        case "string":
        case "number":
        case "boolean":
            return new Set([def.type]);
        case "int":
            return new Set(["number"]);
        case "enum":
            return new Set(Object.values(def.entries ?? {}).map((v) => typeof v));
        case "literal":
            return new Set((def.values ?? []).map((v) => typeof v));
        case "union":
            return new Set((def.options ?? []).flatMap((o) => [...scalarKinds(o)]));
        default:
            return new Set();
    }
}

const NUMBER_TEXT = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * `value` with each scalar converted to the kind its key takes: a number or boolean to text for a
 * text key, numeric text to a number for a number key, "true"/"false" to a boolean. Anything else
 * is left for the schema to refuse. Conversions from a number are recorded under their path.
 */
export function fromCliValues(schema: z.ZodType, value: unknown, conversions: Conversions, path: string[] = []): unknown {
    const s = unwrap(schema);
    const def = defOf(s);
    if (def.type === "object" && def.shape && isObject(value)) {
        return Object.fromEntries(
            Object.entries(value).map(([k, v]) => {
                const field = def.shape![k] ?? def.catchall;
                return [k, field ? fromCliValues(field, v, conversions, [...path, k]) : v];
            }),
        );
    }
    if (def.type === "record" && def.valueType && isObject(value)) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromCliValues(def.valueType!, v, conversions, [...path, k])]));
    }
    if (def.type === "array" && def.element && Array.isArray(value)) {
        return value.map((v, i) => fromCliValues(def.element!, v, conversions, [...path, String(i)]));
    }
    const kinds = scalarKinds(s);
    if (kinds.size === 0 || kinds.has(typeof value)) return value;
    if (kinds.has("string") && (typeof value === "number" || typeof value === "boolean")) {
        if (typeof value === "number") conversions.set(path.join("."), value);
        return String(value);
    }
    if (kinds.has("number") && typeof value === "string" && NUMBER_TEXT.test(value.trim())) return Number(value);
    if (kinds.has("boolean") && (value === "true" || value === "false")) return value === "true";
    return value;
}

/** The hint for a problem on a key whose number the CLI wrote, e.g. 7 for "7.0". */
export function conversionHint(written: unknown): string {
    return `(the Pulumi CLI stored ${JSON.stringify(written)} as a number; to give text such as "${written}.0", quote it in the stack file or use \`pulumi config set --type string\`)`;
}

/** Problem lines with the hint appended where the key's value was a number the CLI wrote for text. */
export function withConversionHints(prefix: string, lines: string[], conversions: Conversions): string[] {
    const keys = [...conversions].map(([path, written]) => ({
        key: [prefix, ...path.split(".").map((p) => (/^\d+$/.test(p) ? `[${p}]` : p))].join(".").replace(/\.\[/g, "["),
        written,
    }));
    return lines.map((line) => {
        const hit = keys.find((k) => line.startsWith(`${k.key}: `));
        return hit ? `${line} ${conversionHint(hit.written)}` : line;
    });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
