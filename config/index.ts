import * as pulumi from "@pulumi/pulumi";
import { PROFILES, type Profile } from "./common";
import { crossSectionProblems } from "./rules";
import { SECTIONS, type SectionValues } from "./sections";
import { RESERVED_TAGS } from "./sections/tags";
import { runtimeProblems } from "./sections/web";
import { ProjectConfig, parseValue } from "./validate";

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
    const config = new ProjectConfig(raw, PROJECT, [...SCALAR_KEYS, ...Object.keys(SECTIONS)], "the home region");

    // The profile picks every section's defaults: without a valid one nothing else can be checked.
    const profile = config.own.get("profile") ?? PROFILES.find((p) => p === stack);
    if (profile === undefined) {
        config.report("profile", undefined, `is required for stack "${stack}" (the profile it starts from); must be one of ${PROFILES.join(", ")}`);
        throw config.error();
    }
    if (!isProfile(profile)) {
        config.report("profile", profile, `must be one of ${PROFILES.join(", ")}`);
        throw config.error();
    }

    const sections = config.sections(SECTIONS, (name) => SECTIONS[name].defaults[profile]);
    // A missing key has no value to show: "platform:web.certificateArn: is required ...".
    for (const p of crossSectionProblems(profile, config.region ?? "", sections)) config.report(p.key, p.value, p.message);
    // Settings the web runtime would ignore, judged on what the stack file itself sets.
    if (sections.web) for (const p of runtimeProblems(parseValue(config.own.get("web")), sections.web.runtime)) config.report(p.key, p.value, p.message);
    const { region, values } = config.complete(SECTIONS, sections);
    return {
        ...values,
        stack,
        profile,
        region,
        tags: { ...values.tags, environment: stack, project: PROJECT } satisfies Record<(typeof RESERVED_TAGS)[number], string>,
    };
}

function isProfile(value: string): value is Profile {
    return (PROFILES as readonly string[]).includes(value);
}

/** Reads and validates the running stack's config; call it before registering any resource. */
export function loadConfig(): PlatformConfig {
    return validateConfig(pulumi.runtime.allConfig(), pulumi.getStack());
}
