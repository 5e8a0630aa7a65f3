/** Kinesis Data Streams rules: encryption and capacity settings. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { isSet } from "../lib";
import type { PlatformPolicy } from "../types";

export const kinesisPolicies: PlatformPolicy[] = [
    {
        name: "kinesis-stream-encrypted",
        description: "Kinesis streams are encrypted with KMS.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.kinesis.Stream, (p, _a, report) => {
            if (p.encryptionType !== "KMS" || !isSet(p, "kmsKeyId")) report("is not encrypted; set encryptionType KMS and a kmsKeyId");
        }),
    },
    {
        name: "kinesis-stream-capacity-consistent",
        description: "A Kinesis stream's capacity mode and shard count agree: PROVISIONED names a shard count, ON_DEMAND names none (AWS rejects the rest).",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.kinesis.Stream, (p, _a, report) => {
            const mode = p.streamModeDetails?.streamMode ?? "PROVISIONED";
            if (mode === "ON_DEMAND" && p.shardCount !== undefined && p.shardCount !== null) report("is ON_DEMAND but sets shardCount");
            if (mode === "PROVISIONED" && !((p.shardCount ?? 0) >= 1)) report("is PROVISIONED but sets no shard count");
        }),
    },
];
