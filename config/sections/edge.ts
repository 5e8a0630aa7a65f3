import { z } from "zod";
import type { ProfileDefaults } from "../common";

/** `platform:edge`: CloudFront, WAF and strangler-fig routing. */
export const schema = z.strictObject({
    waf: z.boolean().describe("A WAF web ACL in front of CloudFront (dev may skip it to save cost)."),
    priceClass: z.enum(["PriceClass_100", "PriceClass_200", "PriceClass_All"]).describe("CloudFront price class."),
});
export type EdgeConfig = z.infer<typeof schema>;

export const defaults: ProfileDefaults<EdgeConfig> = {
    dev: { waf: false, priceClass: "PriceClass_100" },
    prod: { waf: true, priceClass: "PriceClass_All" },
};
