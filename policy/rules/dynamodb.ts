/** DynamoDB rules: KMS encryption, prod recovery and protection, global tables. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { StackGraph } from "../graph";
import { asList, isProd, isUnknown } from "../lib";
import { TABLE } from "../shared";
import type { PlatformPolicy } from "../types";

const TABLE_REPLICA = "aws:dynamodb/tableReplica:TableReplica";

export const dynamodbPolicies: PlatformPolicy[] = [
    {
        name: "dynamodb-encrypted-kms",
        description: "DynamoDB tables use KMS server-side encryption (a customer-managed or AWS-managed key), not only the AWS-owned default.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.dynamodb.Table, (p, _a, report) => {
            if (p.serverSideEncryption?.enabled !== true) report("uses the AWS-owned key only; enable serverSideEncryption with a KMS key");
        }),
    },
    {
        name: "dynamodb-pitr-prod",
        description: "In prod, point-in-time recovery is on for every DynamoDB table and every replica.",
        enforcementLevel: "mandatory",
        environmentAware: true,
        validateResource: [
            validateResourceOfType(aws.dynamodb.Table, (p, args, report) => {
                if (!isProd(args)) return;
                if (p.pointInTimeRecovery?.enabled !== true) report("has point-in-time recovery off in prod");
                for (const r of p.replicas ?? [])
                    if (r.pointInTimeRecovery !== true) report(`replica in ${r.regionName} has point-in-time recovery off in prod`);
            }),
            validateResourceOfType(aws.dynamodb.TableReplica, (p, args, report) => {
                if (isProd(args) && p.pointInTimeRecovery !== true) report("has point-in-time recovery off in prod");
            }),
        ],
    },
    {
        name: "dynamodb-deletion-protection-prod",
        description: "In prod, DynamoDB tables and their replicas have deletion protection on.",
        enforcementLevel: "mandatory",
        environmentAware: true,
        validateResource: [
            validateResourceOfType(aws.dynamodb.Table, (p, args, report) => {
                if (!isProd(args)) return;
                if (p.deletionProtectionEnabled !== true) report("has deletion protection off in prod");
                for (const r of p.replicas ?? [])
                    if (r.deletionProtectionEnabled !== true) report(`replica in ${r.regionName} has deletion protection off in prod`);
            }),
            validateResourceOfType(aws.dynamodb.TableReplica, (p, args, report) => {
                if (isProd(args) && p.deletionProtectionEnabled !== true) report("has deletion protection off in prod");
            }),
        ],
    },
    {
        name: "dynamodb-global-table-consistent",
        description:
            "A global table streams NEW_AND_OLD_IMAGES, and declares its replicas one way only (Table.replicas or TableReplica resources, never both).",
        enforcementLevel: "mandatory",
        covers: [TABLE, TABLE_REPLICA],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const replicaResources = g.ofType(TABLE_REPLICA);
            for (const table of g.ofType(TABLE)) {
                const inline = table.props.replicas;
                if (isUnknown(inline)) continue;
                const separate = replicaResources.filter((r) => {
                    const t = g.resolve(r, "globalTableArn", [TABLE]);
                    return !isUnknown(t) && t.includes(table);
                });
                if (asList(inline).length === 0 && separate.length === 0) continue;
                if (asList(inline).length > 0 && separate.length > 0)
                    report(
                        `declares replicas both inline and as TableReplica resources (${separate.map((r) => r.name).join(", ")}); the two fight over the replica set`,
                        table.urn,
                    );
                const { streamEnabled, streamViewType } = table.props;
                if (isUnknown(streamEnabled) || isUnknown(streamViewType)) continue;
                if (streamEnabled !== true || streamViewType !== "NEW_AND_OLD_IMAGES")
                    report(
                        `has replicas but streams ${streamEnabled === true ? streamViewType : "nothing"}; global tables need streamViewType NEW_AND_OLD_IMAGES`,
                        table.urn,
                    );
            }
        },
    },
];
