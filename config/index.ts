import * as pulumi from "@pulumi/pulumi";
import { AWS_REGION, PROFILES, type Profile } from "./common";
import { type Conversions, fromCliValues, withConversionHints } from "./cli-values";
import { ConfigError } from "./errors";
import { formatIssues, show, unknownKeyMessage } from "./format";
import { crossSectionProblems } from "./rules";
import { SECTIONS, type SectionName, type SectionValues } from "./sections";
import { RESERVED_TAGS } from "./sections/tags";

export { ConfigError } from "./errors";
export type { Profile } from "./common";

export const PROJECT = "platform";

/** The validated settings of one stack: profile defaults with the stack file's overrides. */
export interface PlatformConfig extends Omit<SectionValues, "tags"> {
    stack: string;
    profile: Profile;
    /** Home region (`aws:region`). */
    region: string;
    /** Tags every resource carries, including the platform's own environment and project tags. */
    tags: Record<string, string>;
}

/** Top-level keys in the `platform:` namespace besides the sections. */
const SCALAR_KEYS = ["profile"] as const;

/**
 * Validates a stack's raw config (as `pulumi.runtime.allConfig()` returns it: full keys to
 * strings, objects JSON-encoded) against the schema. Throws a ConfigError naming every
 * problem at once; returns the merged, typed config otherwise.
 */
export function validateConfig(raw: Record<string, string>, stack: string): PlatformConfig {
    const problems: string[] = [];
    const own = new Map<string, string>();
    for (const [fullKey, value] of Object.entries(raw)) {
        if (fullKey.startsWith(`${PROJECT}:`)) own.set(fullKey.slice(PROJECT.length + 1), value);
    }

    const allowed = [...SCALAR_KEYS, ...Object.keys(SECTIONS)];
    for (const key of own.keys()) {
        if (!allowed.includes(key)) problems.push(`${PROJECT}:${key}: ${unknownKeyMessage(key, allowed)}`);
    }

    const region = raw["aws:region"];
    if (region === undefined) problems.push("aws:region: is required (the home region, e.g. us-east-1)");
    else if (!AWS_REGION.test(region)) problems.push(`aws:region: ${show(region)} must be an AWS region code such as us-east-1`);

    const profileRaw = own.get("profile") ?? ((PROFILES as readonly string[]).includes(stack) ? stack : undefined);
    if (profileRaw === undefined) {
        problems.push(`${PROJECT}:profile: is required for stack "${stack}" (the profile it starts from); must be one of ${PROFILES.join(", ")}`);
        throw new ConfigError(problems);
    }
    if (!(PROFILES as readonly string[]).includes(profileRaw)) {
        problems.push(`${PROJECT}:profile: ${show(profileRaw)} must be one of ${PROFILES.join(", ")}`);
        throw new ConfigError(problems);
    }
    const profile = profileRaw as Profile;

    const sections: Partial<SectionValues> = {};
    for (const name of Object.keys(SECTIONS) as SectionName[]) {
        const key = `${PROJECT}:${name}`;
        const override = parseValue(own.get(name));
        if (override !== undefined && !isPlainObject(override)) {
            problems.push(`${key}: ${show(override)} must be an object of settings`);
            continue;
        }
        const { schema, defaults } = SECTIONS[name];
        const conversions: Conversions = new Map();
        const merged = deepMerge(defaults[profile], fromCliValues(schema, override ?? {}, conversions) as Record<string, unknown>);
        const result = schema.safeParse(merged, { reportInput: true });
        if (result.success) (sections as Record<string, unknown>)[name] = result.data;
        else problems.push(...withConversionHints(key, formatIssues(key, schema, result.error.issues), conversions));
    }

    for (const p of crossSectionProblems(profile, region ?? "", sections)) {
        // A missing key has no value to show: "platform:web.certificateArn: is required ...".
        problems.push(`${PROJECT}:${p.key}: ${p.value === undefined ? "" : `${show(p.value)} `}${p.message}`);
    }
    if (problems.length > 0) throw new ConfigError(problems);

    const values = sections as SectionValues;
    return {
        ...values,
        stack,
        profile,
        region: region!,
        tags: { ...values.tags, environment: stack, project: PROJECT } satisfies Record<(typeof RESERVED_TAGS)[number], string>,
    };
}

/** Reads and validates the running stack's config; call it before registering any resource. */
export function loadConfig(): PlatformConfig {
    return validateConfig(pulumi.runtime.allConfig(), pulumi.getStack());
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
