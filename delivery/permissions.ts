/**
 * What the Preview and Deploy builds may do in AWS. `pulumi up` creates hundreds of resource
 * types, so the deploy role cannot list resource ARNs; it is scoped instead by service (only the
 * services the platform uses), by region (aws:RequestedRegion), by IAM rules that block
 * privilege escalation, and by explicit denies that keep every delivery pipeline out of reach.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Statement } from "../components/iam";
import { awsIdentifier } from "../components/names";

/** How an AWS service's API is addressed: in a region, globally, or in us-east-1 for CloudFront. */
type Scope = "regional" | "global" | "edge";

interface ServiceAccess {
    /** IAM service prefix. */
    prefix: string;
    scope: Scope;
    /** Read-only actions a preview may need (metadata, never data: no GetObject, GetSecretValue, GetItem). */
    read: string[];
}

const svc = (prefix: string, read: string[], scope: Scope = "regional"): ServiceAccess => ({ prefix, scope, read: read.map((a) => `${prefix}:${a}`) });

/**
 * Secrets Manager minus reading secret values, which Deploy may do only for secrets tagged with
 * its own stack (the platform tags everything it creates) and for the Pulumi access token.
 */
const SECRETS_MANAGE = [
    "CreateSecret",
    "DeleteSecret",
    "DescribeSecret",
    "ListSecrets",
    "ListSecretVersionIds",
    "PutSecretValue",
    "UpdateSecret",
    "UpdateSecretVersionStage",
    "RestoreSecret",
    "RotateSecret",
    "CancelRotateSecret",
    "TagResource",
    "UntagResource",
    "GetRandomPassword",
    "GetResourcePolicy",
    "PutResourcePolicy",
    "DeleteResourcePolicy",
    "ValidateResourcePolicy",
    "ReplicateSecretToRegions",
    "RemoveRegionsFromReplication",
    "StopReplicationToReplica",
].map((a) => `secretsmanager:${a}`);

/** Elastic Beanstalk actions that take no resource, or that read solution stacks and platforms (Service Authorization Reference, Elastic Beanstalk). */
const BEANSTALK_READ = ["Describe*", "List*", "CheckDNSAvailability"];

const EC2 = svc("ec2", ["Describe*", "GetManagedPrefixListEntries", "GetLaunchTemplateData", "GetEbsEncryptionByDefault", "GetEbsDefaultKmsKeyId"]);
const LOGS = svc("logs", ["Describe*", "ListTagsForResource", "ListTagsLogGroup"]);
const CLOUDWATCH = svc("cloudwatch", ["Describe*", "ListTagsForResource", "GetDashboard"]);
const EVENTS = svc("events", ["Describe*", "List*"]);
const KINESIS = svc("kinesis", ["Describe*", "List*"]);
const FIREHOSE = svc("firehose", ["Describe*", "List*"]);
const APIGATEWAY = svc("apigateway", ["GET"]);

/**
 * The AWS services behind each `@pulumi/aws` module the platform uses. A test plans every
 * platform stack and fails when a resource type's module is missing here, because the deploy
 * role would then be denied the first time that resource is created.
 */
export const PLATFORM_SERVICES: Record<string, ServiceAccess[]> = {
    ec2: [EC2],
    // aws.ebs.EncryptionByDefault (the Beanstalk runtime): ec2:EnableEbsEncryptionByDefault, GetEbsEncryptionByDefault.
    ebs: [EC2],
    vpc: [EC2],
    lb: [svc("elasticloadbalancing", ["Describe*"])],
    alb: [svc("elasticloadbalancing", ["Describe*"])],
    // Also aws.autoscaling.Attachment (AttachLoadBalancerTargetGroups, DetachLoadBalancerTargetGroups).
    autoscaling: [svc("autoscaling", ["Describe*"])],
    // Scoped to the stack's own application in deployStatements (see beanstalkStatements), not granted whole.
    elasticbeanstalk: [svc("elasticbeanstalk", BEANSTALK_READ)],
    appautoscaling: [svc("application-autoscaling", ["Describe*", "ListTagsForResource"])],
    elasticache: [svc("elasticache", ["Describe*", "ListTagsForResource"])],
    rds: [svc("rds", ["Describe*", "ListTagsForResource"])],
    dynamodb: [svc("dynamodb", ["Describe*", "ListTables", "ListTagsOfResource"])],
    kinesis: [KINESIS, FIREHOSE],
    glue: [svc("glue", ["GetDatabase*", "GetTable*", "GetCrawler*", "GetJob*", "GetTrigger*", "GetSecurityConfiguration*", "GetTags", "List*"])],
    athena: [svc("athena", ["GetWorkGroup", "GetDataCatalog", "ListWorkGroups", "ListDataCatalogs", "ListTagsForResource"])],
    ecs: [svc("ecs", ["Describe*", "List*"])],
    ecr: [svc("ecr", ["Describe*", "GetLifecyclePolicy", "GetRepositoryPolicy", "ListTagsForResource"])],
    servicediscovery: [svc("servicediscovery", ["Get*", "List*"])],
    emr: [svc("elasticmapreduce", ["Describe*", "List*", "GetBlockPublicAccessConfiguration", "GetManagedScalingPolicy", "GetAutoTerminationPolicy"])],
    emrserverless: [svc("emr-serverless", ["GetApplication", "ListApplications", "ListTagsForResource"])],
    s3: [
        svc("s3", [
            "GetBucket*",
            "GetEncryptionConfiguration",
            "GetLifecycleConfiguration",
            "GetReplicationConfiguration",
            "GetAccelerateConfiguration",
            "GetIntelligentTieringConfiguration",
            "GetAnalyticsConfiguration",
            "GetInventoryConfiguration",
            "GetMetricsConfiguration",
            "ListAllMyBuckets",
        ]),
    ],
    lambda: [svc("lambda", ["GetFunction*", "GetPolicy", "GetAlias", "GetEventSourceMapping", "GetLayerVersion", "GetProvisionedConcurrencyConfig", "List*"])],
    sqs: [svc("sqs", ["GetQueueAttributes", "GetQueueUrl", "ListQueues", "ListQueueTags", "ListDeadLetterSourceQueues"])],
    sns: [svc("sns", ["GetTopicAttributes", "GetSubscriptionAttributes", "GetDataProtectionPolicy", "List*"])],
    sfn: [svc("states", ["Describe*", "List*"])],
    scheduler: [svc("scheduler", ["GetSchedule*", "List*"])],
    pipes: [svc("pipes", ["DescribePipe", "List*"])],
    cloudwatch: [LOGS, CLOUDWATCH, EVENTS],
    apigateway: [APIGATEWAY],
    apigatewayv2: [APIGATEWAY],
    cognito: [svc("cognito-idp", ["Describe*", "List*", "GetUserPoolMfaConfig"])],
    kms: [svc("kms", ["Describe*", "Get*", "List*"])],
    secretsmanager: [svc("secretsmanager", ["DescribeSecret", "ListSecrets", "GetResourcePolicy", "ListSecretVersionIds"])],
    ssm: [svc("ssm", ["DescribeParameters", "ListTagsForResource"])],
    xray: [svc("xray", ["GetGroup*", "GetSamplingRules", "GetEncryptionConfig"])],
    wafv2: [svc("wafv2", ["Get*", "List*"], "edge")],
    acm: [svc("acm", ["Describe*", "List*"], "edge")],
    cloudfront: [svc("cloudfront", ["Get*", "List*", "Describe*"], "global")],
    route53: [svc("route53", ["Get*", "List*"], "global")],
    iam: [svc("iam", ["Get*", "List*"], "global")],
};

/** The module of a `@pulumi/aws` resource type: `aws:rds/proxy:Proxy` -> `rds`. */
export function moduleOf(type: string): string | undefined {
    return /^aws:([^/]+)\//.exec(type)?.[1];
}

function uniqueServices(): ServiceAccess[] {
    const seen = new Map<string, ServiceAccess>();
    for (const list of Object.values(PLATFORM_SERVICES)) for (const s of list) seen.set(s.prefix, s);
    return [...seen.values()].sort((a, b) => a.prefix.localeCompare(b.prefix));
}

/** Services whose roles the platform hands to AWS (iam:PassRole), by service principal. */
export const PASSED_TO_SERVICES = [
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "rds.amazonaws.com",
    "monitoring.rds.amazonaws.com",
    "firehose.amazonaws.com",
    "glue.amazonaws.com",
    "elasticmapreduce.amazonaws.com",
    "emr-serverless.amazonaws.com",
    "states.amazonaws.com",
    "events.amazonaws.com",
    "scheduler.amazonaws.com",
    "pipes.amazonaws.com",
    "apigateway.amazonaws.com",
    "vpc-flow-logs.amazonaws.com",
    "application-autoscaling.amazonaws.com",
    "cognito-idp.amazonaws.com",
    // The container services' task and execution roles, named in their task definitions.
    "ecs-tasks.amazonaws.com",
];

/**
 * Role actions that take the iam:PermissionsBoundary condition key (Service Authorization
 * Reference, IAM): Deploy may call them only on roles whose boundary is the stack's.
 */
export const BOUNDED_ROLE_ACTIONS = [
    "iam:CreateRole",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:AttachRolePolicy",
    "iam:DetachRolePolicy",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
    "iam:DeleteRole",
];
/** Role tags take no boundary condition; tags grant nothing. */
const ROLE_TAG_ACTIONS = ["iam:TagRole", "iam:UntagRole"];
const INSTANCE_PROFILE_ACTIONS = [
    "iam:CreateInstanceProfile",
    "iam:DeleteInstanceProfile",
    "iam:AddRoleToInstanceProfile",
    "iam:RemoveRoleFromInstanceProfile",
    "iam:TagInstanceProfile",
    "iam:UntagInstanceProfile",
];
/** Everything that changes a managed policy: the boundary policies are the delivery's, never Deploy's. */
const POLICY_WRITE_ACTIONS = [
    "iam:CreatePolicy",
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:TagPolicy",
    "iam:UntagPolicy",
];

/** AWS-managed policies that would turn a platform role into an administrator. */
const ESCALATION_POLICIES = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"].map((p) => `arn:aws:iam::aws:policy/${p}`);

export interface GuardArgs {
    accountId: pulumi.Input<string>;
    /** The platform stack: names its Elastic Beanstalk application. */
    stack: string;
    /** The stack's `environment` tag, which every resource the platform creates carries. */
    environmentTag: string;
    /** Name prefix every delivery resource shares: role path, log groups, buckets and topics. */
    prefix: string;
    /** Keys the deploy must not disable, delete or re-policy (the delivery key, the state key). */
    keyArns: pulumi.Input<string>[];
    /** Buckets outside the deploy's S3 rights besides the delivery ones (the state bucket: Deploy gets its own stack's objects separately). */
    bucketArns: pulumi.Input<string>[];
    /** Secrets the deploy may not change (the Pulumi access token), as IAM resource patterns. */
    secretArns: pulumi.Input<string>[];
    /** The stack's permissions boundary policy: Deploy creates and changes only roles that carry it. */
    boundaryPolicyArn: pulumi.Input<string>;
}

/**
 * Read-only access for `pulumi preview`: provider checks and data-source lookups, in the
 * stack's regions. Metadata only: no statement here can read objects, items, secrets or logs.
 */
export function previewStatements(regions: string[]): Statement[] {
    const services = uniqueServices();
    const regional = services.filter((s) => s.scope === "regional").flatMap((s) => s.read);
    const edge = services.filter((s) => s.scope === "edge").flatMap((s) => s.read);
    const global = services.filter((s) => s.scope === "global").flatMap((s) => s.read);
    return [
        { Sid: "ReadPlatformServices", Action: regional, Resource: "*", Condition: { StringEquals: { "aws:RequestedRegion": regions } } },
        { Sid: "ReadEdgeServices", Action: edge, Resource: "*", Condition: { StringEquals: { "aws:RequestedRegion": edgeRegions(regions) } } },
        { Sid: "ReadGlobalServices", Action: global, Resource: "*" },
        // AMI ids and other public values AWS publishes as SSM parameters.
        {
            Sid: "ReadPublicParameters",
            Action: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
            Resource: regions.map((r) => `arn:aws:ssm:${r}::parameter/aws/service/*`),
        },
    ];
}

/**
 * What `pulumi up` needs to create, change and delete the platform: every action of each
 * service the platform uses, in the stack's regions only; IAM limited to roles that carry the
 * stack's permissions boundary (as AWS's guide on delegating with boundaries shows), their
 * instance profiles, and no managed policy at all; and denies that keep the deploy away from
 * the delivery machinery itself (pipelines, builds, connections, their roles, buckets, topics,
 * log groups, keys and the state), so a bad commit cannot widen its own permissions or break the
 * pipeline that would deploy its fix.
 */
export function deployStatements(regions: string[], guard: GuardArgs): Statement[] {
    const services = uniqueServices();
    const special = ["iam", "s3", "secretsmanager", "elasticbeanstalk"];
    const all = (scope: Scope) => services.filter((s) => s.scope === scope && !special.includes(s.prefix)).map((s) => `${s.prefix}:*`);
    const iamArn = (resource: string) => pulumi.interpolate`arn:aws:iam::${guard.accountId}:${resource}`;
    const inRegions = { StringEquals: { "aws:RequestedRegion": regions } };
    const offLimitsBuckets = [`arn:aws:s3:::${guard.prefix}-*`, ...guard.bucketArns];
    return [
        { Sid: "ManagePlatformServices", Action: all("regional"), Resource: "*", Condition: inRegions },
        // Every bucket but the delivery buckets and the state bucket, whose objects are granted stack by stack.
        { Sid: "ManagePlatformBuckets", Action: "s3:*", NotResource: offLimitsBuckets.flatMap((b) => [b, pulumi.interpolate`${b}/*`]), Condition: inRegions },
        { Sid: "ManagePlatformSecrets", Action: SECRETS_MANAGE, Resource: "*", Condition: inRegions },
        ...beanstalkStatements(regions, guard),
        {
            Sid: "ReadOwnStackSecrets",
            Action: "secretsmanager:GetSecretValue",
            Resource: "*",
            Condition: { StringEquals: { "aws:RequestedRegion": regions, "aws:ResourceTag/environment": guard.environmentTag } },
        },
        { Sid: "ManageEdgeServices", Action: all("edge"), Resource: "*", Condition: { StringEquals: { "aws:RequestedRegion": edgeRegions(regions) } } },
        // CloudFront's standard logs (v2) are delivered by CloudWatch Logs in us-east-1, whatever the home region.
        {
            Sid: "ManageEdgeLogDelivery",
            Action: ["logs:*Delivery*", "logs:*Deliveries", "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource"],
            Resource: "*",
            Condition: { StringEquals: { "aws:RequestedRegion": edgeRegions(regions) } },
        },
        { Sid: "ManageGlobalServices", Action: all("global"), Resource: "*" },
        { Sid: "ReadIam", Action: ["iam:Get*", "iam:List*"], Resource: "*" },
        // A role is created with the boundary, and its policies and trust change only while it carries it.
        {
            Sid: "ManageBoundedRoles",
            Action: BOUNDED_ROLE_ACTIONS,
            Resource: iamArn("role/*"),
            Condition: { StringEquals: { "iam:PermissionsBoundary": guard.boundaryPolicyArn } },
        },
        { Sid: "TagRoles", Action: ROLE_TAG_ACTIONS, Resource: iamArn("role/*") },
        { Sid: "ManageInstanceProfiles", Action: INSTANCE_PROFILE_ACTIONS, Resource: iamArn("instance-profile/*") },
        {
            Sid: "PassRolesToPlatformServices",
            Action: "iam:PassRole",
            Resource: iamArn("role/*"),
            Condition: { StringEquals: { "iam:PassedToService": PASSED_TO_SERVICES } },
        },
        {
            Sid: "CreateServiceLinkedRoles",
            Action: ["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:GetServiceLinkedRoleDeletionStatus"],
            Resource: iamArn("role/aws-service-role/*"),
        },
        // Denies below win over every allow above.
        {
            Sid: "DenyAdministratorPolicies",
            Effect: "Deny",
            Action: "iam:AttachRolePolicy",
            Resource: "*",
            Condition: { ArnEquals: { "iam:PolicyARN": ESCALATION_POLICIES } },
        },
        { Sid: "DenyDeliveryRoles", Effect: "Deny", Action: "iam:*", Resource: iamArn(`role/${guard.prefix}/*`) },
        // A boundary, once set, stays; the boundary policies (under the delivery's path) are the delivery's to change.
        { Sid: "DenyBoundaryRemoval", Effect: "Deny", Action: "iam:DeleteRolePermissionsBoundary", Resource: "*" },
        {
            Sid: "DenyBoundaryPolicyChanges",
            Effect: "Deny",
            Action: POLICY_WRITE_ACTIONS,
            Resource: [guard.boundaryPolicyArn, iamArn(`policy/${guard.prefix}/*`)],
        },
        {
            Sid: "DenyDeliveryServices",
            Effect: "Deny",
            Action: ["codepipeline:*", "codebuild:*", "codestar-connections:*", "codeconnections:*", "codecommit:*"],
            Resource: "*",
        },
        {
            Sid: "DenyDeliveryBucketChanges",
            Effect: "Deny",
            Action: ["s3:DeleteBucket*", "s3:PutBucket*", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration", "s3:PutReplicationConfiguration"],
            Resource: offLimitsBuckets,
        },
        { Sid: "DenyDeliveryTopics", Effect: "Deny", Action: "sns:*", Resource: pulumi.interpolate`arn:aws:sns:*:${guard.accountId}:${guard.prefix}-*` },
        {
            Sid: "DenyDeliveryLogChanges",
            Effect: "Deny",
            Action: [
                "logs:DeleteLogGroup",
                "logs:DeleteLogStream",
                "logs:PutRetentionPolicy",
                "logs:DeleteRetentionPolicy",
                "logs:DisassociateKmsKey",
                "logs:AssociateKmsKey",
            ],
            Resource: pulumi.interpolate`arn:aws:logs:*:${guard.accountId}:log-group:/${guard.prefix}/*`,
        },
        {
            Sid: "DenyDeliveryKeyChanges",
            Effect: "Deny",
            Action: ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:DisableKeyRotation", "kms:PutKeyPolicy", "kms:UpdateKeyDescription"],
            Resource: guard.keyArns,
        },
        ...(guard.secretArns.length > 0
            ? [
                  {
                      Sid: "DenyDeliverySecretChanges",
                      Effect: "Deny" as const,
                      Action: [
                          "secretsmanager:PutSecretValue",
                          "secretsmanager:UpdateSecret*",
                          "secretsmanager:DeleteSecret",
                          "secretsmanager:PutResourcePolicy",
                          "secretsmanager:DeleteResourcePolicy",
                          "secretsmanager:RotateSecret",
                          "secretsmanager:CancelRotateSecret",
                      ],
                      Resource: guard.secretArns,
                  },
              ]
            : []),
    ];
}

/** The one Elastic Beanstalk application a platform stack may have (components/web-cluster.ts: the `web` cluster's `${name}-beanstalk`). */
export const BEANSTALK_COMPONENT = "web-beanstalk";
/** Its application's name in a stack, as components/beanstalk-environment.ts derives it (stackIdentifier, 100 characters). */
export function beanstalkApplicationName(stack: string): string {
    return awsIdentifier([BEANSTALK_COMPONENT, stack], 100);
}

/**
 * What `pulumi up` needs for `web.runtime: beanstalk` beyond the services Deploy has whole.
 * Elastic Beanstalk builds the environment as a CloudFormation stack (awseb-e-<id>-stack) with
 * the caller's credentials, so Deploy itself needs CloudFormation on those stacks; what that
 * stack creates (EC2, Auto Scaling, ELB, CloudWatch, Logs, S3) Deploy already has in its
 * regions, as it does EnableEbsEncryptionByDefault and the Auto Scaling group's target-group
 * attachment. Elastic Beanstalk itself is limited to the stack's own application, its versions,
 * configuration templates and environments; and Deploy passes Elastic Beanstalk only the
 * stack's service role (its name, and the stack's environment tag, which the provider's default
 * tags put on every role the stack creates). The instance profile's role goes to EC2 as the
 * fleet's always has (PassRolesToPlatformServices).
 */
function beanstalkStatements(regions: string[], guard: GuardArgs): Statement[] {
    const app = beanstalkApplicationName(guard.stack);
    const eb = (resource: string) => pulumi.interpolate`arn:aws:elasticbeanstalk:*:${guard.accountId}:${resource}`;
    const inRegions = { StringEquals: { "aws:RequestedRegion": regions } };
    return [
        {
            Sid: "ManageStackBeanstalkApplication",
            Action: "elasticbeanstalk:*",
            Resource: [eb(`application/${app}`), eb(`applicationversion/${app}/*`), eb(`configurationtemplate/${app}/*`), eb(`environment/${app}/*`)],
            Condition: inRegions,
        },
        // Solution stacks, platforms, DNS availability and the account's Elastic Beanstalk bucket (CreateStorageLocation) take no resource scope.
        {
            Sid: "ReadBeanstalkPlatforms",
            Action: [...BEANSTALK_READ.map((a) => `elasticbeanstalk:${a}`), "elasticbeanstalk:CreateStorageLocation"],
            Resource: "*",
            Condition: inRegions,
        },
        {
            Sid: "ManageBeanstalkStacks",
            Action: "cloudformation:*",
            Resource: pulumi.interpolate`arn:aws:cloudformation:*:${guard.accountId}:stack/awseb-e-*`,
            Condition: inRegions,
        },
        {
            Sid: "PassBeanstalkServiceRole",
            Action: "iam:PassRole",
            Resource: pulumi.interpolate`arn:aws:iam::${guard.accountId}:role/${BEANSTALK_COMPONENT}-service-role-*`,
            Condition: { StringEquals: { "iam:PassedToService": "elasticbeanstalk.amazonaws.com", "aws:ResourceTag/environment": guard.environmentTag } },
        },
    ];
}

/** WAF for CloudFront and CloudFront's certificates live in us-east-1, whatever the home region. */
function edgeRegions(regions: string[]): string[] {
    return [...new Set([...regions, "us-east-1"])];
}

/** The S3 state objects of one project's stack, in the project-scoped layout Pulumi CLI 3.61+ writes. */
export function stateObjectPaths(project: string, stack: string): { meta: string; stack: string[]; updates: string[]; lock: string } {
    return {
        // The backend's layout version, written once by the first `pulumi login`.
        meta: ".pulumi/meta.yaml",
        // <stack>.json, .json.gz or .json.zst, and the .bak Pulumi keeps beside it.
        stack: [`.pulumi/stacks/${project}/${stack}.json*`],
        updates: [`.pulumi/history/${project}/${stack}/*`, `.pulumi/backups/${project}/${stack}/*`, `.pulumi/journal/${project}/${stack}/*`],
        lock: `.pulumi/locks/organization/${project}/${stack}/*`,
    };
}
