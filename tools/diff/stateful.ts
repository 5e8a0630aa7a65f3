/**
 * The resource types that hold data (the handbook's "databases, caches, tables, buckets, keys,
 * streams, queues, user pools, secrets and log groups"): replacing or deleting one loses it, so in a
 * stack that protects its resources the diff refuses that unless it is explicitly allowed.
 * A superset of the policy pack's STATEFUL_TYPES (a test keeps it so).
 */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:rds/globalCluster:GlobalCluster",
    "aws:dynamodb/table:Table",
    "aws:dynamodb/tableReplica:TableReplica",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:elasticache/cluster:Cluster",
    "aws:elasticache/serverlessCache:ServerlessCache",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:kms/key:Key",
    "aws:kinesis/stream:Stream",
    "aws:sqs/queue:Queue",
    "aws:cognito/userPool:UserPool",
    "aws:secretsmanager/secret:Secret",
    "aws:cloudwatch/logGroup:LogGroup",
]);
