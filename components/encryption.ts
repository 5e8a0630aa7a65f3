import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Stateful } from "../lib/stateful";
import { policyDocument, type Statement } from "./iam";
import { PLATFORM, platformName, stackName } from "./names";

export interface PlatformKeyArgs {
    /** The account that owns the key; its IAM policies may then grant use of it. */
    accountId: pulumi.Input<string>;
    region: string;
    /** Service principals that encrypt with the key on their own behalf (e.g. CloudWatch alarms publishing to an encrypted topic). */
    servicePrincipals?: string[];
    /** Let EC2 Auto Scaling launch instances whose EBS volumes this key encrypts. */
    autoScalingVolumes?: boolean;
    /** Let EventBridge encrypt a custom bus and its archive with this key (and deliver to targets it encrypts). */
    eventBridge?: boolean;
    /** The environment's protection decisions: with `protect`, the key is kept when the stack is destroyed and protected from deletion (prod). */
    stateful: Stateful;
}

const KEY_ADMIN_ACTIONS = [
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
];
const KEY_USE_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant"];

/**
 * The stack's customer-managed KMS key: encryption at rest for logs, buckets, streams, queues,
 * tables and databases, with yearly rotation. In a key policy, Resource "*" means this key.
 */
export class PlatformKey extends pulumi.ComponentResource {
    public readonly key: aws.kms.Key;
    public readonly arn: pulumi.Output<string>;
    public readonly keyId: pulumi.Output<string>;
    public readonly aliasName: pulumi.Output<string>;

    constructor(name: string, args: PlatformKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:security:PlatformKey", name, {}, opts);
        const root = pulumi.interpolate`arn:aws:iam::${args.accountId}:root`;
        const statements: Statement[] = [
            // Lets the account's IAM policies grant use of the key; without it the key is unmanageable.
            { Sid: "AccountAdministers", Principal: { AWS: root }, Action: [...KEY_ADMIN_ACTIONS, ...KEY_USE_ACTIONS], Resource: "*" },
            {
                Sid: "CloudWatchLogsEncrypt",
                Principal: { Service: `logs.${args.region}.amazonaws.com` },
                Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                Resource: "*",
                Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:aws:logs:${args.region}:${args.accountId}:log-group:*` } },
            },
        ];
        if (args.servicePrincipals && args.servicePrincipals.length > 0) {
            statements.push({
                Sid: "ServicesEncrypt",
                Principal: { Service: args.servicePrincipals },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
                Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
            });
        }
        if (args.autoScalingVolumes) statements.push(...autoScalingStatements(args.accountId));
        if (args.eventBridge) statements.push(...eventBridgeStatements(args.accountId, args.region));
        this.key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `${PLATFORM} data key (${stackName()})`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: policyDocument(statements),
            },
            { parent: this, protect: args.stateful.protect, retainOnDelete: args.stateful.protect },
        );
        const alias = new aws.kms.Alias(`${name}-alias`, { name: `alias/${platformName()}`, targetKeyId: this.key.keyId }, { parent: this });
        this.arn = this.key.arn;
        this.keyId = this.key.keyId;
        this.aliasName = alias.name;
        this.registerOutputs({ arn: this.arn, keyId: this.keyId, aliasName: this.aliasName });
    }
}

/**
 * EventBridge uses the key two ways. A bus or archive under a customer key needs DescribeKey (to
 * check the key) and ReEncrypt (archives) besides the data-key calls, which carry
 * aws:SourceAccount. Delivering to an encrypted topic or queue (a target, or a rule's dead-letter
 * queue) does not: the SNS developer guide says aws:SourceAccount/aws:SourceArn are unsupported
 * there. Those statements are scoped instead by the encryption context SNS and SQS put on every
 * data key (the topic's or queue's ARN), to this account's topics and queues in this region.
 */
function eventBridgeStatements(accountId: pulumi.Input<string>, region: string): Statement[] {
    const deliver = (Sid: string, contextKey: string, arnPattern: pulumi.Input<string>): Statement => ({
        Sid,
        Principal: { Service: "events.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: { StringLike: { [`kms:EncryptionContext:${contextKey}`]: arnPattern } },
    });
    return [
        // EventBridge checks the key (DescribeKey: metadata only) when a bus or archive is created
        // or updated; AWS's archive example grants it unconditioned, as the check may carry no source.
        { Sid: "EventBridgeChecksKey", Principal: { Service: "events.amazonaws.com" }, Action: "kms:DescribeKey", Resource: "*" },
        {
            Sid: "EventBridgeEncrypts",
            Principal: { Service: "events.amazonaws.com" },
            Action: ["kms:GenerateDataKey", "kms:Decrypt", "kms:ReEncrypt*"],
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceAccount": accountId } },
        },
        deliver("EventBridgeDeliversToTopics", "aws:sns:topicArn", pulumi.interpolate`arn:aws:sns:${region}:${accountId}:*`),
        deliver("EventBridgeDeliversToQueues", "aws:sqs:arn", pulumi.interpolate`arn:aws:sqs:${region}:${accountId}:*`),
    ];
}

/**
 * Auto Scaling launches instances as its service-linked role, and an instance whose EBS volume
 * uses a customer-managed key fails to launch unless the key policy lets that role use the key
 * and create grants for the volume. The role is matched by aws:PrincipalArn rather than named
 * as the Principal: KMS rejects a policy naming a principal that does not exist, and the role
 * appears only when an account creates its first Auto Scaling group.
 */
function autoScalingStatements(accountId: pulumi.Input<string>): Statement[] {
    const role = pulumi.interpolate`arn:aws:iam::${accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
    const isRole = { "aws:PrincipalArn": role, "aws:PrincipalAccount": accountId };
    return [
        {
            Sid: "AutoScalingUsesKeyForVolumes",
            Principal: { AWS: "*" },
            Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
            Resource: "*",
            Condition: { StringEquals: isRole },
        },
        {
            Sid: "AutoScalingAttachesVolumes",
            Principal: { AWS: "*" },
            Action: "kms:CreateGrant",
            Resource: "*",
            Condition: { StringEquals: isRole, Bool: { "kms:GrantIsForAWSResource": true } },
        },
    ];
}
