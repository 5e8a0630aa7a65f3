import * as fs from "fs";
import * as path from "path";
// js-yaml, not yaml: @pulumi/pulumi loads js-yaml anyway, so parsing stack files costs no extra start-up.
import { load as parse } from "js-yaml";

export interface StackSettings {
    project: string;
    /** Full config keys (`platform:web`, `aws:region`) to string values, objects JSON-encoded, as the CLI hands them to a program. */
    config: Record<string, string>;
    /** Keys whose values are Pulumi secrets; offline their ciphertext cannot be read. */
    secretKeys: string[];
    stackFile: string;
}

/** The placeholder a secret's value takes offline: the ciphertext needs the stack's secrets provider. */
export const OFFLINE_SECRET = "[secret]";

/** What this reads of `Pulumi.yaml` (the CLI requires `name`) and of a stack's settings file; values as the YAML gives them. */
interface ProjectDoc {
    name: string;
    config?: Record<string, unknown>;
}
interface StackDoc {
    config?: Record<string, unknown>;
}

/**
 * Reads `Pulumi.yaml` (project name, declared defaults) and the stack's settings file the way
 * the Pulumi CLI does, yielding the config map a program sees under `pulumi up`.
 */
export function readStackSettings(projectDir: string, stack: string, stackFile?: string): StackSettings {
    const projectDoc = (parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) ?? {}) as ProjectDoc;
    const project = projectDoc.name;
    const file = stackFile ?? path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) throw new Error(`no settings for stack "${stack}": ${file} does not exist`);
    const stackDoc = (parse(fs.readFileSync(file, "utf8")) ?? {}) as StackDoc;

    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const qualify = (key: string) => (key.includes(":") ? key : `${project}:${key}`);

    for (const [key, decl] of Object.entries(projectDoc.config ?? {})) {
        if (decl && typeof decl === "object" && "default" in decl) config[qualify(key)] = encode(decl.default);
        else if (decl !== null && typeof decl !== "object") config[qualify(key)] = encode(decl); // shorthand: key: value
    }
    for (const [key, value] of Object.entries(stackDoc.config ?? {})) {
        const full = qualify(key);
        if (value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value) {
            config[full] = OFFLINE_SECRET;
            secretKeys.push(full);
        } else {
            config[full] = encode(value);
        }
    }
    // The CLI refuses to run a stack that lacks a declared key with no default.
    for (const [key, decl] of Object.entries(projectDoc.config ?? {})) {
        const full = qualify(key);
        if (decl && typeof decl === "object" && !("default" in decl) && !(full in config)) {
            throw new Error(`Stack '${stack}' is missing configuration value '${full}' (declared in Pulumi.yaml without a default)`);
        }
    }
    return { project, config, secretKeys, stackFile: file };
}

function encode(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}
