/**
 * The permissions boundary every platform role carries: the most any of the stack's roles may
 * do, whatever a commit writes into its policies. The delivery project creates one boundary
 * policy per platform stack it deploys, under the delivery's own IAM path, so the deploy role
 * that creates the platform's roles can never change the boundary it must create them with.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Statement } from "./iam";

/**
 * IAM path of the boundary policies: the delivery's name prefix, which every deploy role is
 * denied (components/delivery-permissions.ts) and the policy pack exempts as delivery-owned.
 */
export const BOUNDARY_PATH = "/platform-delivery/";

/** The boundary policy's name: one per platform stack, known to both projects. */
export function boundaryPolicyName(project: string, stack: string): string {
    return `${project}-${stack}-boundary`;
}

/** The boundary policy's ARN, built from its fixed path and name (no lookup). */
export function boundaryPolicyArn(accountId: pulumi.Input<string>, project: string, stack: string): pulumi.Output<string> {
    return pulumi.interpolate`arn:aws:iam::${accountId}:policy${BOUNDARY_PATH}${boundaryPolicyName(project, stack)}`;
}

/**
 * AWS services the platform's roles call, by IAM prefix: the actions of the roles' own policies
 * and of the AWS-managed policies they attach (AWSLambdaVPCAccessExecutionRole: ec2 network
 * interfaces; AmazonEMRServicePolicy_v2: ec2, application-autoscaling). A test checks every
 * action of the dev and prod plans' role policies against the boundary.
 */
export const BOUNDARY_SERVICES = [
    "application-autoscaling", "cloudwatch", "dynamodb", "ec2", "elasticmapreduce", "emr-serverless", "events", "glue", "kinesis", "kms",
    "lambda", "logs", "rds-db", "s3", "secretsmanager", "sqs", "ssm", "ssmmessages", "states", "xray",
];
/** Single actions of services the platform otherwise doesn't use (AmazonEMRServicePolicy_v2's capacity-reservation lookup). */
export const BOUNDARY_ACTIONS = ["resource-groups:ListGroupResources"];
/** Services platform roles hand the stack's other roles to: EMR's service role passes the instance role, the Spark schedule passes the job role. */
export const BOUNDARY_PASS_TO = ["ec2.amazonaws.com", "emr-serverless.amazonaws.com"];

export interface BoundaryArgs {
    accountId: pulumi.Input<string>;
    /** The delivery's name prefix: its roles, buckets, topics and log groups. */
    deliveryPrefix: string;
    /** The delivery and state keys. */
    keyArns: pulumi.Input<string>[];
    /** Buckets besides the delivery's own (the state bucket). */
    bucketArns: pulumi.Input<string>[];
    /** The Pulumi access token secret, as IAM resource patterns. */
    secretArns: pulumi.Input<string>[];
}

/**
 * The boundary document. A boundary only limits: a role may do what both its policies and the
 * boundary allow, so anything not listed here (IAM, STS, Organizations, CodePipeline, ...) is out
 * of reach already; the denies say so explicitly and fence off the delivery's own resources.
 */
export function boundaryStatements(args: BoundaryArgs): Statement[] {
    const iamArn = (resource: string) => pulumi.interpolate`arn:aws:iam::${args.accountId}:${resource}`;
    const buckets = [`arn:aws:s3:::${args.deliveryPrefix}-*`, ...args.bucketArns];
    return [
        // Each service whole: the roles' policies narrow it to their own resources.
        { Sid: "PlatformServices", Action: [...BOUNDARY_SERVICES.map((s) => `${s}:*`), ...BOUNDARY_ACTIONS], Resource: "*" },
        { Sid: "PassStackRoles", Action: "iam:PassRole", Resource: iamArn("role/*"), Condition: { StringEquals: { "iam:PassedToService": BOUNDARY_PASS_TO } } },
        // Every IAM action but PassRole: only PassRole requests carry iam:PassedToService.
        { Sid: "DenyIam", Effect: "Deny", Action: "iam:*", Resource: "*", Condition: { Null: { "iam:PassedToService": "true" } } },
        { Sid: "DenyPassingDeliveryRoles", Effect: "Deny", Action: "iam:PassRole", Resource: iamArn(`role/${args.deliveryPrefix}/*`) },
        { Sid: "DenyAccountAndOrganization", Effect: "Deny", Action: ["organizations:*", "account:*", "sts:*"], Resource: "*" },
        { Sid: "DenyDeliveryServices", Effect: "Deny", Action: ["codepipeline:*", "codebuild:*", "codestar-connections:*", "codeconnections:*", "codecommit:*"], Resource: "*" },
        { Sid: "DenyDeliveryBuckets", Effect: "Deny", Action: "s3:*", Resource: buckets.flatMap((b) => [b, pulumi.interpolate`${b}/*`]) },
        ...(args.keyArns.length > 0 ? [{ Sid: "DenyDeliveryKeys", Effect: "Deny" as const, Action: "kms:*", Resource: args.keyArns }] : []),
        ...(args.secretArns.length > 0 ? [{ Sid: "DenyDeliverySecrets", Effect: "Deny" as const, Action: "secretsmanager:*", Resource: args.secretArns }] : []),
        { Sid: "DenyDeliveryLogs", Effect: "Deny", Action: "logs:*", Resource: pulumi.interpolate`arn:aws:logs:*:${args.accountId}:log-group:/${args.deliveryPrefix}/*` },
    ];
}

const ROLE_TYPE = "aws:iam/role:Role";

/**
 * A transformation that gives every IAM role created under it the stack's boundary. Set on the
 * program's root options, it reaches each component's children, so no role, today's or a
 * future one, is created without it. A role that names a boundary of its own is an error.
 */
export function withPermissionsBoundary(boundaryArn: pulumi.Input<string>): pulumi.ResourceTransformation {
    return (args) => {
        if (args.type !== ROLE_TYPE) return undefined;
        if (args.props.permissionsBoundary !== undefined) throw new Error(`role ${args.name} sets its own permissions boundary; every platform role carries the stack's`);
        return { props: { ...args.props, permissionsBoundary: boundaryArn }, opts: args.opts };
    };
}
