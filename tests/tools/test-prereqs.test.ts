import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { scratchDir } from "../helpers/plan";

const SCRIPT = path.join(__dirname, "..", "..", "tools", "test-prereqs.js");

describe("npm test's set-up step (tools/test-prereqs.js)", () => {
    it("without the servers and without leave to install, names the one command that installs them, and lets the run go on", () => {
        // A PATH with a shell and nothing else: no redis-server, no openssl, no apt-get.
        const bin = fs.mkdtempSync(path.join(scratchDir(), "prereqs-"));
        fs.symlinkSync("/bin/sh", path.join(bin, "sh"));
        const r = spawnSync(process.execPath, [SCRIPT], { env: { PATH: bin, PLATFORM_TEST_INSTALL: "0" }, encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stderr, /redis-server.* not found; the service tests need them/);
        assert.match(r.stderr, /sudo sh -c 'apt-get update && apt-get install -y --no-install-recommends redis-server postgresql openssl'/);
    });

    it("says nothing when everything is there", () => {
        const r = spawnSync(process.execPath, [SCRIPT], { env: process.env, encoding: "utf8" });
        assert.equal(r.status, 0);
        assert.equal(r.stderr, "");
    });
});
