import type * as pulumi from "@pulumi/pulumi";
import type { Stateful } from "../lib/stateful";

/**
 * What every component of one environment shares, built once by the program (index.ts) and
 * handed to each component as one argument. Physical names are scoped by the stack through
 * components/names.ts, so the stack is not repeated here.
 */
export interface PlatformContext {
    /** The home region: service names, ARNs and KMS conditions. */
    region: string;
    /** The account the resources live in: ARNs and confused-deputy guards. */
    accountId: pulumi.Input<string>;
    /** The platform KMS key (PlatformKey) that encrypts data, logs and secrets at rest. */
    kmsKeyArn: pulumi.Input<string>;
    /** The SNS topic every alarm notifies (AlarmTopic). */
    alarmTopicArn: pulumi.Input<string>;
    /** The environment's protection decisions for stateful resources. */
    stateful: Stateful;
}
