import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { load } from "js-yaml";
import { ConfigError, validateConfig } from "../../config";
import { cli, stackFile } from "../helpers/plan";

/**
 * Stack files as `pulumi config set --path` writes them: `true`/`false` as booleans, integers
 * without a leading zero as numbers, everything else (`8.0`, `0.5`, `017`) as strings.
 */
const RAW_BASE = { "aws:region": "us-east-1", "platform:profile": "dev", "platform:tags": JSON.stringify({ owner: "team-a" }) };

/** The config map a program sees for a YAML config block, objects JSON-encoded as the CLI hands them over. */
function raw(yaml: string): Record<string, string> {
    const doc = load(yaml) as Record<string, unknown>;
    return { ...RAW_BASE, ...Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])) };
}

function problems(yaml: string): string[] {
    try {
        validateConfig(raw(yaml), "dev");
        return [];
    } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        return err.problems;
    }
}

describe("config written the way the Pulumi CLI writes it", () => {
    it("takes an integer for a text key (a PostgreSQL version typed as 17)", () => {
        const cfg = validateConfig(raw("platform:database:\n  engineVersion: 17\n"), "dev");
        assert.equal(cfg.database.engineVersion, "17");
    });

    it("takes numeric text for a number key (0.5 and 55.5 are written as strings) and true/false text for a boolean key", () => {
        const cfg = validateConfig(raw("platform:web:\n  cpuTargetPercent: '55.5'\nplatform:cache:\n  multiAz: 'false'\n"), "dev");
        assert.equal(cfg.web.cpuTargetPercent, 55.5);
        assert.equal(cfg.cache.multiAz, false);
    });

    it("keeps lists and maps as --path writes them ([0] and .key)", () => {
        const cfg = validateConfig(raw("platform:tags:\n  owner: team-a\n  costCenter: 1234\n"), "dev");
        assert.equal(cfg.tags.costCenter, "1234");
    });

    it("refuses a number that can't mean the text the key needs, with the fix", () => {
        const p = problems("platform:cache:\n  engineVersion: 8\n");
        assert.ok(p.length > 0 && p.every((line) => line.startsWith('platform:cache.engineVersion: "8" ')), p.join("\n"));
        assert.match(
            p[0],
            /^platform:cache\.engineVersion: "8" must be a major\.minor version such as 8\.0 \(the Pulumi CLI stored 8 as a number; .*quote it in the stack file or use `pulumi config set --type string`\)$/,
        );
    });

    it("still refuses text that is no number for a number key, and text other than true/false for a boolean key", () => {
        assert.match(problems("platform:web:\n  cpuTargetPercent: high\n").join("\n"), /platform:web\.cpuTargetPercent: "high" must be a number/);
        assert.match(problems("platform:cache:\n  multiAz: yes please\n").join("\n"), /platform:cache\.multiAz: "yes please" must be a boolean/);
    });

    it("plans a stack file that carries the CLI's number for a version", () => {
        const dev = fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.dev.yaml"), "utf8");
        const file = stackFile(dev.replace(/^config:\n/m, "config:\n  platform:database:\n    engineVersion: 17\n"));
        const r = cli(["plan", "--stack", "dev", "--stack-file", file]);
        assert.equal(r.status, 0, r.stderr);
    });
});
