import * as pulumi from "@pulumi/pulumi";

/**
 * A physical name AWS accepts for identifiers such as an RDS instance or an ElastiCache
 * replication group: lowercase letters, digits and single hyphens, starting with a letter,
 * not ending with a hyphen, at most `maxLength` characters.
 */
export function awsIdentifier(parts: string[], maxLength: number): string {
    let id = parts
        .join("-")
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-{2,}/g, "-")
        .replace(/^[^a-z]+/, "");
    id = id.slice(0, maxLength).replace(/-+$/, "");
    if (id.length === 0) throw new Error(`cannot derive an AWS identifier from ${JSON.stringify(parts)}`);
    return id;
}

/** Every physical name starts with the platform's, fixed here rather than read from the project. */
export const PLATFORM = "platform";

/** The stack every physical name is scoped by, so two stacks in one account never collide. */
export function stackName(): string {
    return pulumi.getStack();
}

/** `platform-<stack>[-<part>...]`: account-wide names (the event bus, the key alias, log deliveries). */
export function platformName(...parts: string[]): string {
    return [PLATFORM, stackName(), ...parts].join("-");
}

/** `/platform/<stack>/<part>/...`: log groups and parameter paths the platform owns. */
export function platformPath(...parts: string[]): string {
    return `/${[PLATFORM, stackName(), ...parts].join("/")}`;
}

/** `<name>-<stack>`: a resource named after its component, unique per stack in the account. */
export function stackScoped(name: string): string {
    return `${name}-${stackName()}`;
}

/** `<name>-<stack>` as an AWS identifier (see awsIdentifier) of at most `maxLength` characters. */
export function stackIdentifier(name: string, maxLength: number): string {
    return awsIdentifier([name, stackName()], maxLength);
}

/** A Glue database name from a component name and the stack: lowercase letters, digits, underscores. */
export function glueDatabaseName(name: string, stack: string = stackName()): string {
    return `${name}_${stack}`
        .toLowerCase()
        .replace(/[^a-z0-9_]+/g, "_")
        .slice(0, 255);
}
