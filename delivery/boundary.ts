/**
 * The permissions boundary's document: the most any role of a platform stack may do. The
 * delivery project owns it (each DeliveryPipeline creates its stack's boundary policy); the
 * platform only references the policy by name (components/permissions-boundary.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import type { Statement } from "../components/iam";

/**
 * AWS services the platform's roles call, by IAM prefix: the actions of the roles' own policies
 * and of the AWS-managed policies they attach (AWSLambdaVPCAccessExecutionRole: ec2 network
 * interfaces; AmazonEMRServicePolicy_v2: ec2, application-autoscaling). A test checks every
 * action of the dev and prod plans' role policies against the boundary. ecr: the container
 * services' execution roles pull their images. autoscaling, cloudformation, elasticbeanstalk,
 * elasticloadbalancing: the Elastic Beanstalk service role (AWSElasticBeanstalkEnhancedHealth;
 * AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy, with which managed platform updates
 * rebuild the environment's CloudFormation stack, group, launch template and target group).
 */
export const BOUNDARY_SERVICES = [
    "application-autoscaling",
    "autoscaling",
    "cloudformation",
    "cloudwatch",
    "dynamodb",
    "ec2",
    "ecr",
    "elasticbeanstalk",
    "elasticloadbalancing",
    "elasticmapreduce",
    "emr-serverless",
    "events",
    "glue",
    "kinesis",
    "kms",
    "lambda",
    "logs",
    "rds-db",
    "s3",
    "secretsmanager",
    "sqs",
    "ssm",
    "ssmmessages",
    "states",
    "xray",
];
/**
 * Single actions of services the platform otherwise doesn't use: AmazonEMRServicePolicy_v2's
 * capacity-reservation lookup; the Elastic Beanstalk service role's managed policies' RDS
 * lookups, notification topic (SNS) and ECS calls (the Docker-on-ECS platforms').
 */
export const BOUNDARY_ACTIONS = [
    "resource-groups:ListGroupResources",
    "rds:DescribeDBEngineVersions",
    "rds:DescribeDBInstances",
    "rds:DescribeOrderableDBInstanceOptions",
    "sns:Publish",
    "sns:CreateTopic",
    "sns:GetTopicAttributes",
    "sns:SetTopicAttributes",
    "sns:Subscribe",
    "sns:ListSubscriptionsByTopic",
    "ecs:CreateCluster",
    "ecs:DeleteCluster",
    "ecs:DescribeClusters",
    "ecs:RegisterTaskDefinition",
    "ecs:TagResource",
];
/**
 * Services platform roles hand the stack's other roles to: EMR's service role passes the
 * instance role, the Spark schedule passes the job role, and Elastic Beanstalk's service role,
 * updating the environment, passes itself (the environment's ServiceRole) and the instance role.
 */
export const BOUNDARY_PASS_TO = ["ec2.amazonaws.com", "elasticbeanstalk.amazonaws.com", "emr-serverless.amazonaws.com"];

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
        {
            Sid: "DenyDeliveryServices",
            Effect: "Deny",
            Action: ["codepipeline:*", "codebuild:*", "codestar-connections:*", "codeconnections:*", "codecommit:*"],
            Resource: "*",
        },
        { Sid: "DenyDeliveryBuckets", Effect: "Deny", Action: "s3:*", Resource: buckets.flatMap((b) => [b, pulumi.interpolate`${b}/*`]) },
        ...(args.keyArns.length > 0 ? [{ Sid: "DenyDeliveryKeys", Effect: "Deny" as const, Action: "kms:*", Resource: args.keyArns }] : []),
        ...(args.secretArns.length > 0 ? [{ Sid: "DenyDeliverySecrets", Effect: "Deny" as const, Action: "secretsmanager:*", Resource: args.secretArns }] : []),
        {
            Sid: "DenyDeliveryLogs",
            Effect: "Deny",
            Action: "logs:*",
            Resource: pulumi.interpolate`arn:aws:logs:*:${args.accountId}:log-group:/${args.deliveryPrefix}/*`,
        },
    ];
}
