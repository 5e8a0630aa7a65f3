import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import type { PlatformPolicy } from "../types";

interface PolicyStatement {
    Effect?: string;
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
}

const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Statements of a policy document given as JSON text (or already parsed). */
export function statementsOf(document: unknown): PolicyStatement[] {
    const doc = typeof document === "string" ? JSON.parse(document) : document;
    if (!doc || typeof doc !== "object") return [];
    const statements = (doc as { Statement?: PolicyStatement | PolicyStatement[] }).Statement;
    return statements === undefined ? [] : Array.isArray(statements) ? statements : [statements];
}

/** An Allow statement granting every action (or NotAction) on every resource. */
export function isAdminStatement(s: PolicyStatement): boolean {
    if ((s.Effect ?? "Allow") !== "Allow") return false;
    const allActions = list(s.Action).includes("*") || s.NotAction !== undefined;
    return allActions && list(s.Resource).includes("*");
}

function checkDocument(document: unknown, where: string, report: (m: string) => void) {
    statementsOf(document).forEach((s, i) => {
        if (isAdminStatement(s)) report(`${where} statement ${i} allows "*" actions on "*" resources; grant the actions this principal needs, on its own resources`);
    });
}

export const iamPolicies: PlatformPolicy[] = [
    {
        name: "iam-no-wildcard-admin",
        description: "No IAM statement allows all actions on all resources.",
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.iam.RolePolicy, (p, _a, report) => checkDocument(p.policy, "inline policy", report)),
            validateResourceOfType(aws.iam.Policy, (p, _a, report) => checkDocument(p.policy, "managed policy", report)),
            validateResourceOfType(aws.iam.Role, (p, _a, report) => {
                for (const inline of p.inlinePolicies ?? []) checkDocument(inline.policy, `inline policy ${inline.name ?? ""}`.trim(), report);
                for (const arn of p.managedPolicyArns ?? []) {
                    if (arn === "arn:aws:iam::aws:policy/AdministratorAccess") report("attaches AdministratorAccess");
                }
            }),
            validateResourceOfType(aws.iam.RolePolicyAttachment, (p, _a, report) => {
                if (p.policyArn === "arn:aws:iam::aws:policy/AdministratorAccess") report("attaches AdministratorAccess");
            }),
        ],
    },
];
