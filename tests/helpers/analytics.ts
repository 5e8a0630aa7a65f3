import type { Plan, PlannedResource } from "../../tools/engine";
import { doc } from "./plan";

/** Every resource of a type, by exact type token. */
export function allOf(plan: Plan, type: string): PlannedResource[] {
    return plan.resources.filter((r) => r.type === type);
}

/** The one resource of a type whose name ends with `suffix`. */
export function named(plan: Plan, type: string, suffix: string): PlannedResource {
    const found = allOf(plan, type).filter((r) => r.name.endsWith(suffix));
    if (found.length !== 1) throw new Error(`expected one ${type} named *${suffix}, found ${found.map((r) => r.name).join(", ") || "none"}`);
    return found[0];
}

const roleName = (role: PlannedResource) => (role.inputs.name as string | undefined) ?? (role.outputs.name as string);

/** The statements granted to a role by its RolePolicy resources. */
export function grantsOf(plan: Plan, role: PlannedResource): any[] {
    return allOf(plan, "aws:iam/rolePolicy:RolePolicy")
        .filter((p) => p.inputs.role === roleName(role))
        .flatMap((p) => doc(p.inputs.policy).Statement);
}

/** The trust policy's statements of a role. */
export function trustOf(role: PlannedResource): any[] {
    return doc(role.inputs.assumeRolePolicy).Statement;
}

/** Statements granting `action` (exactly, or through a trailing wildcard) on a resource matching `resource`. */
export function allows(statements: any[], action: string, resource: string | RegExp): boolean {
    const list = (v: unknown) => (Array.isArray(v) ? v : [v]);
    return statements.some(
        (s) =>
            (s.Effect ?? "Allow") === "Allow" &&
            list(s.Action).some((a: string) => a === action || (a.endsWith("*") && action.startsWith(a.slice(0, -1)))) &&
            list(s.Resource).some((r: string) => (typeof resource === "string" ? r === resource : resource.test(r))),
    );
}
