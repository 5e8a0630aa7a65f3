import { z } from "zod";

/** The environment profiles a stack can start from. */
export const PROFILES = ["dev", "prod"] as const;
export type Profile = (typeof PROFILES)[number];

/** A section's defaults, one complete value per profile. */
export type ProfileDefaults<T> = Record<Profile, T>;

/** The retention periods CloudWatch Logs accepts (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export const logRetentionDays = z.number().refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
    message: `must be one of the CloudWatch Logs retention periods: ${LOG_RETENTION_DAYS.join(", ")}`,
});

export const AWS_REGION = /^(us|eu|ap|sa|ca|me|af|il|mx)(-gov)?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d$/;
export const region = z.string().regex(AWS_REGION, { message: "must be an AWS region code such as us-east-1" });

export const positiveInt = z.int().positive();
export const nonNegativeInt = z.int().nonnegative();

/** Parses "a.b.c.d/n" into its 32-bit base and prefix length, or undefined when it is not a CIDR. */
export function parseCidr(cidr: string): { base: number; prefix: number } | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (!m) return undefined;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return undefined;
    const base = octets.reduce((acc, o) => acc * 256 + o, 0);
    const size = 2 ** (32 - prefix);
    if (base % size !== 0) return undefined; // host bits set: AWS rejects e.g. 10.0.0.1/16
    return { base, prefix };
}
