import type { z } from "zod";

/** Renders a value as it would appear in a stack file, short enough for one line. */
export function show(value: unknown): string {
    const text = JSON.stringify(value);
    if (text === undefined) return String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The keys an object schema accepts at `path`, or [] when there is no object there. */
export function allowedKeysAt(schema: z.ZodType, path: PropertyKey[]): string[] {
    let node: SchemaNode | undefined = schema as unknown as SchemaNode;
    for (const segment of path) {
        node = unwrap(node);
        if (node?.shape) node = node.shape[String(segment)];
        else if (node?.element && typeof segment === "number") node = node.element;
        else return [];
    }
    node = unwrap(node);
    return node?.shape ? Object.keys(node.shape) : [];
}

/** What the walk reads of a zod schema: an object's shape, an array's element, a wrapper's unwrap(). */
interface SchemaNode {
    shape?: Record<string, SchemaNode>;
    element?: SchemaNode;
    unwrap?: () => SchemaNode;
}

function unwrap(node: SchemaNode | undefined): SchemaNode | undefined {
    while (node && typeof node.unwrap === "function" && !node.shape) node = node.unwrap();
    return node;
}

/** The closest allowed key to a misspelt one, when it is close enough to be a likely typo. */
export function closest(key: string, allowed: string[]): string | undefined {
    let best: { key: string; distance: number } | undefined;
    for (const candidate of allowed) {
        const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
        if (!best || distance < best.distance) best = { key: candidate, distance };
    }
    return best && best.distance <= Math.max(2, Math.floor(key.length / 3)) ? best.key : undefined;
}

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const current = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = current;
        }
    }
    return row[b.length];
}

/** Unknown keys get their own message naming the key and what is allowed. */
export function unknownKeyMessage(key: string, allowed: string[]): string {
    const guess = closest(key, allowed);
    return `unknown key${guess ? ` (did you mean "${guess}"?)` : ""}; allowed keys: ${allowed.join(", ")}`;
}

/**
 * One line per zod issue: `<key>: <value given> <what is allowed>`, where key is the full
 * dotted config key (`platform:web.maxSize`).
 */
export function formatIssues(prefix: string, schema: z.ZodType, issues: z.core.$ZodIssue[]): string[] {
    const lines: string[] = [];
    for (const issue of issues) {
        const key = [prefix, ...issue.path.map((p) => (typeof p === "number" ? `[${p}]` : String(p)))].join(".").replace(/\.\[/g, "[");
        if (issue.code === "unrecognized_keys") {
            const allowed = allowedKeysAt(schema, issue.path);
            for (const k of issue.keys) lines.push(`${key}.${k}: ${unknownKeyMessage(k, allowed)}`);
            continue;
        }
        const input = (issue as { input?: unknown }).input;
        const given = input === undefined ? "" : `${show(input)} `;
        lines.push(`${key}: ${given}${describe(issue, input)}`);
    }
    return lines;
}

function describe(issue: z.core.$ZodIssue, input: unknown): string {
    switch (issue.code) {
        case "invalid_type":
            return input === undefined ? `is required (${issue.expected})` : `must be ${article(issue.expected)}`;
        case "too_small":
            return issue.origin === "array"
                ? `must have at least ${issue.minimum} item(s)`
                : issue.origin === "string"
                  ? `must be at least ${issue.minimum} character(s) long`
                  : issue.inclusive === false
                    ? `must be greater than ${issue.minimum}`
                    : `is below the minimum ${issue.minimum}`;
        case "too_big":
            return issue.origin === "array"
                ? `must have at most ${issue.maximum} item(s)`
                : issue.origin === "string"
                  ? `must be at most ${issue.maximum} character(s) long`
                  : `is above the maximum ${issue.maximum}`;
        case "invalid_value":
            return `must be one of ${issue.values.map((v) => show(v)).join(", ")}`;
        case "not_multiple_of":
            return `must be a multiple of ${issue.divisor}`;
        default:
            return issue.message;
    }
}

function article(expected: string): string {
    if (expected === "int") return "a whole number";
    return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
