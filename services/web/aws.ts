/**
 * The AWS calls the service makes, each behind a small interface so the logic around them is
 * tested without AWS, and the SDK-backed implementations are one screen of code.
 */
import { GetParametersByPathCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Signer } from "@aws-sdk/rds-signer";

/** Parameters under a path, by full name. */
export interface ParameterSource {
    byPath(path: string): Promise<Record<string, string>>;
}

/** A secret's string value, by ARN; the request is cancelled when `signal` aborts. */
export interface SecretSource {
    secretString(arn: string, signal?: AbortSignal): Promise<string>;
}

/** Makes RDS IAM auth tokens: short-lived passwords signed with the instance role's credentials. */
export interface TokenSigner {
    authToken(target: { host: string; port: number; user: string }): Promise<string>;
}

export function ssmParameters(client: SSMClient): ParameterSource {
    return {
        async byPath(path) {
            const out: Record<string, string> = {};
            let NextToken: string | undefined;
            do {
                // The IAM grant is on exactly this path: ssm:GetParametersByPath is authorized against the path requested.
                const page = await client.send(new GetParametersByPathCommand({ Path: path.replace(/\/$/, ""), Recursive: true, NextToken }));
                for (const p of page.Parameters ?? []) if (p.Name && p.Value !== undefined) out[p.Name] = p.Value;
                NextToken = page.NextToken;
            } while (NextToken);
            return out;
        },
    };
}

export function secretsManager(client: SecretsManagerClient): SecretSource {
    return {
        async secretString(arn, signal) {
            const r = await client.send(new GetSecretValueCommand({ SecretId: arn }), { abortSignal: signal });
            if (r.SecretString === undefined) throw new Error(`secret ${arn} has no string value`);
            return r.SecretString;
        },
    };
}

/** Credentials as the SDK clients take them; the default provider chain (the instance role) when omitted. */
export type Credentials = ConstructorParameters<typeof Signer>[0]["credentials"];

/**
 * One Signer per (host, port, user), kept: each Signer resolves its credentials once (the default
 * chain memoizes them until they near expiry), where a Signer per token would look them up again
 * for every connection, and instance-metadata throttling would then read as "database down".
 */
export function rdsSigner(region: string, credentials?: Credentials): TokenSigner {
    const signers = new Map<string, Signer>();
    return {
        authToken: ({ host, port, user }) => {
            const key = JSON.stringify([host, port, user]);
            let signer = signers.get(key);
            if (!signer) signers.set(key, (signer = new Signer({ hostname: host, port, username: user, region, credentials })));
            return signer.getAuthToken();
        },
    };
}
