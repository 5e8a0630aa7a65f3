import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as path from "path";
import { bundleService } from "../../components/service-bundle";
import { imageInputs, imageTag } from "../../tools/images";
import { PROJECT_DIR } from "../helpers/plan";

describe("container image tags (tools/images.ts)", () => {
    it("hash exactly what the image holds: the service's bundle, the health check, its Dockerfile and ignore file", () => {
        const inputs = imageInputs("catalog");
        assert.deepEqual(
            inputs.map((i) => i.name),
            ["bundle", "services/container/healthcheck.js", "services/catalog/Dockerfile", "services/catalog/Dockerfile.dockerignore"],
        );
        assert.equal(inputs[0].content, bundleService(path.join(PROJECT_DIR, "services", "catalog", "main.ts")).code);
        const hash = createHash("sha256");
        for (const { name, content } of inputs) hash.update(`${name}\0${content.length}\0`).update(content);
        assert.equal(imageTag("catalog"), `c-${hash.digest("hex").slice(0, 16)}`);
    });

    it("differ per service, are stable, and are valid config imageTags; the CLI prints the same", () => {
        const [catalog, inventory] = [imageTag("catalog"), imageTag("inventory")];
        assert.notEqual(catalog, inventory);
        assert.equal(imageTag("catalog"), catalog);
        for (const t of [catalog, inventory]) assert.match(t, /^c-[0-9a-f]{16}$/);
        const r = spawnSync(process.execPath, ["tools/image-tag.js", "inventory"], { cwd: PROJECT_DIR, encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, `${inventory}\n`);
        assert.equal(spawnSync(process.execPath, ["tools/image-tag.js", "../etc"], { cwd: PROJECT_DIR }).status, 2);
    });
});
