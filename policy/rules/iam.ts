/** IAM rules: no admin or public grants, scoped PassRole, permissions boundaries, roles that trust the service using them. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { StackGraph, TYPES } from "../graph";
import { allowsAction, asList, hasScopingCondition, isAllow, isPublicPrincipal, isUnknown, type Statement, statementsOf } from "../lib";
import type { PlatformPolicy } from "../types";

/** An Allow statement granting every action (or NotAction) on every resource. */
export function isAdminStatement(s: Statement): boolean {
    if (!isAllow(s)) return false;
    const allActions = asList(s.Action).includes("*") || s.NotAction !== undefined;
    return allActions && asList(s.Resource).includes("*");
}

/** In a resource policy the resource is implied, so "*" (or NotAction) alone hands over the resource. */
function isFullControlGrant(s: Statement): boolean {
    return isAllow(s) && (asList(s.Action).includes("*") || s.NotAction !== undefined);
}

function checkIdentityDocument(document: unknown, where: string, report: (m: string) => void) {
    statementsOf(document).forEach((s, i) => {
        if (isAdminStatement(s))
            report(`${where} statement ${i} allows "*" actions on "*" resources; grant the actions this principal needs, on its own resources`);
    });
}

function checkResourceDocument(document: unknown, where: string, report: (m: string) => void) {
    statementsOf(document).forEach((s, i) => {
        if (isFullControlGrant(s)) report(`${where} statement ${i} allows "*" actions; grant the actions each principal needs`);
    });
}

function checkPublicPrincipal(document: unknown, where: string, report: (m: string) => void) {
    statementsOf(document).forEach((s, i) => {
        if (isAllow(s) && isPublicPrincipal(s) && !hasScopingCondition(s)) {
            report(`${where} statement ${i} allows any principal ("*") with no condition pinning the caller's account, organisation, source or endpoint`);
        }
    });
}

const ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess";

/**
 * The delivery's own roles live under this path: they are created by hand, never by a deploy
 * (every deploy role is denied all IAM on it), so they carry no platform boundary.
 */
export const DELIVERY_ROLE_PATH = "/platform-delivery/";

/** The stack and project a URN names: urn:pulumi:<stack>::<project>::<type>::<name>. */
function stackOf(urn: string): { stack: string; project: string } {
    const [head, project] = urn.split("::");
    return { stack: head.replace(/^urn:pulumi:/, ""), project };
}

/** The name of a stack's permissions boundary policy, as the delivery project creates it. */
export function boundaryNameFor(urn: string): string {
    const { stack, project } = stackOf(urn);
    return `${project}-${stack}-boundary`;
}

function isBoundaryOf(arn: string, name: string): boolean {
    const m = /^arn:aws[a-z-]*:iam::\d{12}:policy\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/.exec(arn);
    return m !== null && m[1] === name;
}

/** Resource policies by type; each holds its document in `policy`, so BucketPolicy's typing stands for all four. */
const RESOURCE_POLICIES = [
    [aws.s3.BucketPolicy, "bucket policy"],
    [aws.sqs.QueuePolicy, "queue policy"],
    [aws.sns.TopicPolicy, "topic policy"],
    [aws.secretsmanager.SecretPolicy, "secret policy"],
] as const;

/**
 * What a resource that uses a role expects it to trust: the role reference's path in the
 * resource's inputs, and the service principal that assumes it.
 */
export const ROLE_USERS: { type: string; path: string; service: string }[] = [
    { type: "aws:glue/job:Job", path: "roleArn", service: "glue.amazonaws.com" },
    { type: "aws:glue/crawler:Crawler", path: "role", service: "glue.amazonaws.com" },
    { type: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", path: "extendedS3Configuration.roleArn", service: "firehose.amazonaws.com" },
    { type: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", path: "kinesisSourceConfiguration.roleArn", service: "firehose.amazonaws.com" },
    { type: "aws:emr/cluster:Cluster", path: "serviceRole", service: "elasticmapreduce.amazonaws.com" },
    { type: "aws:emr/cluster:Cluster", path: "autoscalingRole", service: "application-autoscaling.amazonaws.com" },
    { type: "aws:emr/cluster:Cluster", path: "ec2Attributes.instanceProfile", service: "ec2.amazonaws.com" },
    { type: "aws:lambda/function:Function", path: "role", service: "lambda.amazonaws.com" },
    { type: "aws:codebuild/project:Project", path: "serviceRole", service: "codebuild.amazonaws.com" },
    { type: "aws:codepipeline/pipeline:Pipeline", path: "roleArn", service: "codepipeline.amazonaws.com" },
    { type: "aws:rds/instance:Instance", path: "monitoringRoleArn", service: "monitoring.rds.amazonaws.com" },
    { type: "aws:rds/proxy:Proxy", path: "roleArn", service: "rds.amazonaws.com" },
    { type: "aws:ec2/flowLog:FlowLog", path: "iamRoleArn", service: "vpc-flow-logs.amazonaws.com" },
    { type: "aws:sfn/stateMachine:StateMachine", path: "roleArn", service: "states.amazonaws.com" },
    { type: "aws:cloudwatch/eventTarget:EventTarget", path: "roleArn", service: "events.amazonaws.com" },
    { type: "aws:ec2/launchTemplate:LaunchTemplate", path: "iamInstanceProfile.arn", service: "ec2.amazonaws.com" },
    { type: "aws:ec2/launchTemplate:LaunchTemplate", path: "iamInstanceProfile.name", service: "ec2.amazonaws.com" },
    { type: "aws:ec2/instance:Instance", path: "iamInstanceProfile", service: "ec2.amazonaws.com" },
    { type: "aws:apigateway/account:Account", path: "cloudwatchRoleArn", service: "apigateway.amazonaws.com" },
    { type: "aws:apigatewayv2/integration:Integration", path: "credentialsArn", service: "apigateway.amazonaws.com" },
    { type: "aws:scheduler/schedule:Schedule", path: "target.roleArn", service: "scheduler.amazonaws.com" },
];

function checkPassRole(document: unknown, report: (m: string) => void) {
    statementsOf(document).forEach((s, i) => {
        if (isAllow(s) && !isAdminStatement(s) && allowsAction(s, "iam:PassRole") && asList(s.Resource).includes("*")) {
            report(`statement ${i} allows iam:PassRole on "*"; name the roles this principal may pass`);
        }
    });
}

export const iamPolicies: PlatformPolicy[] = [
    {
        name: "iam-no-wildcard-admin",
        description: 'No IAM statement allows all actions on all resources, and no resource policy (bucket, queue, topic, secret, key) allows "*" actions.',
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.iam.RolePolicy, (p, _a, report) => checkIdentityDocument(p.policy, "inline policy", report)),
            validateResourceOfType(aws.iam.Policy, (p, _a, report) => checkIdentityDocument(p.policy, "managed policy", report)),
            validateResourceOfType(aws.iam.Role, (p, _a, report) => {
                for (const inline of p.inlinePolicies ?? []) checkIdentityDocument(inline.policy, `inline policy ${inline.name ?? ""}`.trim(), report);
                for (const arn of p.managedPolicyArns ?? []) if (arn === ADMIN_ARN) report("attaches AdministratorAccess");
            }),
            validateResourceOfType(aws.iam.RolePolicyAttachment, (p, _a, report) => {
                if (p.policyArn === ADMIN_ARN) report("attaches AdministratorAccess");
            }),
            ...RESOURCE_POLICIES.map(([cls, where]) =>
                validateResourceOfType(cls as typeof aws.s3.BucketPolicy, (p, _a, report) => checkResourceDocument(p.policy, where, report)),
            ),
            validateResourceOfType(aws.sqs.Queue, (p, _a, report) => checkResourceDocument(p.policy, "queue policy", report)),
            validateResourceOfType(aws.sns.Topic, (p, _a, report) => checkResourceDocument(p.policy, "topic policy", report)),
            // "kms:*" for the account is the standard key policy; "*" hands the key to whoever is named.
            validateResourceOfType(aws.kms.Key, (p, _a, report) => checkResourceDocument(p.policy, "key policy", report)),
        ],
    },
    {
        name: "iam-no-public-principal",
        description:
            'No resource or trust policy (bucket, queue, topic, secret, key, role trust, Lambda permission) allows any principal ("*") without a condition that pins the caller.',
        enforcementLevel: "mandatory",
        validateResource: [
            ...RESOURCE_POLICIES.map(([cls, where]) =>
                validateResourceOfType(cls as typeof aws.s3.BucketPolicy, (p, _a, report) => checkPublicPrincipal(p.policy, where, report)),
            ),
            validateResourceOfType(aws.sqs.Queue, (p, _a, report) => checkPublicPrincipal(p.policy, "queue policy", report)),
            validateResourceOfType(aws.sns.Topic, (p, _a, report) => checkPublicPrincipal(p.policy, "topic policy", report)),
            validateResourceOfType(aws.kms.Key, (p, _a, report) => checkPublicPrincipal(p.policy, "key policy", report)),
            validateResourceOfType(aws.iam.Role, (p, _a, report) => checkPublicPrincipal(p.assumeRolePolicy, "trust policy", report)),
            validateResourceOfType(aws.lambda.Permission, (p, _a, report) => {
                if (p.principal === "*" && !p.sourceArn && !p.sourceAccount && !p.principalOrgId)
                    report('lets any principal ("*") invoke the function; name the service and its source ARN or account');
            }),
        ],
    },
    {
        name: "iam-passrole-scoped",
        description: "No IAM statement allows iam:PassRole on every role: passing any role to any service is privilege escalation.",
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.iam.RolePolicy, (p, _a, report) => checkPassRole(p.policy, report)),
            validateResourceOfType(aws.iam.Policy, (p, _a, report) => checkPassRole(p.policy, report)),
            validateResourceOfType(aws.iam.Role, (p, _a, report) => {
                for (const inline of p.inlinePolicies ?? []) checkPassRole(inline.policy, report);
            }),
        ],
    },
    {
        name: "iam-role-permissions-boundary",
        description:
            "Every role carries its stack's permissions boundary, the managed policy <project>-<stack>-boundary (the deploy role may create roles only with it); the delivery's own roles under /platform-delivery/ are exempt.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.iam.Role, (p, args, report) => {
            const path = p.path;
            if (typeof path === "string" && path.startsWith(DELIVERY_ROLE_PATH)) return;
            const expected = boundaryNameFor(args.urn);
            const boundary = p.permissionsBoundary;
            if (boundary === undefined || boundary === null || boundary === "") {
                report(`has no permissions boundary; every platform role carries the stack's boundary policy ${expected}, or the deploy is denied creating it`);
            } else if (!isBoundaryOf(boundary, expected)) {
                report(`has permissions boundary ${boundary}, not the stack's ${expected}; the deploy may create roles only with that one`);
            }
        }),
    },
    {
        name: "iam-role-trusts-its-service",
        description:
            "Each role a resource uses (Glue, Firehose, EMR, Lambda, CodeBuild, CodePipeline, RDS monitoring and proxy, flow logs, Step Functions, EC2 instance profiles) trusts that service's principal.",
        enforcementLevel: "mandatory",
        covers: [...new Set([...ROLE_USERS.map((u) => u.type), TYPES.role, TYPES.instanceProfile])],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const use of ROLE_USERS) {
                for (const user of g.ofType(use.type)) {
                    const roles = g.rolesOf(user, use.path);
                    if (isUnknown(roles)) continue;
                    for (const role of roles) {
                        if (g.trusts(role, use.service) === false) {
                            report(
                                `${use.type.split(":").pop()} ${user.name} uses role ${role.name} (through ${use.path}), which does not trust ${use.service}; AWS rejects the role or the service can't assume it`,
                                user.urn,
                            );
                        }
                    }
                }
            }
        },
    },
];
