/**
 * Small helpers the rules share: reading values that may be unknown at preview time, provider
 * inputs that arrive JSON-encoded, and IAM policy documents.
 */
import * as policyProxy from "@pulumi/policy/proxy";
import { environmentOf } from "./environment";

/** Marks a value unknown at preview time, after `plain` has unwrapped a proxied value. */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Unknown = typeof UNKNOWN;

// The analyzer's sentinels for unknown values (exported at runtime, not in the typings).
const proxyInternals = policyProxy as unknown as Record<string, unknown>;
const SENTINELS = new Set(
    [
        "unknownBooleanValue",
        "unknownNumberValue",
        "unknownStringValue",
        "unknownArrayValue",
        "unknownAssetValue",
        "unknownArchiveValue",
        "unknownObjectValue",
    ].map((k) => proxyInternals[k]),
);
const PROXY_TARGET = proxyInternals.getSpecialProxyTarget as string;

export function isUnknown(v: unknown): v is Unknown {
    return v === UNKNOWN;
}

/**
 * A proxied value as plain JS with every unknown replaced by UNKNOWN, so stack rules can relate
 * many resources and skip what preview can't know instead of giving up on the whole stack.
 */
export function plain(value: unknown): unknown {
    const proxied = value && typeof value === "object" ? (value as Record<string, unknown>)[PROXY_TARGET] : undefined;
    const target = proxied ? proxied : value;
    if (SENTINELS.has(target)) return UNKNOWN;
    if (Array.isArray(target)) return target.map(plain);
    if (target && typeof target === "object") return Object.fromEntries(Object.entries(target).map(([k, v]) => [k, plain(v)]));
    return target;
}

/** The value at a dotted path, UNKNOWN if any step is unknown, undefined if absent. */
export function get(value: unknown, path: string): unknown {
    let cur = value;
    for (const key of path.split(".")) {
        if (isUnknown(cur)) return UNKNOWN;
        if (cur === undefined || cur === null || typeof cur !== "object") return undefined;
        cur = (cur as Record<string, unknown>)[key];
    }
    return cur;
}

/**
 * `value?.a?.b` for a dotted path: undefined past a missing step. Unlike `get`, an UNKNOWN step
 * reads as absent, as optional chaining on the unknown marker does.
 */
export function at(value: unknown, path: string): unknown {
    let cur = value;
    for (const key of path.split(".")) {
        if (cur === undefined || cur === null) return undefined;
        cur = (cur as Record<string, unknown>)[key];
    }
    return cur;
}

/**
 * Whether a property is set, without reading its value: an ARN unknown at preview is still set,
 * so presence checks ("has a KMS key") can decide instead of yielding "can't run".
 */
export function isSet(value: unknown, path: string): boolean {
    const v = get(plain(value), path);
    return v !== undefined && v !== null && v !== "";
}

/** Booleans arrive as booleans, or as "true"/"false" where the schema types them as strings. */
export function truthy(v: unknown): boolean {
    return v === true || v === "true";
}

export function asList<T = unknown>(v: T | T[] | undefined | null): T[] {
    return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

/** A JSON-encoded input (provider config, policy documents, EMR configuration); undefined if absent or not JSON. */
export function json(v: unknown): unknown {
    if (isUnknown(v)) return UNKNOWN;
    if (typeof v !== "string") return v ?? undefined;
    try {
        return JSON.parse(v);
    } catch {
        return undefined;
    }
}

/** Glob match in IAM's style: `*` any run, `?` one character; case-insensitive for actions. */
export function globMatch(pattern: string, value: string, caseInsensitive = false): boolean {
    const re = new RegExp(
        `^${pattern
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
        caseInsensitive ? "i" : "",
    );
    return re.test(value);
}

export interface Statement {
    Sid?: string;
    Effect?: string;
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
    NotResource?: string | string[];
    Principal?: "*" | Record<string, string | string[]>;
    NotPrincipal?: unknown;
    Condition?: Record<string, Record<string, unknown>>;
}

/** Statements of a policy document given as JSON text (or already parsed); [] if unparseable. */
export function statementsOf(document: unknown): Statement[] {
    const doc = json(document);
    if (!doc || typeof doc !== "object") return [];
    const statements = (doc as { Statement?: Statement | Statement[] }).Statement;
    return asList(statements).filter((s) => s && typeof s === "object");
}

export const isAllow = (s: Statement) => (s.Effect ?? "Allow") === "Allow";

/** Whether the statement's actions include `action` (wildcards in the statement count). */
export function allowsAction(s: Statement, action: string): boolean {
    if (s.NotAction !== undefined) return !asList(s.NotAction).some((a) => globMatch(a, action, true));
    return asList(s.Action).some((a) => typeof a === "string" && globMatch(a, action, true));
}

/** Whether the statement's resources include `arn`. */
export function coversResource(s: Statement, arn: string): boolean {
    if (s.NotResource !== undefined) return !asList(s.NotResource).some((r) => globMatch(r, arn));
    return asList(s.Resource).some((r) => typeof r === "string" && globMatch(r, arn));
}

/** Service principals a statement names. */
export function servicePrincipals(s: Statement): string[] {
    if (!s.Principal || s.Principal === "*") return [];
    return asList(s.Principal.Service as string | string[] | undefined);
}

/** A statement whose principal is anyone: "*" or {AWS: "*"}. */
export function isPublicPrincipal(s: Statement): boolean {
    if (s.Principal === "*") return true;
    if (s.Principal && typeof s.Principal === "object") return asList(s.Principal.AWS as string | string[] | undefined).includes("*");
    return false;
}

/** Condition keys that pin a public principal to a known account, organisation, source or endpoint. */
const SCOPING_CONDITION_KEYS = [
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:principalorgid",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourcevpce",
    "aws:sourcevpc",
    "aws:sourceorgid",
    "aws:calledvia",
    "kms:callerAccount",
    "kms:viaservice",
    "aws:principalservicename",
].map((k) => k.toLowerCase());

export function hasScopingCondition(s: Statement): boolean {
    return Object.values(s.Condition ?? {}).some((block) => Object.keys(block ?? {}).some((k) => SCOPING_CONDITION_KEYS.includes(k.toLowerCase())));
}

/** A Deny for requests not made over TLS (aws:SecureTransport false). */
export function deniesInsecureTransport(s: Statement): boolean {
    if (isAllow(s)) return false;
    return Object.entries(s.Condition ?? {}).some(
        ([op, block]) =>
            /^Bool(IfExists)?$/i.test(op) &&
            Object.entries(block ?? {}).some(
                ([k, v]) =>
                    k.toLowerCase() === "aws:securetransport" &&
                    asList(v as string | string[])
                        .map(String)
                        .includes("false"),
            ),
    );
}

/** True in prod; rules that only apply to prod call this first. */
export function isProd(args: { getConfig<T extends object>(): T }): boolean {
    return environmentOf(args) === "prod";
}

/** The major version number of an engine version string ("17.2" -> 17); undefined if unparseable. */
export function majorVersion(v: unknown): number | undefined {
    const m = typeof v === "string" ? /^(\d+)/.exec(v) : undefined;
    return m ? Number(m[1]) : undefined;
}
