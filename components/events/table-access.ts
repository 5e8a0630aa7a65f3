import type * as pulumi from "@pulumi/pulumi";
import type { Statement } from "../iam";

/**
 * Item actions on the global table, only on items whose partition key starts with one of
 * `prefixes` (`<entity>#`, see services/table-keys.ts), through dynamodb:LeadingKeys: each
 * function may touch its own entities and no others.
 */
export function tableItems(sid: string, tableArn: pulumi.Input<string>, actions: string[], prefixes: string[]): Statement {
    return { Sid: sid, Action: actions.map((a) => `dynamodb:${a}`), Resource: tableArn, Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": prefixes.map((p) => `${p}#*`) } } };
}
