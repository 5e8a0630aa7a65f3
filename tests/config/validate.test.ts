import { strict as assert } from "assert";
import { ConfigError, validateConfig } from "../../config";
import { validateDeliveryConfig } from "../../delivery/config";

function problemsOf(validate: () => unknown): string[] {
    try {
        validate();
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
        return err.problems;
    }
    return [];
}

const devTarget = () => ({ profile: "dev" as const, region: "us-east-1", replicaRegions: [], containerServices: [] });
const platform = (raw: Record<string, string>) => problemsOf(() => validateConfig({ "platform:tags": JSON.stringify({ owner: "a" }), ...raw }, "dev"));
const delivery = (raw: Record<string, string>) =>
    problemsOf(() =>
        validateDeliveryConfig(
            { "platform-delivery:tags": JSON.stringify({ owner: "a" }), "platform-delivery:pipelines": JSON.stringify({ dev: {} }), ...raw },
            "delivery",
            devTarget,
        ),
    );

describe("config: one validation path for both projects", () => {
    it("words an unknown key, a bad region, a section that is no object and a bad value the same way in both namespaces", () => {
        const mistakes = (project: string, section: string, nested: Record<string, unknown>) => ({
            "aws:region": "mars-1",
            [`${project}:nosuch`]: "1",
            [`${project}:${section}`]: "3",
            [`${project}:tags`]: JSON.stringify({ owner: "a", ...nested }),
        });
        for (const [project, problems] of [
            ["platform", platform(mistakes("platform", "web", { environment: "x" }))],
            ["platform-delivery", delivery(mistakes("platform-delivery", "source", { environment: "x" }))],
        ] as const) {
            const section = project === "platform" ? "web" : "source";
            assert.match(problems[0], new RegExp(`^${project}:nosuch: unknown key; allowed keys: .*\\b${section}\\b`));
            assert.ok(problems.includes('aws:region: "mars-1" must be an AWS region code such as us-east-1'), problems.join("\n"));
            assert.ok(problems.includes(`${project}:${section}: 3 must be an object of settings`), problems.join("\n"));
            assert.ok(problems.includes(`${project}:tags.environment: "x" is set by the platform itself; remove it`), problems.join("\n"));
        }
    });

    it("requires aws:region in both, saying what it is for", () => {
        assert.ok(platform({}).includes("aws:region: is required (the home region, e.g. us-east-1)"), platform({}).join("\n"));
        assert.ok(delivery({}).includes("aws:region: is required (the region the pipelines run in, e.g. us-east-1)"), delivery({}).join("\n"));
    });
});
