import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { FailureQueue } from "./queue";
import { stackName } from "../names";

export interface EventBusArgs {
    /** The bus's name; ARNs that policies need are derived from it, so nothing depends on the bus existing first. */
    busName: string;
    region: string;
    accountId: pulumi.Input<string>;
    /** Encrypts the bus, its archive and its failure queue; its key policy must let events.amazonaws.com use it. */
    kmsKeyArn: pulumi.Input<string>;
    /** Days the archive keeps events (0: forever). */
    archiveRetentionDays: number;
    /** The archive keeps events of these sources. */
    archivedSources: string[];
    /** Retries of a delivery to a target, and for how long, before the event goes to the failure queue. */
    targetRetryAttempts: number;
    targetMaxEventAgeSeconds: number;
    alarmTopicArn: pulumi.Input<string>;
    /** Pulumi protect on the archive and the failure queue. */
    protect: boolean;
}

/** The ARNs of a bus and of its rules, known before the bus exists (so policies naming them create no cycle). */
export function busArns(
    region: string,
    accountId: pulumi.Input<string>,
    busName: string,
): { busArn: pulumi.Output<string>; ruleArnPattern: pulumi.Output<string> } {
    return {
        busArn: pulumi.interpolate`arn:aws:events:${region}:${accountId}:event-bus/${busName}`,
        ruleArnPattern: pulumi.interpolate`arn:aws:events:${region}:${accountId}:rule/${busName}/*`,
    };
}

/** Where a rule sends its events. */
export interface RouteTarget {
    arn: pulumi.Input<string>;
    /** Role EventBridge assumes to call the target (Step Functions); resource-policy targets (SNS, SQS) need none. */
    roleArn?: pulumi.Input<string>;
    /** Send only this part of the event (e.g. "$.detail"). */
    inputPath?: string;
}

/**
 * A custom EventBridge bus for the platform's domain events: encrypted with the platform key, an
 * archive to replay past events from, and rules that route events by pattern to targets. Every
 * target retries with backoff and then dead-letters to the bus's failure queue, which also gets
 * events the bus itself could not encrypt or decrypt.
 */
export class EventBus extends pulumi.ComponentResource {
    public readonly bus: aws.cloudwatch.EventBus;
    public readonly name: pulumi.Output<string>;
    public readonly arn: pulumi.Output<string>;
    public readonly archiveName: pulumi.Output<string>;
    public readonly failures: FailureQueue;
    /** Matches every rule on this bus (for resource policies of targets). */
    public readonly ruleArnPattern: pulumi.Output<string>;
    private readonly componentName: string;
    private readonly args: EventBusArgs;

    constructor(name: string, args: EventBusArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:events:EventBus", name, {}, opts);
        this.componentName = name;
        this.args = args;
        const { busArn, ruleArnPattern } = busArns(args.region, args.accountId, args.busName);
        this.ruleArnPattern = ruleArnPattern;

        this.failures = new FailureQueue(
            `${name}-failures`,
            {
                kmsKeyArn: args.kmsKeyArn,
                senders: [
                    { service: "events.amazonaws.com", sourceArn: this.ruleArnPattern, like: true },
                    { service: "events.amazonaws.com", sourceArn: busArn },
                ],
                holds: "events EventBridge could not deliver to a target after its retries, or could not encrypt; replay them from the archive once the target is fixed",
                alarmTopicArn: args.alarmTopicArn,
                protect: args.protect,
            },
            { parent: this },
        );
        this.bus = new aws.cloudwatch.EventBus(
            `${name}-bus`,
            {
                name: args.busName,
                description: `Domain events of the platform (${stackName()})`,
                kmsKeyIdentifier: args.kmsKeyArn,
                deadLetterConfig: { arn: this.failures.arn },
            },
            { parent: this },
        );
        const archive = new aws.cloudwatch.EventArchive(
            `${name}-archive`,
            {
                eventSourceArn: this.bus.arn,
                description: `Every domain event on ${args.busName}, for replay`,
                retentionDays: args.archiveRetentionDays,
                eventPattern: JSON.stringify({ source: args.archivedSources }),
                kmsKeyIdentifier: args.kmsKeyArn,
            },
            // The archive is the record of past events: losing it loses the ability to replay them.
            { parent: this, protect: args.protect },
        );
        this.name = this.bus.name;
        this.arn = this.bus.arn;
        this.archiveName = archive.name;
        this.registerOutputs({ name: this.name, arn: this.arn, archiveName: this.archiveName });
    }

    /** A rule on this bus sending events that match `pattern` to `target`, with retries and the failure queue. */
    route(
        id: string,
        args: { description: string; pattern: Record<string, unknown>; target: RouteTarget },
    ): { rule: aws.cloudwatch.EventRule; target: aws.cloudwatch.EventTarget } {
        const name = `${this.componentName}-${id}`;
        const rule = new aws.cloudwatch.EventRule(
            name,
            { name: `${this.args.busName}-${id}`, eventBusName: this.bus.name, description: args.description, eventPattern: JSON.stringify(args.pattern) },
            { parent: this },
        );
        const target = new aws.cloudwatch.EventTarget(
            `${name}-target`,
            {
                rule: rule.name,
                eventBusName: this.bus.name,
                arn: args.target.arn,
                roleArn: args.target.roleArn,
                inputPath: args.target.inputPath,
                retryPolicy: { maximumRetryAttempts: this.args.targetRetryAttempts, maximumEventAgeInSeconds: this.args.targetMaxEventAgeSeconds },
                deadLetterConfig: { arn: this.failures.arn },
            },
            { parent: this },
        );
        return { rule, target };
    }
}
