import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EVENT_LIMITS } from "../../lib/event-limits";
import { policyDocument, type Statement } from "../iam";
import { Grants, type Grantee, type Permission } from "../grants";

/** An AWS service that may send to a queue, and from which resource(s) only. */
export interface QueueSender {
    /** The service principal, e.g. sns.amazonaws.com. */
    service: string;
    /** The sending resource's ARN; with `like`, an ARN pattern (e.g. every rule of one bus). */
    sourceArn: pulumi.Input<string>;
    like?: boolean;
}

/** SQS keeps a message at most 14 days: a dead-letter queue keeps its messages that long. */
export const DLQ_RETENTION_SECONDS = EVENT_LIMITS.maxMessageRetentionDays * 86_400;

interface EncryptedQueueArgs {
    kmsKeyArn: pulumi.Input<string>;
    messageRetentionSeconds: number;
    visibilityTimeoutSeconds?: number;
    redrivePolicy?: pulumi.Input<string>;
    /** Which queues may use this one as their dead-letter queue. */
    redriveAllowPolicy?: pulumi.Input<string>;
    senders: QueueSender[];
    protect: boolean;
}

/**
 * A KMS-encrypted queue whose policy denies any request not made over TLS and lets exactly the
 * given services send, each only from its source. The policy is a separate resource, so a queue
 * and what it names (its dead-letter queue, a bus that names it) never depend on each other.
 */
function encryptedQueue(name: string, args: EncryptedQueueArgs, parent: pulumi.Resource): aws.sqs.Queue {
    const queue = new aws.sqs.Queue(
        name,
        {
            kmsMasterKeyId: args.kmsKeyArn,
            // Reusing a data key for 5 minutes keeps KMS calls (and their cost and throttling) low.
            kmsDataKeyReusePeriodSeconds: 300,
            messageRetentionSeconds: args.messageRetentionSeconds,
            visibilityTimeoutSeconds: args.visibilityTimeoutSeconds,
            // Long polling: consumers wait for messages instead of paying for empty receives.
            receiveWaitTimeSeconds: 20,
            redrivePolicy: args.redrivePolicy,
            redriveAllowPolicy: args.redriveAllowPolicy,
        },
        // Messages in a queue are data: replacing or deleting the queue loses them.
        { parent, protect: args.protect },
    );
    const statements: Statement[] = [
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "sqs:*",
            Resource: queue.arn,
            Condition: { Bool: { "aws:SecureTransport": false } },
        },
        ...args.senders.map((s, i): Statement => ({
            Sid: `AllowSend${i}`,
            Principal: { Service: s.service },
            Action: "sqs:SendMessage",
            Resource: queue.arn,
            Condition: { [s.like ? "ArnLike" : "ArnEquals"]: { "aws:SourceArn": s.sourceArn } },
        })),
    ];
    new aws.sqs.QueuePolicy(`${name}-policy`, { queueUrl: queue.url, policy: policyDocument(statements) }, { parent });
    return queue;
}

/** A CloudWatch alarm on one queue metric, to the alarm topic. */
function queueAlarm(
    name: string,
    queue: aws.sqs.Queue,
    metricName: string,
    threshold: number,
    evaluationPeriods: number,
    description: pulumi.Input<string>,
    alarmTopicArn: pulumi.Input<string>,
    parent: pulumi.Resource,
) {
    return new aws.cloudwatch.MetricAlarm(
        name,
        {
            alarmDescription: description,
            namespace: "AWS/SQS",
            metricName,
            dimensions: { QueueName: queue.name },
            statistic: "Maximum",
            period: 60,
            evaluationPeriods,
            threshold,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "notBreaching",
            alarmActions: [alarmTopicArn],
            okActions: [alarmTopicArn],
        },
        { parent },
    );
}

export interface MessageQueueArgs {
    /** Encrypts the queue and its dead-letter queue. */
    kmsKeyArn: pulumi.Input<string>;
    /** Days the queue keeps a message (its dead-letter queue keeps 14). */
    messageRetentionDays: number;
    /** At least 6x the consumer's timeout plus its batching window (AWS guidance for Lambda consumers). */
    visibilityTimeoutSeconds: number;
    /** Receives before a message moves to the dead-letter queue. */
    maxReceiveCount: number;
    /** Services allowed to send to the queue. */
    senders: QueueSender[];
    /** Alarm when the oldest message is older than this. */
    ageAlarmMinutes: number;
    /** SNS topic the alarms notify. */
    alarmTopicArn: pulumi.Input<string>;
    /** Pulumi protect on both queues. */
    protect: boolean;
}

/**
 * A source queue with its dead-letter queue: after maxReceiveCount failed receives a message
 * moves to the dead-letter queue, which keeps it 14 days, accepts redrives only from this queue,
 * and alarms as soon as it holds anything. The source queue alarms when its oldest message waits
 * too long (its consumers are falling behind or failing).
 */
export class MessageQueue extends pulumi.ComponentResource {
    public readonly queue: aws.sqs.Queue;
    public readonly deadLetterQueue: aws.sqs.Queue;
    public readonly arn: pulumi.Output<string>;
    public readonly url: pulumi.Output<string>;
    public readonly name: pulumi.Output<string>;
    public readonly deadLetterQueueUrl: pulumi.Output<string>;
    private readonly kmsKeyArn: pulumi.Input<string>;
    private readonly grants: Grants;

    constructor(name: string, args: MessageQueueArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:events:Queue", name, {}, opts);
        if (args.messageRetentionDays < 1 || args.messageRetentionDays > EVENT_LIMITS.maxMessageRetentionDays)
            throw new RangeError(`${name}: messageRetentionDays must be 1 to 14`);
        if (args.visibilityTimeoutSeconds > EVENT_LIMITS.maxVisibilityTimeoutSeconds)
            throw new RangeError(`${name}: visibilityTimeoutSeconds ${args.visibilityTimeoutSeconds} is above the SQS maximum of 43200`);

        this.deadLetterQueue = encryptedQueue(
            `${name}-dlq`,
            { kmsKeyArn: args.kmsKeyArn, messageRetentionSeconds: DLQ_RETENTION_SECONDS, senders: [], protect: args.protect },
            this,
        );
        this.queue = encryptedQueue(
            name,
            {
                kmsKeyArn: args.kmsKeyArn,
                messageRetentionSeconds: args.messageRetentionDays * 86_400,
                visibilityTimeoutSeconds: args.visibilityTimeoutSeconds,
                redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: this.deadLetterQueue.arn, maxReceiveCount: args.maxReceiveCount }),
                senders: args.senders,
                protect: args.protect,
            },
            this,
        );
        // Set on the dead-letter queue after both exist: naming each other inline would be a cycle.
        new aws.sqs.RedriveAllowPolicy(
            `${name}-dlq-redrive-allow`,
            {
                queueUrl: this.deadLetterQueue.url,
                redriveAllowPolicy: pulumi.jsonStringify({ redrivePermission: "byQueue", sourceQueueArns: [this.queue.arn] }),
            },
            { parent: this },
        );
        queueAlarm(
            `${name}-dlq-depth`,
            this.deadLetterQueue,
            "ApproximateNumberOfMessagesVisible",
            0,
            1,
            pulumi.interpolate`Messages in ${this.deadLetterQueue.name}: they failed ${args.maxReceiveCount} times; inspect, fix, then redrive them to ${this.queue.name}`,
            args.alarmTopicArn,
            this,
        );
        queueAlarm(
            `${name}-age`,
            this.queue,
            "ApproximateAgeOfOldestMessage",
            args.ageAlarmMinutes * 60,
            5,
            pulumi.interpolate`The oldest message in ${this.queue.name} waits more than ${args.ageAlarmMinutes} minutes: its consumer is behind or failing`,
            args.alarmTopicArn,
            this,
        );

        this.arn = this.queue.arn;
        this.url = this.queue.url;
        this.name = this.queue.name;
        this.deadLetterQueueUrl = this.deadLetterQueue.url;
        this.kmsKeyArn = args.kmsKeyArn;
        this.grants = new Grants(this, name);
        this.registerOutputs({ arn: this.arn, url: this.url, deadLetterQueueUrl: this.deadLetterQueueUrl });
    }

    /** What its consumer may do: receive, delete and extend its messages, and decrypt them through SQS in `region`. */
    consumePermission(region: string): Permission {
        return this.grants.permission("consume", [
            {
                Sid: "ConsumeOwnQueue",
                Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
                Resource: this.arn,
            },
            {
                Sid: "DecryptOwnQueue",
                Action: "kms:Decrypt",
                Resource: this.kmsKeyArn,
                Condition: { StringEquals: { "kms:ViaService": `sqs.${region}.amazonaws.com` } },
            },
        ]);
    }

    /** Grants `consumePermission` as the policy `<queue>-consume-<grantee>`. */
    grantConsume(grantee: Grantee, region: string): aws.iam.RolePolicy {
        return this.grants.grant(this.consumePermission(region), grantee);
    }
}

export interface FailureQueueArgs {
    kmsKeyArn: pulumi.Input<string>;
    /** Services that deliver failures here (EventBridge for its targets, SNS for its subscriptions); none when a role sends. */
    senders: QueueSender[];
    /** What lands here, for the alarm's description. */
    holds: string;
    alarmTopicArn: pulumi.Input<string>;
    protect: boolean;
}

/**
 * A queue that is itself a dead end: the dead-letter queue of event deliveries (EventBridge
 * targets, SNS subscriptions) or a stream consumer's on-failure destination. It keeps messages
 * 14 days, is no source queue's redrive target, and alarms as soon as it holds anything.
 */
export class FailureQueue extends pulumi.ComponentResource {
    public readonly queue: aws.sqs.Queue;
    public readonly arn: pulumi.Output<string>;
    public readonly url: pulumi.Output<string>;
    private readonly kmsKeyArn: pulumi.Input<string>;
    private readonly grants: Grants;

    constructor(name: string, args: FailureQueueArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:events:FailureQueue", name, {}, opts);
        this.queue = encryptedQueue(
            name,
            {
                kmsKeyArn: args.kmsKeyArn,
                messageRetentionSeconds: DLQ_RETENTION_SECONDS,
                redriveAllowPolicy: JSON.stringify({ redrivePermission: "denyAll" }),
                senders: args.senders,
                protect: args.protect,
            },
            this,
        );
        queueAlarm(
            `${name}-depth`,
            this.queue,
            "ApproximateNumberOfMessagesVisible",
            0,
            1,
            `Messages in the failure queue ${name}: ${args.holds}`,
            args.alarmTopicArn,
            this,
        );
        this.arn = this.queue.arn;
        this.url = this.queue.url;
        this.kmsKeyArn = args.kmsKeyArn;
        this.grants = new Grants(this, name);
        this.registerOutputs({ arn: this.arn, url: this.url });
    }

    /** Sending here (a Lambda event source mapping's on-failure destination sends as the function's role), encrypting through SQS in `region`. */
    sendPermission(region: string): Permission {
        return this.grants.permission("send", [
            { Sid: "SendToFailureQueue", Action: "sqs:SendMessage", Resource: this.arn },
            // SQS encrypts a message as the sender: it needs a data key, only through SQS.
            {
                Sid: "EncryptForFailureQueue",
                Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                Resource: this.kmsKeyArn,
                Condition: { StringEquals: { "kms:ViaService": `sqs.${region}.amazonaws.com` } },
            },
        ]);
    }

    /** Grants `sendPermission` as the policy `<queue>-send-<grantee>`. */
    grantSend(grantee: Grantee, region: string): aws.iam.RolePolicy {
        return this.grants.grant(this.sendPermission(region), grantee);
    }
}
