/**
 * What `awsx.ec2.Vpc` expands into, modelled from its inputs. Under mocks awsx components are
 * remote, so their children never register; the engine uses this model for the Vpc's mocked
 * outputs and the plan shows the expansion.
 */
import { autoSubnetLayout, newBits } from "../lib/subnet-layout";

export interface VpcModel {
    azs: string[];
    subnets: { tier: "Public" | "Private" | "Isolated"; az: string; cidr: string; id: string }[];
    natGateways: { az: string; subnetId: string; id: string }[];
}

/** The awsx.ec2.Vpc inputs the model reads, as plain JSON. */
export interface VpcInputs {
    numberOfAvailabilityZones?: number;
    availabilityZoneNames?: string[];
    cidrBlock?: string;
    availabilityZoneCidrMask?: number;
    subnetSpecs?: { type: string; name?: string; cidrMask?: number; size?: number }[];
    natGateways?: { strategy?: string };
}

const TIER_ORDER = ["Public", "Private", "Isolated"] as const;

export function modelVpc(inputs: VpcInputs, region: string, idFor: (kind: string, key: string) => string): VpcModel {
    const count: number = inputs.numberOfAvailabilityZones ?? inputs.availabilityZoneNames?.length ?? 3;
    const azs: string[] = inputs.availabilityZoneNames ?? Array.from({ length: count }, (_, i) => `${region}${"abcdef"[i]}`);
    const [base, prefix] = parseCidr(inputs.cidrBlock ?? "10.0.0.0/16");
    const azPrefix: number = inputs.availabilityZoneCidrMask ?? prefix + newBits(azs.length);
    // awsx's defaults: without specs, a private and a public subnet; a spec without a mask gets an equal share of the AZ's block.
    const specs: { type: string; name?: string; cidrMask?: number; size?: number }[] = inputs.subnetSpecs ?? [
        { type: "Private", cidrMask: Math.max(azPrefix, 16) + 1 },
        { type: "Public", cidrMask: Math.max(azPrefix, 16) + 2 },
    ];
    const masks = specs.map((s) => s.cidrMask ?? (s.size ? 32 - Math.log2(s.size) : azPrefix + newBits(specs.length)));

    const layout = autoSubnetLayout(base, prefix, azs.length, masks, inputs.availabilityZoneCidrMask);
    if (layout.total > layout.azSize) {
        throw new Error(`Subnets are too large for VPC. VPC has ${layout.azSize} addresses, but subnets require ${layout.total} addresses.`);
    }
    const all = layout.azs.flatMap((az, i) =>
        az.subnets.map((s, j) => ({
            tier: specs[j].type as VpcModel["subnets"][number]["tier"] | "Unused",
            az: azs[i],
            name: `${specs[j].name ?? specs[j].type.toLowerCase()}-${i + 1}`,
            first: s.base,
            last: s.base + 2 ** (32 - s.mask) - 1,
            cidr: `${toIp(s.base)}/${s.mask}`,
        })),
    );
    const overlapping = all.filter((x) => all.some((y) => x !== y && x.first <= y.last && y.first <= x.last));
    if (overlapping.length > 0) {
        throw new Error(`The following subnets overlap with at least one other subnet: ${overlapping.map((s) => `${s.name}: ${s.cidr}`).join(", ")}`);
    }
    // "Unused" specs only hold space; awsx creates subnets for the others.
    const subnets = all
        .filter((s): s is typeof s & { tier: VpcModel["subnets"][number]["tier"] } => s.tier !== "Unused")
        .map((s) => ({ tier: s.tier, az: s.az, cidr: s.cidr, id: idFor("subnet", `${s.tier}-${s.az}`) }))
        .sort((a, b) => TIER_ORDER.indexOf(a.tier) - TIER_ORDER.indexOf(b.tier) || a.az.localeCompare(b.az));

    const strategy = inputs.natGateways?.strategy ?? "OnePerAz";
    const publicSubnets = subnets.filter((s) => s.tier === "Public");
    const natAzs = strategy === "None" || publicSubnets.length === 0 ? [] : strategy === "Single" ? [azs[0]] : azs;
    const natGateways = natAzs.map((az) => ({ az, subnetId: publicSubnets.find((s) => s.az === az)!.id, id: idFor("nat", az) }));
    return { azs, subnets, natGateways };
}

function parseCidr(cidr: string): [number, number] {
    const [ip, len] = cidr.split("/");
    return [ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0), Number(len)];
}

function toIp(n: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}
