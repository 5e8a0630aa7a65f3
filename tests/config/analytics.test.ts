import { strict as assert } from "assert";
import { ConfigError, validateConfig } from "../../config";
import { defaults } from "../../config/sections/analytics";

const base = { "aws:region": "us-east-1", "platform:tags": JSON.stringify({ owner: "team-a" }) };
const CERTS = "s3://pki-bucket/emr/certs.zip";

/** Every problem the stack's config has, given section overrides, for a profile (stack named after it). */
function problems(profile: "dev" | "prod", sections: Record<string, unknown>): string[] {
    const raw: Record<string, string> = { ...base, "platform:profile": profile };
    // prod requires settings other sections own; give them so only analytics problems remain.
    if (profile === "prod") raw["platform:web"] = JSON.stringify({ certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc-123" });
    for (const [k, v] of Object.entries(sections)) raw[`platform:${k}`] = JSON.stringify(v);
    try {
        validateConfig(raw, profile);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
        return err.problems;
    }
    return [];
}

const ours = (p: string[]) => p.filter((l) => l.startsWith("platform:analytics."));
const prodCluster = { emr: { cluster: { tlsCertificatesS3Uri: CERTS } } };

function expectProblem(p: string[], line: string) {
    assert.ok(p.includes(line), `expected\n  ${line}\namong\n  ${p.join("\n  ")}`);
}

describe("config: analytics", () => {
    it("the dev profile is valid as it is; prod needs only the EMR TLS certificates", () => {
        assert.deepEqual(ours(problems("dev", {})), []);
        assert.deepEqual(ours(problems("prod", { analytics: prodCluster })), []);
        assert.equal(defaults.dev.stream.mode, "ON_DEMAND");
        assert.equal(defaults.prod.stream.mode, "PROVISIONED");
        assert.equal(defaults.dev.emr.mode, "serverless");
        assert.equal(defaults.prod.emr.mode, "cluster");
    });

    it("a negative or zero ingest rate is an error that names the key", () => {
        const p = ours(problems("prod", { analytics: { ...prodCluster, stream: { peakRecordsPerSecond: -5, peakKiBPerSecond: 0 } } }));
        expectProblem(p, "platform:analytics.stream.peakRecordsPerSecond: -5 must be greater than 0");
        expectProblem(p, "platform:analytics.stream.peakKiBPerSecond: 0 must be greater than 0");
    });

    it("rejects a peak whose average record exceeds the 1 MiB Kinesis record limit", () => {
        expectProblem(
            ours(problems("dev", { analytics: { stream: { peakRecordsPerSecond: 10, peakKiBPerSecond: 20480 } } })),
            "platform:analytics.stream.peakKiBPerSecond: 20480 over 10 records/s means 2048 KiB per record, above the Kinesis record limit of 1024 KiB",
        );
    });

    it("bounds retention to what Kinesis allows and the iterator-age alarm to within it", () => {
        expectProblem(
            ours(problems("dev", { analytics: { stream: { retentionHours: 12 } } })),
            "platform:analytics.stream.retentionHours: 12 is below the minimum 24",
        );
        expectProblem(
            ours(problems("dev", { analytics: { stream: { retentionHours: 9000 } } })),
            "platform:analytics.stream.retentionHours: 9000 is above the maximum 8760",
        );
        expectProblem(
            ours(problems("dev", { analytics: { stream: { retentionHours: 24, iteratorAgeAlarmMinutes: 1440 } } })),
            "platform:analytics.stream.iteratorAgeAlarmMinutes: 1440 must be below the retention period (retentionHours 24 = 1440 minutes), or records expire before the alarm fires",
        );
        expectProblem(
            ours(problems("dev", { analytics: { stream: { mode: "SHARDED" } } })),
            'platform:analytics.stream.mode: "SHARDED" must be one of "ON_DEMAND", "PROVISIONED"',
        );
    });

    it("requires the 64 MiB buffer Firehose needs for Parquet conversion, and at most 128", () => {
        expectProblem(
            ours(problems("dev", { analytics: { delivery: { bufferSizeMiB: 32 } } })),
            "platform:analytics.delivery.bufferSizeMiB: 32 is below 64: Firehose record format conversion (to Parquet) needs a buffer of 64 to 128 MiB",
        );
        expectProblem(
            ours(problems("dev", { analytics: { delivery: { bufferSizeMiB: 256 } } })),
            "platform:analytics.delivery.bufferSizeMiB: 256 is above the maximum 128",
        );
        expectProblem(
            ours(problems("dev", { analytics: { delivery: { bufferIntervalSeconds: 1000 } } })),
            "platform:analytics.delivery.bufferIntervalSeconds: 1000 is above the maximum 900",
        );
        expectProblem(
            ours(problems("dev", { analytics: { delivery: { logRetentionDays: 10 } } })),
            `platform:analytics.delivery.logRetentionDays: 10 must be one of the CloudWatch Logs retention periods: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653`,
        );
    });

    it("checks Glue's version, worker count and schedule syntax", () => {
        const p = ours(problems("dev", { analytics: { glue: { version: "3.0", workers: 1, etlSchedule: "0 * * * *" } } }));
        expectProblem(p, 'platform:analytics.glue.version: "3.0" must be one of "4.0", "5.0"');
        expectProblem(p, "platform:analytics.glue.workers: 1 is below the minimum 2");
        expectProblem(p, 'platform:analytics.glue.etlSchedule: "0 * * * *" must be a Glue cron expression with six fields, such as cron(15 * * * ? *)');
    });

    it("accepts only schedules Glue runs: one day field '?', and not more often than every 5 minutes", () => {
        const schedule = (etlSchedule: string) => ours(problems("dev", { analytics: { glue: { etlSchedule } } }));
        for (const ok of ["cron(15 * * * ? *)", "cron(0/5 * * * ? *)", "cron(0,30 8 ? * MON *)", "cron(0 2 1 * ? *)"]) assert.deepEqual(schedule(ok), [], ok);
        for (const fast of ["cron(* * * * ? *)", "cron(0/1 * * * ? *)", "cron(0,2 * * * ? *)", "cron(10-12 * * * ? *)"]) {
            expectProblem(
                schedule(fast),
                `platform:analytics.glue.etlSchedule: ${JSON.stringify(fast)} runs more often than every 5 minutes, which Glue does not support`,
            );
        }
        for (const days of ["cron(0 0 * * * *)", "cron(0 0 ? * ? *)"]) {
            expectProblem(
                schedule(days),
                `platform:analytics.glue.etlSchedule: ${JSON.stringify(days)} must set exactly one of day-of-month and day-of-week to ? (Glue rejects both or neither)`,
            );
        }
    });

    it("requires a current EMR release", () => {
        expectProblem(
            ours(problems("dev", { analytics: { emr: { releaseLabel: "emr-6.15.0" } } })),
            'platform:analytics.emr.releaseLabel: "emr-6.15.0" must be emr-7.0.0 or later (a current release)',
        );
        expectProblem(
            ours(problems("dev", { analytics: { emr: { releaseLabel: "7.10" } } })),
            'platform:analytics.emr.releaseLabel: "7.10" must be an EMR release label such as emr-7.10.0',
        );
    });

    it("in cluster mode, requires the zip of TLS certificates EMR encrypts traffic between nodes with", () => {
        const missing =
            'platform:analytics.emr.cluster.tlsCertificatesS3Uri: is required when emr.mode is "cluster": the cluster encrypts traffic between its nodes with TLS, and EMR reads the certificates from a zip in S3 holding privateKey.pem and certificateChain.pem (and trustedCertificates.pem for a private CA)';
        expectProblem(ours(problems("prod", {})), missing);
        expectProblem(ours(problems("dev", { analytics: { emr: { mode: "cluster" } } })), missing);
        // Serverless needs no certificates: EMR Serverless encrypts in transit itself.
        assert.deepEqual(ours(problems("dev", {})), []);
        expectProblem(
            ours(problems("dev", { analytics: { emr: { cluster: { tlsCertificatesS3Uri: "https://pki/certs.zip" } } } })),
            'platform:analytics.emr.cluster.tlsCertificatesS3Uri: "https://pki/certs.zip" must be an S3 URI of a zip file, such as s3://my-pki/emr/certs.zip',
        );
    });

    it("keeps the cluster alive between scheduled runs and room for Spot task nodes", () => {
        const p = ours(
            problems("dev", {
                analytics: {
                    emr: {
                        mode: "cluster",
                        jobIntervalHours: 6,
                        cluster: { tlsCertificatesS3Uri: CERTS, idleTimeoutMinutes: 60, coreInstances: 4, maxCapacityUnits: 4 },
                    },
                },
            }),
        );
        expectProblem(
            p,
            "platform:analytics.emr.cluster.idleTimeoutMinutes: 60 must exceed jobIntervalHours 6 (360 minutes): the cluster would auto-terminate between scheduled runs and the next step would find no cluster",
        );
        expectProblem(p, "platform:analytics.emr.cluster.maxCapacityUnits: 4 must exceed coreInstances 4, or managed scaling can never add Spot task nodes");
        expectProblem(
            ours(problems("dev", { analytics: { emr: { cluster: { taskInstanceTypes: [] } } } })),
            "platform:analytics.emr.cluster.taskInstanceTypes: [] must have at least 1 item(s)",
        );
    });

    it("prod keeps lake access logs", () => {
        expectProblem(
            ours(problems("prod", { analytics: { ...prodCluster, lake: { accessLogging: false } } })),
            "platform:analytics.lake.accessLogging: false must be true in prod: every data lake request is logged",
        );
        assert.deepEqual(ours(problems("dev", { analytics: { lake: { accessLogging: false } } })), []);
    });

    it("names a misspelt analytics key", () => {
        const p = ours(problems("dev", { analytics: { stream: { peakRecordsPerSec: 10 } } }));
        assert.equal(p.length, 1);
        assert.match(p[0], /^platform:analytics\.stream\.peakRecordsPerSec: unknown key \(did you mean "peakRecordsPerSecond"\?\)/);
    });
});
