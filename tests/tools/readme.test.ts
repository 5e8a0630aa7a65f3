import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    BEGIN,
    configRows,
    DELIVERY_BEGIN,
    DELIVERY_END,
    DELIVERY_REFERENCE_FILE,
    END,
    REFERENCE_FILE,
    renderDeliveryReference,
    renderReference,
    writeReference,
} from "../../tools/config-docs";
import { PROJECT_DIR } from "../helpers/plan";

const read = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
const readme = read("README.md");
/** A `## ` section of a markdown text, up to the next `## ` heading. */
const section = (text: string, heading: string) => {
    const start = text.indexOf(`\n## ${heading}\n`);
    assert.ok(start >= 0, `no section "## ${heading}"`);
    const next = text.indexOf("\n## ", start + 1);
    return text.slice(start, next < 0 ? undefined : next);
};

describe("README", () => {
    it("names the two quick-start commands", () => {
        assert.ok(readme.includes("npm ci && npm run plan -- --stack dev"));
        assert.ok(readme.includes("npm test"));
    });

    it("keeps the front door's sections: what a stack gets, each environment, deploying for real, the commands, the config reference", () => {
        const gets = section(readme, "What a stack gets");
        for (const guide of [
            "docs/web.md",
            "docs/data-stores.md",
            "docs/edge-and-api.md",
            "docs/analytics.md",
            "docs/events.md",
            "delivery/README.md",
            "policy/README.md",
        ]) {
            assert.ok(gets.includes(`](${guide})`), `"What a stack gets" links ${guide}`);
        }
        assert.match(section(readme, "Environments"), /^\| \| dev \| prod \|$/m, "a dev/prod table");
        assert.ok(section(readme, "Environments").includes("](docs/environments.md)"));
        const deploying = section(readme, "Deploying for real");
        assert.match(deploying, /^pulumi up$/m);
        assert.ok(deploying.includes("](docs/deploying.md)"));
        assert.ok(readme.includes("[stack config reference](docs/config-reference.md)"));
        assert.ok(section(readme, "Commands").includes("| `npm run docs` |"));
    });

    it("every config key has a description", () => {
        assert.deepEqual(
            configRows()
                .filter((r) => !r.description)
                .map((r) => r.key),
            [],
        );
    });
});

describe("docs/config-reference.md", () => {
    it("carries the config reference generated from the current schema (run `npm run docs`)", () => {
        const reference = read(REFERENCE_FILE);
        assert.ok(reference.includes(BEGIN) && reference.includes(END), "the generated block's markers");
        const block = reference.slice(reference.indexOf(BEGIN), reference.indexOf(END) + END.length);
        assert.equal(block, renderReference(PROJECT_DIR));
    });
});

describe("docs/architecture.md", () => {
    it("documents every stack output the program exports", () => {
        const outputs = section(read("docs/architecture.md"), "Stack outputs");
        const exported = [...read("index.ts").matchAll(/^export const (\w+)/gm)].map((m) => m[1]);
        assert.ok(exported.length > 0);
        for (const name of exported) assert.ok(outputs.includes(`\`${name}\``), `docs/architecture.md does not document output ${name}`);
    });
});

describe("npm run docs (writeReference)", () => {
    /** A project directory holding just what the generator reads and writes, with both blocks stale. */
    function staleCopy(): string {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-docs-"));
        fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        for (const [file, begin, end] of [
            [REFERENCE_FILE, BEGIN, END],
            [DELIVERY_REFERENCE_FILE, DELIVERY_BEGIN, DELIVERY_END],
        ]) {
            fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
            fs.writeFileSync(path.join(dir, file), `# Before\n\n${begin}\nstale\n${end}\n\nAfter.\n`);
        }
        return dir;
    }

    it("regenerates the platform's block in docs/config-reference.md and the delivery project's in delivery/README.md, and says so", () => {
        const dir = staleCopy();
        try {
            assert.deepEqual(writeReference(dir), [REFERENCE_FILE, DELIVERY_REFERENCE_FILE]);
            assert.equal(fs.readFileSync(path.join(dir, REFERENCE_FILE), "utf8"), `# Before\n\n${renderReference(dir)}\n\nAfter.\n`);
            assert.equal(fs.readFileSync(path.join(dir, DELIVERY_REFERENCE_FILE), "utf8"), `# Before\n\n${renderDeliveryReference()}\n\nAfter.\n`);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("writes nothing when a file lacks its markers", () => {
        const dir = staleCopy();
        try {
            fs.writeFileSync(path.join(dir, DELIVERY_REFERENCE_FILE), "# Delivery\n");
            assert.throws(() => writeReference(dir), new RegExp(`${DELIVERY_REFERENCE_FILE.replace(/[/\\.]/g, "\\$&")} lacks the markers`));
            assert.ok(fs.readFileSync(path.join(dir, REFERENCE_FILE), "utf8").includes("\nstale\n"), "the other file is left as it was");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
