/** Reads a service's settings from its environment, collecting every problem before failing. */

export class SettingsError extends Error {
    constructor(
        service: string,
        readonly problems: string[],
    ) {
        super(`invalid ${service} settings:\n  ${problems.join("\n  ")}`);
        this.name = "SettingsError";
    }
}

export class EnvSettings {
    readonly problems: string[] = [];

    constructor(private readonly env: Partial<Record<string, string | undefined>>) {}

    optional(name: string): string | undefined {
        const v = this.env[name]?.trim();
        return v === "" ? undefined : v;
    }

    required(name: string, meaning: string): string {
        const v = this.optional(name);
        if (v === undefined) this.problems.push(`${name}: is required (${meaning})`);
        return v ?? "";
    }

    int(name: string, fallback: number, min: number, max: number): number {
        const raw = this.optional(name);
        if (raw === undefined) return fallback;
        const n = Number(raw);
        if (!Number.isInteger(n) || n < min || n > max) this.problems.push(`${name}: "${raw}" must be a whole number from ${min} to ${max}`);
        return n;
    }

    /** An http(s) URL without a trailing slash, or undefined when unset. */
    url(name: string): string | undefined {
        const raw = this.optional(name);
        if (raw === undefined) return undefined;
        try {
            const u = new URL(raw);
            if (u.protocol === "http:" || u.protocol === "https:") return raw.replace(/\/+$/, "");
        } catch {
            // reported below
        }
        this.problems.push(`${name}: "${raw}" must be an http:// or https:// URL`);
        return raw;
    }

    check(condition: boolean, problem: string): void {
        if (!condition) this.problems.push(problem);
    }

    done(service: string): void {
        if (this.problems.length > 0) throw new SettingsError(service, this.problems);
    }
}
