/** Every problem found in a stack's config, one line each, raised before any resource exists. */
export class ConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`invalid stack config:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}
