import type { Blocked, Change, DiffResult, Op, PropertyDiff } from "./compare";

const SYMBOL: Record<Op, string> = { create: "+ ", update: "~ ", replace: "+-", delete: "- ", same: "  " };
const MAX_VALUE = 60;

/**
 * The diff as `pulumi preview --diff` shows one: each changed resource under its components, with
 * its step (`+`, `~`, `+-`, `-`), the changed input paths (old => new), what forces a replacement,
 * and a summary line.
 */
export function formatDiff(result: DiffResult, heading: string): string {
    const lines = [heading, ""];
    const changed = result.changes.filter((c) => c.op !== "same");
    if (changed.length === 0) {
        lines.push("No changes.");
    } else {
        // The tree: changed resources and their ancestors, in plan order (deletes under their old parents).
        const byUrn = new Map(result.changes.map((c) => [c.urn, c]));
        const shown = new Set<string>();
        for (const c of changed) for (let u: string | undefined = c.urn; u && !shown.has(u); u = byUrn.get(u)?.parent) shown.add(u);
        const children = new Map<string | undefined, Change[]>();
        for (const c of result.changes)
            if (shown.has(c.urn))
                children.set(byUrn.has(c.parent ?? "") ? c.parent : undefined, [...(children.get(byUrn.has(c.parent ?? "") ? c.parent : undefined) ?? []), c]);
        const walk = (c: Change, depth: number) => {
            lines.push(...describe(c, "    ".repeat(depth)));
            for (const child of children.get(c.urn) ?? []) walk(child, depth + 1);
        };
        for (const root of children.get(undefined) ?? []) walk(root, 0);
    }
    lines.push("", summaryLine(result));
    return lines.join("\n");
}

function describe(c: Change, indent: string): string[] {
    const notes = [
        c.op === "replace" && c.deleteBeforeReplace ? "delete-before-replace" : "",
        c.mayReplace ? "MAY REPLACE: type not in the replacement table" : "",
        c.protect ? "protected" : "",
        c.oldUrn ? `was ${c.oldUrn} (alias)` : "",
    ].filter(Boolean);
    const step = c.op === "same" ? "" : ` (${c.op})`;
    const lines = [`${SYMBOL[c.op]} ${indent}${c.type} ${c.name}${step}${notes.length ? `  [${notes.join("; ")}]` : ""}`];
    const pad = `   ${indent}    `;
    for (const d of c.details) lines.push(`${pad}${property(d, c.replaceReasons.includes(d.path))}`);
    if (c.op === "replace") lines.push(`${pad}replaced because of: ${c.replaceReasons.join(", ")}`);
    if (c.error) lines.push(`${pad}error: ${c.error}`);
    return lines;
}

function property(d: PropertyDiff, forces: boolean): string {
    const tail = `${d.computedFrom ? `  (computed from ${d.computedFrom.split("::").pop()}, ${d.old === undefined ? "new" : "being replaced"})` : ""}${forces ? "  [forces replacement]" : ""}`;
    if (d.old === undefined) return `+ ${d.path}: ${show(d.new)}${tail}`;
    if (d.new === undefined) return `- ${d.path}: ${show(d.old)}${tail}`;
    const [a, b] = shorten(JSON.stringify(d.old), JSON.stringify(d.new));
    return `~ ${d.path}: ${a} => ${b}${tail}`;
}

function show(v: unknown): string {
    return shorten(JSON.stringify(v) ?? String(v), "")[0];
}

/** Long values cut around where they first differ, so the change itself stays visible. */
function shorten(a: string, b: string): [string, string] {
    if (a.length <= MAX_VALUE && b.length <= MAX_VALUE) return [a, b];
    let start = 0;
    while (start < a.length && start < b.length && a[start] === b[start]) start++;
    const from = b === "" ? 0 : Math.max(0, start - 20);
    const cut = (s: string) => `${from > 0 ? "…" : ""}${s.slice(from, from + MAX_VALUE)}${s.length > from + MAX_VALUE ? "…" : ""}`;
    return [cut(a), cut(b)];
}

function summaryLine(result: DiffResult): string {
    const s = result.summary;
    const parts = [
        s.create ? `+${s.create} to create` : "",
        s.update ? `~${s.update} to update` : "",
        s.replace ? `+-${s.replace} to replace` : "",
        s.delete ? `-${s.delete} to delete` : "",
        `${s.same} unchanged`,
    ].filter(Boolean);
    const may = result.changes.filter((c) => c.mayReplace).length;
    return `Resources: ${parts.join(", ")}${may ? ` (${may} of the updates may replace: type not in the replacement table)` : ""}`;
}

/** The guard's and Pulumi's refusals, one line each, for stderr. */
export function formatRefusals(stack: string, blocked: Blocked[], errors: Change[]): string[] {
    const lines: string[] = [];
    for (const c of errors) lines.push(`error: ${c.error}`);
    if (blocked.length > 0) {
        lines.push(`error: stack "${stack}" protects its resources, and this change replaces or deletes ${blocked.length} stateful resource(s):`);
        for (const b of blocked) {
            const step = b.change.op === "update" ? "may be replaced" : b.change.op === "delete" ? "deleted" : "replaced";
            lines.push(`  ${b.change.name} (${b.change.type}) ${step}${b.reasons.length ? `: ${b.reasons.join(", ")}` : ""}`);
        }
        lines.push(
            `  (if that is intended, repeat with --allow-replace <name or URN> for each; data in a replaced resource is lost unless restored from a backup)`,
        );
    }
    return lines;
}
