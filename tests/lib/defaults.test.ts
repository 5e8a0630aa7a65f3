import { strict as assert } from "assert";
import { withDefaults } from "../../lib/defaults";

describe("withDefaults: a component's @default values", () => {
    it("fills only the fields left undefined, keeping the given ones and their order", () => {
        const given: { port?: number; path?: string; name: string } = { name: "web", path: "/ready", port: undefined };
        const args = withDefaults({ port: 8080, path: "/live" }, given);
        assert.deepEqual(args, { name: "web", path: "/ready", port: 8080 });
        assert.deepEqual(Object.keys(args), ["name", "path", "port"]);
        assert.deepEqual(given, { name: "web", path: "/ready", port: undefined });
    });
});
