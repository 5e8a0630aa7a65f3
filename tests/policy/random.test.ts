import { strict as assert } from "assert";
import { expectViolations, resource } from "../helpers/policy";
import { group } from "./fixtures";

describe("generated-secret policies", () => {
    describe("random-password-fits-consumer", () => {
        const password = (name: string, inputs: Record<string, unknown>) =>
            resource(
                "random:index/randomPassword:RandomPassword",
                name,
                { length: 32, ...inputs },
                { urn: `urn:pulumi:test::platform::random:index/randomPassword:RandomPassword::${name}` },
            );
        it("passes a token restricted to ElastiCache's specials and flags the default specials and a short token", async () => {
            const good = password("good", { special: true, overrideSpecial: "!&#$^<>-" });
            const dflt = password("default", { special: true });
            const short = password("short", { length: 12, special: false });
            const ok = group("ok", {}, { propertyDependencies: { authToken: [good.urn] } });
            const bad = group("bad", {}, { propertyDependencies: { authToken: [dflt.urn] } });
            const tiny = group("tiny", {}, { propertyDependencies: { authToken: [short.urn] } });
            const v = await expectViolations("random-password-fits-consumer", [good, dflt, short, ok, bad, tiny], [bad, tiny]);
            assert.match(v.find((x) => x.urn === bad.urn)!.message, /may contain @ % \* \( \) _ = \+ \[ \] \{ \} : \?/);
            assert.match(v.find((x) => x.urn === tiny.urn)!.message, /is 12 characters; an ElastiCache auth token must be 16-128/);
        });
    });
});
