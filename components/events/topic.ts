import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, type Statement } from "../iam";
import { FailureQueue, type QueueSender } from "./queue";

export interface FanOutTopicArgs {
    /** Encrypts the topic and its subscriptions' dead-letter queue. */
    kmsKeyArn: pulumi.Input<string>;
    /** Services allowed to publish, each only from its source (e.g. EventBridge rules of one bus). */
    publishers: QueueSender[];
    alarmTopicArn: pulumi.Input<string>;
    /** Pulumi protect on the subscriptions' dead-letter queue. */
    protect: boolean;
}

/**
 * Publish/subscribe: an SNS topic that fans each message out to every subscribed queue. The
 * topic is KMS-encrypted, denies publishing without TLS, and takes messages only from its
 * publishers. Subscriptions deliver raw (each queue gets the published message itself), and a
 * message SNS cannot deliver to a queue (its policy or key refusing it) goes to the
 * subscriptions' dead-letter queue instead of being dropped.
 */
export class FanOutTopic extends pulumi.ComponentResource {
    public readonly topic: aws.sns.Topic;
    public readonly arn: pulumi.Output<string>;
    public readonly deliveryFailures: FailureQueue;
    private readonly name: string;

    constructor(name: string, args: FanOutTopicArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:events:Topic", name, {}, opts);
        this.name = name;
        this.topic = new aws.sns.Topic(`${name}-topic`, { kmsMasterKeyId: args.kmsKeyArn }, { parent: this });
        const statements: Statement[] = [
            ...args.publishers.map((p, i): Statement => ({
                Sid: `AllowPublish${i}`,
                Principal: { Service: p.service },
                Action: "sns:Publish",
                Resource: this.topic.arn,
                Condition: { [p.like ? "ArnLike" : "ArnEquals"]: { "aws:SourceArn": p.sourceArn } },
            })),
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: ["sns:Publish", "sns:Subscribe"],
                Resource: this.topic.arn,
                Condition: { Bool: { "aws:SecureTransport": false } },
            },
        ];
        new aws.sns.TopicPolicy(`${name}-policy`, { arn: this.topic.arn, policy: policyDocument(statements) }, { parent: this });
        this.deliveryFailures = new FailureQueue(
            `${name}-delivery-failures`,
            {
                kmsKeyArn: args.kmsKeyArn,
                senders: [{ service: "sns.amazonaws.com", sourceArn: this.topic.arn }],
                holds: "messages SNS could not deliver to a subscribed queue (check the queue's policy and key)",
                alarmTopicArn: args.alarmTopicArn,
                protect: args.protect,
            },
            { parent: this },
        );
        this.arn = this.topic.arn;
        this.registerOutputs({ arn: this.arn });
    }

    /** Subscribes a queue (whose policy must let this topic send); raw delivery, so the queue gets the message as published. */
    subscribe(id: string, queueArn: pulumi.Input<string>, filterPolicy?: Record<string, unknown>): aws.sns.TopicSubscription {
        return new aws.sns.TopicSubscription(
            `${this.name}-to-${id}`,
            {
                topic: this.topic.arn,
                protocol: "sqs",
                endpoint: queueArn,
                rawMessageDelivery: true,
                redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: this.deliveryFailures.arn }),
                ...(filterPolicy ? { filterPolicy: JSON.stringify(filterPolicy), filterPolicyScope: "MessageBody" } : {}),
            },
            { parent: this },
        );
    }
}
