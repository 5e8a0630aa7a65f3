import { strict as assert } from "assert";
import { ConfigError, validateConfig } from "../../config";

const BASE = { "aws:region": "us-east-1", "platform:tags": JSON.stringify({ owner: "team-a" }) };
/** What a prod-profile stack must set besides its tags (certificates, EMR's TLS zip). */
const PROD_NEEDS = {
    web: { certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc-123" },
    analytics: { emr: { cluster: { tlsCertificatesS3Uri: "s3://pki-bucket/emr/certs.zip" } } },
};

/** The config problems whose key starts with `keyPrefix` (e.g. "platform:events."), for a stack of `profile` with these section overrides. */
export function sectionProblems(profile: "dev" | "prod", sections: Record<string, unknown>, keyPrefix: string): string[] {
    const raw: Record<string, string> = { ...BASE, "platform:profile": profile };
    for (const [k, v] of Object.entries({ ...(profile === "prod" ? PROD_NEEDS : {}), ...sections })) raw[`platform:${k}`] = JSON.stringify(v);
    try {
        validateConfig(raw, profile);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
        return err.problems.filter((p) => p.startsWith(keyPrefix));
    }
    return [];
}
