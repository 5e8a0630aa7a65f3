/**
 * On-demand list prices (USD) the cost estimate uses, per region, each with where it was read
 * and how firmly. Refresh: see docs/cost.md "Refreshing the prices".
 *
 * `confidence`:
 *  - "primary": read on AWS's own pricing page, documentation or Price List offer file (the URL);
 *  - "secondary": read on a third-party page quoting AWS's list price or transcribing its offer files (that page named first);
 *  - "unconfirmed": AWS's list price as the maintainers knew it, not confirmed against a stored
 *    copy of the page on the read date: the first to re-check on a refresh.
 */
export type Confidence = "primary" | "secondary" | "unconfirmed";

export interface Price {
    usd: number;
    /** What one `usd` buys, e.g. "hour", "GB-month", "million requests". */
    unit: string;
    source: string;
    confidence: Confidence;
}

export interface PriceTable {
    /** The day the prices were read. */
    read: string;
    currency: "USD";
    /** Price keys to prices, per region. */
    regions: Record<string, Record<string, Price>>;
    /** vCPUs of RDS instance classes (RDS Proxy bills per vCPU of its target). */
    rdsVcpus: Record<string, number>;
    /** Assumptions the model states rather than reads from a price list. */
    assumptions: { hoursPerMonth: number; spotDiscount: number; spotDiscountSource: string };
}

const READ = "2026-12-05";
const KINESIS =
    "https://github.com/api-evangelist/amazon-kinesis/blob/779bda18f0b1995975b8cfb67ef1885b7548add0/plans/amazon-kinesis-plans-pricing.yml (us-east-1, citing https://aws.amazon.com/kinesis/data-streams/pricing/; a bulk-generated, reconciled transcription)";
const EC2 = "https://aws.amazon.com/ec2/pricing/on-demand/";
// Public research notes that transcribe AWS Price List offer files (us-east-1 on-demand, offerTermCode JRTCKXETXF).
const GH = "https://github.com/lalitkarthik/delta-exchange-payoff/blob/";
const PL_CACHE = `${GH}5403045304bd32ea855859ae20d7c28ec7ebf16d/docs/design/research/0002b-prices-and-sources.md (transcribes the AWS Price List offer files AmazonElastiCache and AmazonEC2, us-east-1, published 2026-09-08)`;
const PL_COMPUTE = `${GH}e2d5653941d5caf027d6e7a8dd09beb306d421f6/docs/design/research/0005b-prices-and-sources.md (transcribes the AWS Price List offer file AmazonEC2, us-east-1, published 2026-09-09)`;
const PL_STORE = `${GH}601b9eb9aa34d56119d76dba76a7cbe5788f6bd8/docs/design/research/0004a-prices-and-sources.md (transcribes the AWS Price List offer files AmazonRDS, AmazonS3 and AmazonEC2, us-east-1, published 2026-08-31 to 2026-09-09)`;
const p = (usd: number, unit: string, source: string, confidence: Confidence = "unconfirmed"): Price => ({ usd, unit, source, confidence });

/** DynamoDB on-demand prices are the same in both regions the stacks use. */
const dynamodb = (): Record<string, Price> => ({
    "dynamodb.writeRequest": p(
        0.625,
        "million write request units",
        "https://www.linkedin.com/pulse/amazon-dynamodb-pricing-explained-detailed-breakdown-examples-raheja-u9bbc (quoting https://aws.amazon.com/dynamodb/pricing/on-demand/, US East)",
        "secondary",
    ),
    "dynamodb.readRequest": p(
        0.125,
        "million read request units",
        "https://www.linkedin.com/pulse/amazon-dynamodb-pricing-explained-detailed-breakdown-examples-raheja-u9bbc (quoting https://aws.amazon.com/dynamodb/pricing/on-demand/, US East)",
        "secondary",
    ),
    "dynamodb.replicatedWrite": p(0.625, "million replicated write request units", "https://aws.amazon.com/dynamodb/pricing/on-demand/"),
    "dynamodb.storage": p(0.25, "GB-month", "https://aws.amazon.com/dynamodb/pricing/on-demand/"),
    "dynamodb.pitr": p(0.2, "GB-month", "https://aws.amazon.com/dynamodb/pricing/on-demand/"),
});

export const PRICES: PriceTable = {
    read: READ,
    currency: "USD",
    assumptions: {
        hoursPerMonth: 730,
        // Spot prices move hourly; the estimate states a discount instead of reading one.
        spotDiscount: 0.6,
        spotDiscountSource: "assumed 60% below on-demand (AWS advertises up to 90%: https://aws.amazon.com/ec2/spot/pricing/)",
    },
    rdsVcpus: {
        "db.t2.micro": 1,
        "db.t2.small": 1,
        "db.t3.micro": 2,
        "db.t4g.micro": 2,
        "db.t4g.small": 2,
        "db.t4g.medium": 2,
        "db.r7g.large": 2,
        "db.r7g.xlarge": 4,
        "db.m7g.large": 2,
        "db.m7g.xlarge": 4,
    },
    regions: {
        "us-east-1": {
            // Fargate (Linux; per second, 1 minute minimum). Spot prices float; these are the us-east-1 rates the page showed.
            "fargate.x86.vcpuHour": p(0.04048, "vCPU-hour (X86_64)", "https://aws.amazon.com/fargate/pricing/"),
            "fargate.x86.gbHour": p(0.004445, "GB-hour (X86_64)", "https://aws.amazon.com/fargate/pricing/"),
            "fargate.arm.vcpuHour": p(0.03238, "vCPU-hour (ARM64)", "https://aws.amazon.com/fargate/pricing/"),
            "fargate.arm.gbHour": p(0.00356, "GB-hour (ARM64)", "https://aws.amazon.com/fargate/pricing/"),
            "fargate.spot.vcpuHour": p(
                0.01264,
                "vCPU-hour (Fargate Spot, X86_64 only)",
                "https://aws.amazon.com/fargate/pricing/ (Fargate Spot, a variable price)",
            ),
            "fargate.spot.gbHour": p(
                0.00139,
                "GB-hour (Fargate Spot, X86_64 only)",
                "https://aws.amazon.com/fargate/pricing/ (Fargate Spot, a variable price)",
            ),
            "ecr.storage": p(0.1, "GB-month", "https://aws.amazon.com/ecr/pricing/"),
            // EC2 (Linux, on demand)
            "ec2.t4g.small": p(0.0168, "hour", PL_CACHE, "secondary"),
            "ec2.m7g.large": p(
                0.0816,
                "hour",
                `${PL_COMPUTE}; also https://www.factualminds.com/blog/amazon-ec2-on-demand-pricing-instance-families-2026/ (us-east-1, June 2026)`,
                "secondary",
            ),
            "ec2.m6g.large": p(0.077, "hour", EC2),
            "ec2.c7g.large": p(0.0725, "hour", PL_COMPUTE, "secondary"),
            "ec2.m7g.xlarge": p(0.1632, "hour", PL_COMPUTE, "secondary"),
            "ec2.m7g.2xlarge": p(0.3264, "hour", PL_COMPUTE, "secondary"),
            "ec2.m6g.2xlarge": p(0.308, "hour", EC2),
            "ec2.r7g.2xlarge": p(0.4284, "hour", EC2),
            "ec2.r6g.2xlarge": p(0.4032, "hour", EC2),
            "ebs.gp3": p(0.08, "GB-month", PL_STORE, "secondary"),
            // EMR's charge per instance-hour, on top of EC2
            "emr.m7g.xlarge": p(0.0408, "hour", "https://aws.amazon.com/emr/pricing/"),
            "emr.m7g.2xlarge": p(0.0816, "hour", "https://aws.amazon.com/emr/pricing/"),
            "emr.m6g.2xlarge": p(0.077, "hour", "https://aws.amazon.com/emr/pricing/"),
            "emr.r7g.2xlarge": p(0.1071, "hour", "https://aws.amazon.com/emr/pricing/"),
            "emr.r6g.2xlarge": p(0.1008, "hour", "https://aws.amazon.com/emr/pricing/"),
            "emrServerless.vcpuArm": p(0.042094, "vCPU-hour", "https://aws.amazon.com/emr/pricing/ (EMR Serverless, ARM)"),
            "emrServerless.memoryArm": p(0.004628, "GB-hour", "https://aws.amazon.com/emr/pricing/ (EMR Serverless, ARM)"),
            // VPC
            "nat.hour": p(
                0.045,
                "hour",
                `${PL_COMPUTE}; also https://basavytix.com/blog/aws-nat-gateway-pricing (quoting https://aws.amazon.com/vpc/pricing/)`,
                "secondary",
            ),
            "nat.gb": p(
                0.045,
                "GB processed",
                `${PL_COMPUTE}; also https://basavytix.com/blog/aws-nat-gateway-pricing (quoting https://aws.amazon.com/vpc/pricing/)`,
                "secondary",
            ),
            "ipv4.hour": p(
                0.005,
                "public IPv4 address-hour",
                `${PL_COMPUTE} (AmazonVPC: "In-use public IPv4, per hour"); also https://cloudburn.io/blog/aws-nat-gateway-pricing`,
                "secondary",
            ),
            // Elastic Load Balancing
            "alb.hour": p(
                0.0225,
                "hour",
                "https://cloud-horizons.com/blog/alb-the-line-item-nobody-watches/ (quoting https://aws.amazon.com/elasticloadbalancing/pricing/)",
                "secondary",
            ),
            "alb.lcu": p(
                0.008,
                "LCU-hour",
                "https://cloud-horizons.com/blog/alb-the-line-item-nobody-watches/ (quoting https://aws.amazon.com/elasticloadbalancing/pricing/)",
                "secondary",
            ),
            // ElastiCache (Valkey nodes are priced 20% below Redis OSS nodes)
            "elasticache.valkey.cache.t4g.micro": p(0.0128, "node-hour", "https://aws.amazon.com/elasticache/pricing/"),
            "elasticache.valkey.cache.r7g.large": p(0.1752, "node-hour", PL_CACHE, "secondary"),
            "elasticache.backup": p(0.085, "GB-month", `${PL_CACHE} (snapshot storage)`, "secondary"),
            // RDS for PostgreSQL (Single-AZ; Multi-AZ bills the standby too, https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_OnDemandDBInstances.html)
            "rds.postgres.db.t4g.micro": p(
                0.016,
                "hour",
                `${PL_STORE}; also https://infratally.com/articles/aws-rds-pricing-explained-2026.html (Multi-AZ exactly double)`,
                "secondary",
            ),
            "rds.postgres.db.t4g.small": p(0.032, "hour", `${PL_STORE}; also https://infratally.com/articles/aws-rds-pricing-explained-2026.html`, "secondary"),
            "rds.postgres.db.r7g.large": p(0.239, "hour", PL_STORE, "secondary"),
            "rds.gp3": p(
                0.115,
                "GB-month",
                `${PL_STORE} (Single-AZ; Multi-AZ $0.230); also https://www.usage.ai/blogs/aws/reserved-instances/rds/pricing-calculator/`,
                "secondary",
            ),
            "rds.proxy": p(0.015, "vCPU-hour", "https://aws.amazon.com/rds/proxy/pricing/"),
            // Streams and the lake
            "kinesis.onDemandStream": p(0.04, "stream-hour", KINESIS, "secondary"),
            "kinesis.onDemandIn": p(0.08, "GB ingested", KINESIS, "secondary"),
            "kinesis.onDemandOut": p(0.04, "GB retrieved", KINESIS, "secondary"),
            "kinesis.shard": p(0.015, "shard-hour", KINESIS, "secondary"),
            "kinesis.putUnits": p(0.014, "million PUT payload units (25 KB)", KINESIS, "secondary"),
            "kinesis.extendedRetention": p(0.02, "shard-hour (retention 24 h to 7 days)", KINESIS, "secondary"),
            "firehose.ingest": p(0.029, "GB ingested", "https://aws.amazon.com/firehose/pricing/"),
            "firehose.formatConversion": p(0.018, "GB converted", "https://aws.amazon.com/firehose/pricing/"),
            "s3.standard": p(0.023, "GB-month", `${PL_STORE} (first 50 TB tier; Tier 1 PUT/COPY/POST/LIST, Tier 2 GET)`, "secondary"),
            "s3.put": p(0.005, "thousand requests", `${PL_STORE} (first 50 TB tier; Tier 1 PUT/COPY/POST/LIST, Tier 2 GET)`, "secondary"),
            "s3.get": p(0.0004, "thousand requests", `${PL_STORE} (first 50 TB tier; Tier 1 PUT/COPY/POST/LIST, Tier 2 GET)`, "secondary"),
            "glue.dpu": p(
                0.44,
                "DPU-hour",
                'https://github.com/api-evangelist/amazon-glue/blob/26b17fe090a6059e93c1ec7d975b94c28d43ad79/plans/amazon-glue-plans-pricing.yml (verbatim from https://aws.amazon.com/glue/pricing/, read 2026-09-20: "AWS Glue Crawlers are billed at $0.44 per DPU-hour"; also in AWS\'s AWSGlue price list copy https://huggingface.co/datasets/labofsahil/aws-pricing-dataset/raw/main/AWSGlue.csv)',
                "secondary",
            ),
            // Serverless and messaging
            "lambda.armGbSecond": p(0.0000133334, "GB-second (arm64)", "https://aws.amazon.com/lambda/pricing/"),
            "lambda.request": p(
                0.2,
                "million requests",
                "https://github.com/api-evangelist/aws-lambda/blob/2540b080595eb6a0b672c67986e91a31b5e48cea/plans/aws-lambda-plans-pricing.yml (us-east-1, citing https://aws.amazon.com/lambda/pricing/)",
                "secondary",
            ),
            "sqs.request": p(0.4, "million requests", "https://aws.amazon.com/sqs/pricing/"),
            "sns.publish": p(0.5, "million publishes", "https://aws.amazon.com/sns/pricing/"),
            "eventbridge.customEvent": p(1.0, "million events", "https://aws.amazon.com/eventbridge/pricing/"),
            "eventbridge.archive": p(0.1, "GB archived", "https://aws.amazon.com/eventbridge/pricing/"),
            "eventbridge.archiveStorage": p(0.023, "GB-month", "https://aws.amazon.com/eventbridge/pricing/"),
            "scheduler.invocation": p(1.0, "million invocations", "https://aws.amazon.com/eventbridge/pricing/ (Scheduler)"),
            "sfn.standardTransition": p(0.025, "thousand state transitions", "https://aws.amazon.com/step-functions/pricing/"),
            "apigw.http": p(1.0, "million requests", "https://aws.amazon.com/api-gateway/pricing/"),
            "cognito.essentialsMau": p(0.015, "MAU (above 10,000 free)", "https://aws.amazon.com/cognito/pricing/"),
            "cognito.plusMau": p(0.02, "MAU", "https://aws.amazon.com/cognito/pricing/"),
            "cognito.liteMau": p(0.0055, "MAU (above 10,000 free)", "https://aws.amazon.com/cognito/pricing/"),
            // Edge
            "cloudfront.gbOut": p(0.085, "GB (North America, first 10 TB)", "https://aws.amazon.com/cloudfront/pricing/"),
            "cloudfront.https": p(0.01, "10,000 HTTPS requests", "https://aws.amazon.com/cloudfront/pricing/"),
            "waf.acl": p(
                5.0,
                "web ACL-month",
                "https://c3x.dev/blog/aws-waf-cost-explained/ and https://awsnegotiations.com/waf-pricing-strategy.html (quoting https://aws.amazon.com/waf/pricing/)",
                "secondary",
            ),
            "waf.rule": p(
                1.0,
                "rule-month",
                "https://c3x.dev/blog/aws-waf-cost-explained/ and https://awsnegotiations.com/waf-pricing-strategy.html (quoting https://aws.amazon.com/waf/pricing/)",
                "secondary",
            ),
            "waf.request": p(
                0.6,
                "million requests",
                "https://c3x.dev/blog/aws-waf-cost-explained/ and https://awsnegotiations.com/waf-pricing-strategy.html (quoting https://aws.amazon.com/waf/pricing/)",
                "secondary",
            ),
            // Keys, secrets, monitoring
            "kms.key": p(1.0, "key-month", "https://aws.amazon.com/kms/pricing/"),
            "kms.request": p(0.03, "10,000 requests", "https://aws.amazon.com/kms/pricing/"),
            "secretsmanager.secret": p(
                0.4,
                "secret-month",
                "https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms (quoting https://aws.amazon.com/secrets-manager/pricing/: $0.40 per secret per month)",
                "secondary",
            ),
            "cloudwatch.alarm": p(0.1, "standard-resolution alarm metric-month", "https://aws.amazon.com/cloudwatch/pricing/"),
            "logs.ingest": p(
                0.5,
                "GB ingested",
                "https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/ (Logs ingestion $0.50/GB, quoting https://aws.amazon.com/cloudwatch/pricing/, June 2026)",
                "secondary",
            ),
            "logs.vendedIngest": p(0.5, "GB of vended logs (first 10 TB)", "https://aws.amazon.com/cloudwatch/pricing/"),
            "logs.storage": p(0.03, "GB-month", "https://aws.amazon.com/cloudwatch/pricing/"),
            // Delivery
            "codepipeline.v2ActionMinute": p(0.002, "action execution minute", "https://aws.amazon.com/codepipeline/pricing/"),
            "codebuild.BUILD_GENERAL1_SMALL": p(0.005, "build minute (Linux)", "https://aws.amazon.com/codebuild/pricing/"),
            "codebuild.BUILD_GENERAL1_MEDIUM": p(0.01, "build minute (Linux)", "https://aws.amazon.com/codebuild/pricing/"),
            "codebuild.BUILD_GENERAL1_LARGE": p(0.02, "build minute (Linux)", "https://aws.amazon.com/codebuild/pricing/"),
            ...dynamodb(),
        },
        "us-west-2": dynamodb(),
    },
};
