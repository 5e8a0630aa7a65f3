import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { BEGIN, configRows, END, renderReference } from "../../tools/config-docs";
import { PROJECT_DIR } from "../helpers/plan";

const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");

describe("README", () => {
    it("names the two quick-start commands", () => {
        assert.ok(readme.includes("npm ci && npm run plan -- --stack dev"));
        assert.ok(readme.includes("npm test"));
    });

    it("carries the config reference generated from the current schema (run `npm run docs`)", () => {
        const block = readme.slice(readme.indexOf(BEGIN), readme.indexOf(END) + END.length);
        assert.equal(block, renderReference(PROJECT_DIR));
    });

    it("every config key has a description", () => {
        assert.deepEqual(configRows().filter((r) => !r.description).map((r) => r.key), []);
    });

    it("documents every stack output the program exports", () => {
        const index = fs.readFileSync(path.join(PROJECT_DIR, "index.ts"), "utf8");
        const exported = [...index.matchAll(/^export const (\w+)/gm)].map((m) => m[1]);
        assert.ok(exported.length > 0);
        for (const name of exported) assert.ok(readme.includes(`\`${name}\``), `README does not document output ${name}`);
    });
});
