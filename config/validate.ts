/**
 * The one path every project's config is validated on: the platform's (config/index.ts) and the
 * delivery's (delivery/config.ts). It takes the project's own keys out of the stack's raw config,
 * refuses unknown keys, checks aws:region, merges each section's settings over its defaults and
 * parses them with its schema, and words every problem one way, `<key>: <value given> <what is
 * allowed>`, raising them all at once as a ConfigError before any resource is registered.
 */
import type { z } from "zod";
import { AWS_REGION } from "./common";
import { type Conversions, fromCliValues, withConversionHints } from "./cli-values";
import { ConfigError } from "./errors";
import { formatIssues, show, unknownKeyMessage } from "./format";

/** A project's config sections by key, each with the schema its value must pass. */
export type Sections = Record<string, { schema: z.ZodType }>;
/** The parsed value of each of a project's sections. */
export type SectionValuesOf<S extends Sections> = { [K in keyof S]: z.output<S[K]["schema"]> };

/** One problem as every config message words it: the full key, the value given (when one was), what is allowed. */
export function problem(key: string, value: unknown, message: string): string {
    return `${key}: ${value === undefined ? "" : `${show(value)} `}${message}`;
}

/** A stack's raw config (full keys to strings, as the Pulumi CLI hands them over) read for one project, and the problems found in it. */
export class ProjectConfig {
    /** The project's own keys, without the `<project>:` prefix, and their raw values. */
    readonly own = new Map<string, string>();
    readonly problems: string[] = [];
    /** `aws:region`, as given. */
    readonly region: string | undefined;

    /**
     * @param keys every top-level key the project accepts (its sections and any others)
     * @param regionUse what aws:region is for, which its "is required" message says ("the home region")
     */
    constructor(
        raw: Record<string, string>,
        readonly project: string,
        keys: readonly string[],
        regionUse: string,
    ) {
        for (const [fullKey, value] of Object.entries(raw)) if (fullKey.startsWith(`${project}:`)) this.own.set(fullKey.slice(project.length + 1), value);
        for (const key of this.own.keys()) if (!keys.includes(key)) this.problems.push(`${this.key(key)}: ${unknownKeyMessage(key, [...keys])}`);
        this.region = raw["aws:region"];
        if (this.region === undefined) this.problems.push(`aws:region: is required (${regionUse}, e.g. us-east-1)`);
        else if (!AWS_REGION.test(this.region)) this.problems.push(problem("aws:region", this.region, "must be an AWS region code such as us-east-1"));
    }

    /** The full key of a path in the project's namespace: `platform:web.maxSize`. */
    key(path: string): string {
        return `${this.project}:${path}`;
    }

    /** Records a problem with the project's key at `path` (a cross-field rule's, say). */
    report(path: string, value: unknown, message: string): void {
        this.problems.push(problem(this.key(path), value, message));
    }

    /** Every problem found so far, to throw (at once, or early when the rest cannot be checked without a value). */
    error(): ConfigError {
        return new ConfigError(this.problems);
    }

    /**
     * Each section's settings merged over `defaults(name)` (objects key by key; arrays and
     * scalars replace), passed through `prepare` when given, and parsed by the section's schema.
     * A section that fails records its problems and is left out of the result.
     */
    sections<S extends Sections>(
        sections: S,
        defaults: (name: keyof S) => unknown,
        prepare?: (name: keyof S, merged: unknown) => unknown,
    ): Partial<SectionValuesOf<S>> {
        const values: Partial<SectionValuesOf<S>> = {};
        for (const name in sections) {
            const value = this.section<S[typeof name]["schema"]>(name, sections[name].schema, defaults(name), prepare && ((merged) => prepare(name, merged)));
            if (value !== undefined) values[name] = value;
        }
        return values;
    }

    /** Raises a ConfigError naming every problem; without any, every section parsed: their values and the region. */
    complete<S extends Sections>(sections: S, values: Partial<SectionValuesOf<S>>): { region: string; values: SectionValuesOf<S> } {
        if (this.problems.length > 0) throw this.error();
        if (this.region === undefined || !hasEvery(sections, values))
            throw new Error(`${this.project} config: a value is missing, yet no problem was recorded`);
        return { region: this.region, values };
    }

    private section<T extends z.ZodType>(name: string, schema: T, defaults: unknown, prepare?: (merged: unknown) => unknown): z.output<T> | undefined {
        const key = this.key(name);
        const override = parseValue(this.own.get(name));
        if (override !== undefined && !isPlainObject(override)) {
            this.problems.push(problem(key, override, "must be an object of settings"));
            return undefined;
        }
        const conversions: Conversions = new Map();
        const merged = deepMerge(defaults, fromCliValues(schema, override ?? {}, conversions));
        const result = schema.safeParse(prepare ? prepare(merged) : merged, { reportInput: true });
        if (result.success) return result.data;
        this.problems.push(...withConversionHints(key, formatIssues(key, schema, result.error.issues), conversions));
        return undefined;
    }
}

function hasEvery<S extends Sections>(sections: S, values: Partial<SectionValuesOf<S>>): values is SectionValuesOf<S> {
    return Object.keys(sections).every((name) => name in values);
}

/** Config values arrive as strings; objects and arrays are JSON-encoded. */
export function parseValue(value: string | undefined): unknown {
    if (value === undefined) return undefined;
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Objects merge key by key; arrays and scalars in the override replace the default. */
export function deepMerge(base: unknown, override: unknown): unknown {
    if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(override)) out[k] = deepMerge(base[k], v);
    return out;
}
