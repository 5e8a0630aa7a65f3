import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv/dist/2020";
import { parse } from "yaml";
import { SECTIONS } from "../../config/sections";
import { PROJECT_DIR } from "../helpers/plan";

const project = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8"));

describe("Pulumi.yaml", () => {
    it("passes the project schema the Pulumi CLI validates it against", () => {
        const schemaPath = path.resolve(PROJECT_DIR, "..", "shared", "schemas", "pulumi-project.schema.json");
        const localCopy = path.join(PROJECT_DIR, "tests", "fixtures", "pulumi-project.schema.json");
        const schema = JSON.parse(fs.readFileSync(fs.existsSync(schemaPath) ? schemaPath : localCopy, "utf8"));
        const validate = new Ajv({ strict: false }).compile(schema);
        assert.ok(validate(project), JSON.stringify(validate.errors, null, 2));
    });

    it("is the TypeScript project platform", () => {
        assert.equal(project.name, "platform");
        assert.equal(project.runtime.name, "nodejs");
        assert.equal(project.runtime.options.typescript, true);
    });

    it("declares every top-level config key with a description", () => {
        const declared = Object.keys(project.config);
        assert.deepEqual(declared.sort(), ["profile", ...Object.keys(SECTIONS)].sort());
        for (const [key, decl] of Object.entries<any>(project.config)) {
            assert.ok(typeof decl.description === "string" && decl.description.length > 20, `${key} has no description`);
        }
    });

    it("gives object sections a default and no type, as the CLI requires", () => {
        for (const key of Object.keys(SECTIONS)) {
            assert.equal(project.config[key].type, undefined, key);
            assert.deepEqual(project.config[key].default, {}, key);
        }
    });

    it("every committed stack file sets its profile and region", () => {
        for (const stack of ["dev", "prod"]) {
            const settings = parse(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8"));
            assert.equal(settings.config["platform:profile"], stack);
            assert.match(settings.config["aws:region"], /^[a-z]{2}-[a-z]+-\d$/);
        }
    });
});
