import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument } from "./iam";

export interface AlarmTopicArgs {
    /** Email addresses subscribed to the topic; each confirms its subscription once. */
    emails: string[];
    /** An existing topic to notify instead of creating one. */
    topicArn?: string;
    /** KMS key that encrypts the topic; its key policy must let cloudwatch.amazonaws.com use it. */
    kmsKeyArn: pulumi.Input<string>;
    /** The account the resources live in (ARNs, trust conditions). */
    accountId: pulumi.Input<string>;
}

/**
 * The SNS topic CloudWatch alarms notify: KMS-encrypted, publishable by CloudWatch alarms of
 * this account only, with email subscriptions. Given an existing topic's ARN, it creates nothing
 * and passes that ARN on.
 */
export class AlarmTopic extends pulumi.ComponentResource {
    public readonly arn: pulumi.Output<string>;

    constructor(name: string, args: AlarmTopicArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:monitoring:AlarmTopic", name, {}, opts);
        if (args.topicArn) {
            this.arn = pulumi.output(args.topicArn);
            this.registerOutputs({ arn: this.arn });
            return;
        }
        // An encrypted topic takes no messages from CloudWatch unless the key policy lets CloudWatch
        // use the key as well; PlatformKey does that through its servicePrincipals.
        const topic = new aws.sns.Topic(`${name}-topic`, { kmsMasterKeyId: args.kmsKeyArn }, { parent: this });
        new aws.sns.TopicPolicy(
            `${name}-policy`,
            {
                arn: topic.arn,
                policy: policyDocument([
                    {
                        Sid: "CloudWatchAlarmsPublish",
                        Principal: { Service: "cloudwatch.amazonaws.com" },
                        Action: "sns:Publish",
                        Resource: topic.arn,
                        Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
                    },
                    {
                        Sid: "DenyInsecureTransport",
                        Effect: "Deny",
                        Principal: "*",
                        Action: "sns:Publish",
                        Resource: topic.arn,
                        Condition: { Bool: { "aws:SecureTransport": false } },
                    },
                ]),
            },
            { parent: this },
        );
        args.emails.forEach((email, i) => {
            new aws.sns.TopicSubscription(`${name}-email-${i}`, { topic: topic.arn, protocol: "email", endpoint: email }, { parent: this });
        });
        this.arn = topic.arn;
        this.registerOutputs({ arn: this.arn });
    }
}
