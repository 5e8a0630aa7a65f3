/**
 * URL path patterns as ALB listener rules and CloudFront cache behaviours read them: `*` matches
 * any run of characters (including "/"), `?` exactly one, everything else itself, case-sensitively.
 * Pure functions, shared by the config validation and the components that create the rules.
 */

/** Characters an ALB path-pattern condition accepts (besides the wildcards). */
const ALB_PATH = /^\/[A-Za-z0-9_\-.$/~"'@:+&*?]*$/;
/** Characters a CloudFront cache behaviour's path pattern accepts. */
const CLOUDFRONT_PATH = /^\/[A-Za-z0-9_\-.$/~"'@:+&*?]*$/;

/** An ALB path-pattern value is at most 128 characters. */
export const ALB_PATH_MAX = 128;
/** A CloudFront path pattern is at most 255 characters. */
export const CLOUDFRONT_PATH_MAX = 255;

/**
 * ALB rule quotas (not adjustable): at most 5 condition values and 5 wildcards per rule. Every
 * strangler rule also carries one http-header value (the origin secret), so 4 paths remain.
 */
export const ALB_CONDITION_VALUES_PER_RULE = 5;
export const ALB_WILDCARDS_PER_RULE = 5;
export const STRANGLER_PATHS_PER_RULE = ALB_CONDITION_VALUES_PER_RULE - 1;

/** Listener rule priorities: 1 to 50000, lowest evaluated first. */
export const ALB_MAX_PRIORITY = 50000;
/** An ALB has at most 100 rules besides the default ones (an adjustable quota; this is its default). */
export const ALB_MAX_RULES = 100;

/**
 * Where each kind of rule sits on the web listener. The dependency report's 404 comes first; the
 * public container services' paths next (one rule each, in service-name order, below the strangler's
 * 100, and config refuses a migrated path that overlaps one); the strangler's path rules next, in config order; then its weighted share of the rest; the catch-all
 * that forwards CloudFront's requests to the legacy fleet last.
 */
export const RULE_PRIORITY = {
    hideHealth: 1,
    /**
     * Under web.runtime beanstalk: the 403 for Elastic Beanstalk hostnames. Created before the
     * environment, so whichever free priority Elastic Beanstalk maps its own rule to is higher.
     */
    refuseBeanstalkHosts: 2,
    containerServicesFrom: 10,
    stranglerPathsFrom: 100,
    stranglerWeighted: ALB_MAX_PRIORITY - 1,
    fromCloudFront: ALB_MAX_PRIORITY,
} as const;
/** The most public container services the listener has room for, between the health 404 and the strangler's rules. */
export const MAX_CONTAINER_SERVICE_RULES = 100 - 10;
/** Rules the platform itself keeps on the listener: the health 404, the weighted split, the catch-all. */
export const FIXED_RULES = 3;
export const MAX_STRANGLER_PATH_RULES = ALB_MAX_RULES - FIXED_RULES;

export const wildcards = (pattern: string) => [...pattern].filter((c) => c === "*" || c === "?").length;

/** Why `pattern` is not a valid ALB path-pattern value, or undefined when it is. */
export function albPathProblem(pattern: string): string | undefined {
    if (!ALB_PATH.test(pattern)) return 'must start with "/" and use only letters, digits, _-.$/~"\'@:+& and the wildcards * and ?';
    if (pattern.length > ALB_PATH_MAX) return `is ${pattern.length} characters; an ALB path pattern has at most ${ALB_PATH_MAX}`;
    if (wildcards(pattern) > ALB_WILDCARDS_PER_RULE) return `has ${wildcards(pattern)} wildcards; an ALB rule allows at most ${ALB_WILDCARDS_PER_RULE}`;
    return undefined;
}

/** Why `pattern` is not a valid CloudFront path pattern, or undefined when it is. */
export function cloudFrontPathProblem(pattern: string): string | undefined {
    if (!CLOUDFRONT_PATH.test(pattern)) return 'must start with "/" and use only letters, digits, _-.$/~"\'@:+& and the wildcards * and ?';
    if (pattern.length > CLOUDFRONT_PATH_MAX) return `is ${pattern.length} characters; a CloudFront path pattern has at most ${CLOUDFRONT_PATH_MAX}`;
    return undefined;
}

/** Whether `path` matches `pattern`. */
export function matches(pattern: string, path: string): boolean {
    const re = new RegExp(
        `^${pattern
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
    );
    return re.test(path);
}

/**
 * Whether some path matches both patterns: the intersection of the two languages is not empty.
 * f(i, j) asks whether a[i..] and b[j..] can produce the same string; a `*` either ends or
 * absorbs one character the other side produces.
 */
export function overlap(a: string, b: string): boolean {
    const memo = new Map<number, boolean>();
    const f = (i: number, j: number): boolean => {
        const key = i * (b.length + 1) + j;
        const known = memo.get(key);
        if (known !== undefined) return known;
        let result: boolean;
        if (i === a.length && j === b.length) result = true;
        else if (a[i] === "*") result = f(i + 1, j) || (j < b.length && f(i, j + 1));
        else if (b[j] === "*") result = f(i, j + 1) || (i < a.length && f(i + 1, j));
        else if (i === a.length || j === b.length) result = false;
        else result = (a[i] === "?" || b[j] === "?" || a[i] === b[j]) && f(i + 1, j + 1);
        memo.set(key, result);
        return result;
    };
    return f(0, 0);
}

/**
 * Packs path patterns, in order, into as few listener rules as the ALB quotas allow: at most
 * STRANGLER_PATHS_PER_RULE values and ALB_WILDCARDS_PER_RULE wildcards each.
 */
export function packPathRules(patterns: string[]): string[][] {
    const rules: string[][] = [];
    let current: string[] = [];
    let stars = 0;
    for (const p of patterns) {
        const w = wildcards(p);
        if (current.length === STRANGLER_PATHS_PER_RULE || stars + w > ALB_WILDCARDS_PER_RULE) {
            rules.push(current);
            current = [];
            stars = 0;
        }
        current.push(p);
        stars += w;
    }
    if (current.length > 0) rules.push(current);
    return rules;
}
