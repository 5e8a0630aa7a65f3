/**
 * Evaluates a planned listener's rules the way an Application Load Balancer does: rules in
 * ascending priority, a rule matches when every condition does (a condition matches when any of
 * its values does), path patterns case-sensitively, header names and values case-insensitively,
 * `*` and `?` as wildcards; the first matching rule acts, else the listener's default action.
 */
import type { Plan, PlannedResource } from "../../tools/engine";
import { matches } from "../../lib/path-patterns";

export interface AlbRequest {
    path: string;
    headers?: Record<string, string>;
}

export type Outcome =
    | { type: "forward"; targets: { arn: string; weight: number }[]; rule: string }
    | { type: "fixed-response"; status: string; rule: string }
    | { type: "redirect"; rule: string };

function conditionMatches(c: any, req: AlbRequest): boolean {
    if (c.pathPattern) return (c.pathPattern.values as string[]).some((v) => matches(v, req.path));
    if (c.httpHeader) {
        const name = String(c.httpHeader.httpHeaderName).toLowerCase();
        const got = Object.entries(req.headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1];
        return got !== undefined && (c.httpHeader.values as string[]).some((v) => matches(v.toLowerCase(), got.toLowerCase()));
    }
    throw new Error(`the evaluator knows no condition ${JSON.stringify(c)}`);
}

function outcomeOf(actions: any[], rule: string): Outcome {
    const a = actions[0];
    if (a.type === "forward") {
        const targets = a.forward ? a.forward.targetGroups.map((t: any) => ({ arn: t.arn, weight: t.weight ?? 1 })) : [{ arn: a.targetGroupArn, weight: 1 }];
        return { type: "forward", targets, rule };
    }
    if (a.type === "fixed-response") return { type: "fixed-response", status: a.fixedResponse.statusCode, rule };
    return { type: "redirect", rule };
}

/** Where the listener sends the request. */
export function routeRequest(plan: Plan, listener: PlannedResource, req: AlbRequest): Outcome {
    const rules = plan.resources
        .filter((r) => r.type === "aws:lb/listenerRule:ListenerRule" && r.inputs.listenerArn === listener.outputs.arn)
        .sort((a, b) => Number(a.inputs.priority) - Number(b.inputs.priority));
    for (const rule of rules) {
        if ((rule.inputs.conditions as any[]).every((c) => conditionMatches(c, req))) return outcomeOf(rule.inputs.actions as any[], rule.name);
    }
    return outcomeOf(listener.inputs.defaultActions as any[], "default");
}
