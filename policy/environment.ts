import * as pulumi from "@pulumi/pulumi";
import type { Environment, EnvironmentConfig } from "./types";

/** Stack names that are prod: prod, production, prod-*, prod.eu, ... */
export function isProdStackName(stack: string): boolean {
    return /^prod(uction)?([-_.].*)?$/.test(stack);
}

/**
 * The environment a rule runs for: the pack config's `environment`, or else the stack's name
 * (a stack named prod or prod-*) as the pack sees it under `pulumi preview --policy-pack`.
 */
export function environmentOf(args: { getConfig<T extends object>(): T }): Environment {
    const configured = args.getConfig<EnvironmentConfig>().environment;
    if (configured) return configured;
    return isProdStackName(pulumi.getStack()) ? "prod" : "dev";
}
